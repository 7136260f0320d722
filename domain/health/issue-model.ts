/**
 * What a health issue is made of (domain/health/issues.ts): its kinds, the objects it is about, a
 * finding and a check, and the open-issue summary.
 */

export const HEALTH_ISSUE_KINDS = [
  'credentials_rejected',
  'role_line_missing',
  'company_deleted',
  'company_renamed',
  'agreement_ineligible',
  'ticket_setting_unusable',
  'callback_missing',
  'callback_unverified',
  'catalog_item_unusable',
  'addition_conflict',
  'candidate_waiting',
  'approval_overdue',
  'usage_stale',
  'throttled',
  'events_held',
  'events_expired',
] as const;
export type HealthIssueKind = (typeof HEALTH_ISSUE_KINDS)[number];

export const HEALTH_OBJECT_TYPES = [
  'integration',
  'customer',
  'agreement',
  'company',
  'board',
  'status',
  'source',
  'callback',
  'sku',
  'addition',
  'role_line',
] as const;
export type HealthObjectType = (typeof HEALTH_OBJECT_TYPES)[number];

/** What an issue is about: `id` is ConnectWise's id or the vendor's key, as text. */
export interface HealthObject {
  type: HealthObjectType;
  id: string;
  /** A name to show (a company's, a customer's), when known. */
  name?: string;
}

/** One problem as a check found it. */
export interface HealthFinding {
  kind: HealthIssueKind;
  object: HealthObject;
  /** What is wrong, in the MSP's words. */
  message: string;
  /** What to do about it. */
  fix: string;
}

/**
 * What one check looked at: every open issue of these kinds (and, when given, of these objects
 * only) that the check did not find again is resolved by it.
 */
export interface HealthCheck {
  kinds: readonly HealthIssueKind[];
  objects?: readonly HealthObject[];
  /** Objects the check did not look at (all others of its kinds it did). */
  except?: readonly HealthObject[];
  /** Who checked, as an issue's `resolvedBy` says it (e.g. `billing run billing-run:…:3`). */
  by: string;
}

/** The key of an object within an integration: one open issue per (kind, object key). */
export const objectKeyOf = (o: Pick<HealthObject, 'type' | 'id'>): string => `${o.type}:${o.id}`;

/** `text` ending with one full stop. */
export const sentence = (text: string): string => (/[.!?]$/.test(text) ? text : `${text}.`);

/** The integration itself, for issues about the whole integration. */
export const INTEGRATION_OBJECT: HealthObject = { type: 'integration', id: 'integration' };

/** Open issues per kind, for the status summary. */
export type HealthSummary = { open: number; byKind: Partial<Record<HealthIssueKind, number>> };

export function summarize(kinds: readonly HealthIssueKind[]): HealthSummary {
  const byKind: HealthSummary['byKind'] = {};
  for (const kind of kinds) byKind[kind] = (byKind[kind] ?? 0) + 1;
  return { open: kinds.length, byKind };
}
