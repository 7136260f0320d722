/**
 * Health issues (issue 19): a problem the engine found with an integration, open until the check
 * that found it finds it gone. One open issue per (integration, kind, object) however many runs
 * see it. Pure types and the words an MSP reads; db/repositories/health-issues.ts keeps them.
 * Gathered here: issue-model.ts (kinds, objects, findings, checks), billing-findings.ts and
 * ticket-findings.ts; the connection's own findings are this module's.
 */

import { type HealthFinding, INTEGRATION_OBJECT } from './issue-model';

export {
  HEALTH_ISSUE_KINDS,
  type HealthIssueKind,
  HEALTH_OBJECT_TYPES,
  type HealthObjectType,
  type HealthObject,
  type HealthFinding,
  type HealthCheck,
  objectKeyOf,
  INTEGRATION_OBJECT,
  type HealthSummary,
  summarize,
} from './issue-model';
export {
  agreementIneligible,
  usageStale,
  catalogItemUnusable,
  BILLING_RUN_KINDS,
  billingRunFindings,
  candidateWaiting,
  additionConflict,
  BILLING_BATCH_KINDS,
  billingBatchFindings,
  approvalOverdue,
  companyRenamed,
  companyDeleted,
} from './billing-findings';
export {
  ticketSettingUnusable,
  callbackMissing,
  callbackUnverified,
  TICKET_HOLD_KINDS,
  eventsHeld,
  eventsExpired,
} from './ticket-findings';

/** Findings about the connection itself: the keys, the security role, the rate limit. */

export const credentialsRejected = (): HealthFinding => ({
  kind: 'credentials_rejected',
  object: INTEGRATION_OBJECT,
  message:
    'ConnectWise no longer accepts the API keys: they were revoked or rotated, or the API member was deactivated. Nothing is synchronized until new keys are entered.',
  fix: 'In ConnectWise, open the API member (System > Members > API Members), create new API keys, and enter them on the integration screen.',
});

/** A ConnectWise refusal (403) of what the required security role's line allows. */
export const roleLineMissing = (
  line: { key: string; label: string },
  level: string,
  what: string,
): HealthFinding => ({
  kind: 'role_line_missing',
  object: { type: 'role_line', id: line.key, name: line.label },
  message: `ConnectWise refused access to ${what}: the API member's security role no longer allows ${line.label} ${level}.`,
  fix: `In ConnectWise (System > Security Roles), set ${line.label} ${level} to All on the API member's role, then run Test Connection.`,
});

/** ConnectWise answered 429 (too many requests) `count` times in `minutes`. */
export const throttled = (count: number, minutes: number, pausedMs: number): HealthFinding => ({
  kind: 'throttled',
  object: INTEGRATION_OBJECT,
  message: `ConnectWise answered ${count} requests with 429 (too many requests) in the last ${minutes} minutes; billing runs waited ${Math.round(pausedMs / 1000)} s for it, and slow down.`,
  fix: 'Check what else uses this API member (other integrations share its rate limit), or lower the billing concurrency in the billing settings.',
});
