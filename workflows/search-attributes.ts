import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Registered on the Temporal server (dev stack and deployment). Ids only: no secrets, no names. */
export const IntegrationIdKey = defineSearchAttributeKey(
  'IntegrationId',
  SearchAttributeType.KEYWORD,
);
export const PartnerIdKey = defineSearchAttributeKey('PartnerId', SearchAttributeType.KEYWORD);
export const SyncKindKey = defineSearchAttributeKey('SyncKind', SearchAttributeType.KEYWORD);
export const SyncTriggerKey = defineSearchAttributeKey('SyncTrigger', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [IntegrationIdKey, PartnerIdKey, SyncKindKey, SyncTriggerKey];
