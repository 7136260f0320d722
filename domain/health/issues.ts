/**
 * Health issues (issue 19): a problem the engine found with an integration, open until the check
 * that found it finds it gone. One open issue per (integration, kind, object) however many runs
 * see it. Pure types and the words an MSP reads; db/repositories/health-issues.ts keeps them.
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
const sentence = (text: string): string => (/[.!?]$/.test(text) ? text : `${text}.`);

/** The integration itself, for issues about the whole integration. */
export const INTEGRATION_OBJECT: HealthObject = { type: 'integration', id: 'integration' };

export const credentialsRejected = (): HealthFinding => ({
  kind: 'credentials_rejected',
  object: INTEGRATION_OBJECT,
  message:
    'ConnectWise no longer accepts the API keys: they were revoked or rotated, or the API member was deactivated. Nothing is synchronized until new keys are entered.',
  fix: 'In ConnectWise, open the API member (System > Members > API Members), create new API keys, and enter them on the integration screen.',
});

export const agreementIneligible = (
  customerId: string,
  agreementId: number,
  why: string,
): HealthFinding => ({
  kind: 'agreement_ineligible',
  object: { type: 'agreement', id: String(agreementId) },
  message: `Usage of customer ${customerId} is not billed: ${sentence(why)}`,
  fix: `Choose another recurring agreement for customer ${customerId} in the billing settings, or make agreement ${agreementId} active and recurring again in ConnectWise.`,
});

export const usageStale = (customerId: string, why: string): HealthFinding => ({
  kind: 'usage_stale',
  object: { type: 'customer', id: customerId },
  message: `Customer ${customerId} is not billed: ${sentence(why)}`,
  fix: 'Check that the vendor portal still reports usage for this customer (PUT …/usage); billing resumes with the next usage received.',
});

export const catalogItemUnusable = (sku: string, why: string): HealthFinding => ({
  kind: 'catalog_item_unusable',
  object: { type: 'sku', id: sku },
  message: `Product ${sku} is not billed on any agreement: ${sentence(why)}`,
  fix: `Map product ${sku} to an active ConnectWise catalog item in the product mappings, or fix the catalog item in ConnectWise (Procurement > Product Catalog).`,
});

/** Open issues per kind, for the status summary. */
export type HealthSummary = { open: number; byKind: Partial<Record<HealthIssueKind, number>> };

export function summarize(kinds: readonly HealthIssueKind[]): HealthSummary {
  const byKind: HealthSummary['byKind'] = {};
  for (const kind of kinds) byKind[kind] = (byKind[kind] ?? 0) + 1;
  return { open: kinds.length, byKind };
}

/** The kinds a billing run's preparation checks (every chosen agreement, customer and sku). */
export const BILLING_RUN_KINDS: readonly HealthIssueKind[] = [
  'agreement_ineligible',
  'usage_stale',
  'catalog_item_unusable',
  'approval_overdue',
  'company_renamed',
  'company_deleted',
];

/** What a prepared billing run found: its skipped agreements' problems and its skipped skus. */
export function billingRunFindings(prepared: {
  skipped: ReadonlyArray<{
    customerId: string;
    agreementId: number | null;
    reason: string;
    problem?: 'agreement_ineligible' | 'usage_stale';
  }>;
  skippedSkus?: ReadonlyArray<{ sku: string; reason: string }>;
  overdueApprovals?: ReadonlyArray<{ customerId: string; agreementId: number; since: string }>;
  renamedCompanies?: ReadonlyArray<{ companyId: number; was: string; now: string }>;
  deletedCompanies?: ReadonlyArray<{ companyId: number; name: string; customers: string[] }>;
}): HealthFinding[] {
  const findings: HealthFinding[] = [];
  for (const s of prepared.skipped) {
    if (s.problem === 'agreement_ineligible' && s.agreementId !== null)
      findings.push(agreementIneligible(s.customerId, s.agreementId, s.reason));
    else if (s.problem === 'usage_stale') findings.push(usageStale(s.customerId, s.reason));
  }
  for (const s of prepared.skippedSkus ?? []) findings.push(catalogItemUnusable(s.sku, s.reason));
  for (const a of prepared.overdueApprovals ?? [])
    findings.push(approvalOverdue(a.customerId, a.agreementId, a.since));
  for (const c of prepared.renamedCompanies ?? [])
    findings.push(companyRenamed(c.companyId, c.was, c.now));
  for (const c of prepared.deletedCompanies ?? [])
    findings.push(companyDeleted(c.companyId, c.name, c.customers));
  return findings;
}

export const candidateWaiting = (
  customerId: string,
  agreementId: number,
  count: number,
): HealthFinding => ({
  kind: 'candidate_waiting',
  object: { type: 'agreement', id: String(agreementId) },
  message: `Agreement ${agreementId} of customer ${customerId} has ${count === 1 ? 'an addition' : `${count} additions`} entered by hand that ${count === 1 ? 'looks' : 'look'} like a DefensX product: its billing changes wait for your decision.`,
  fix: 'Open Billing > Pending approvals and decide for each addition: adopt it, keep it separate, or cancel it.',
});

export const additionConflict = (
  customerId: string,
  agreementId: number,
  why: string | undefined,
): HealthFinding => ({
  kind: 'addition_conflict',
  object: { type: 'agreement', id: String(agreementId) },
  message: `A product on agreement ${agreementId} of customer ${customerId} is not billed: ${sentence(why ?? 'its additions conflict')}`,
  fix: `In ConnectWise, keep one open addition of the product on agreement ${agreementId} (cancel the others), then synchronize.`,
});

/** The kinds a billing batch checks on each agreement it reconciled. */
export const BILLING_BATCH_KINDS: readonly HealthIssueKind[] = [
  'candidate_waiting',
  'addition_conflict',
];

/**
 * What a batch of a billing run (writing, not previewing) found on its agreements, and which
 * agreements it looked at: those it could reconcile (a failed one said nothing about them).
 */
export function billingBatchFindings(
  outcomes: ReadonlyArray<{
    customerId: string;
    agreementId: number;
    outcome: string;
    reason?: string;
    counts: Partial<Record<string, number>>;
    planned?: Partial<Record<string, number>>;
  }>,
): { findings: HealthFinding[]; objects: HealthObject[] } {
  const findings: HealthFinding[] = [];
  const objects: HealthObject[] = [];
  for (const o of outcomes) {
    if (o.outcome === 'failed' || o.outcome === 'skipped' || o.outcome === 'planned') continue;
    objects.push({ type: 'agreement', id: String(o.agreementId) });
    const candidates = o.outcome === 'held' ? (o.planned?.candidate ?? 0) : 0;
    if (candidates > 0) findings.push(candidateWaiting(o.customerId, o.agreementId, candidates));
    if ((o.counts.conflict ?? 0) > 0 || (o.planned?.conflict ?? 0) > 0)
      findings.push(additionConflict(o.customerId, o.agreementId, o.reason));
  }
  return { findings, objects };
}

/** The ticket settings as a whole (a board, status or source of them no longer usable). */
const TICKET_SETTINGS: HealthObject = { type: 'board', id: 'ticket-settings' };

export const ticketSettingUnusable = (problem: string): HealthFinding => ({
  kind: 'ticket_setting_unusable',
  object: TICKET_SETTINGS,
  message: `ConnectWise refuses tickets under the saved ticket settings (${problem}): security events are held, no ticket is created.`,
  fix: 'Open Tickets, choose a board, source and statuses that exist and are active in ConnectWise, and save: the held events then become tickets.',
});

export const callbackMissing = (problem: string): HealthFinding => ({
  kind: 'callback_missing',
  object: { type: 'callback', id: 'tickets' },
  message: `ConnectWise cannot tell the engine when a technician changes a ticket: ${problem}. Ticket changes show only at the next poll.`,
  fix: 'Set PUBLIC_BASE_URL to an address ConnectWise can reach, and grant the API member System > Table Setup (callbacks); then save the ticket settings again.',
});

export const callbackUnverified = (why: string): HealthFinding => ({
  kind: 'callback_unverified',
  object: { type: 'callback', id: 'tickets' },
  message: `A ConnectWise callback delivery was refused: ${sentence(why)} Until deliveries verify, ticket changes show only at the next poll.`,
  fix: 'Check that the callback in ConnectWise (System > Integrator Login / callbacks) is the one the engine registered, and that ConnectWise signs it with its current key; saving the ticket settings registers it again.',
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

export const approvalOverdue = (
  customerId: string,
  agreementId: number,
  since: string,
): HealthFinding => ({
  kind: 'approval_overdue',
  object: { type: 'agreement', id: String(agreementId) },
  message: `The billing changes of agreement ${agreementId} (customer ${customerId}) have waited for approval since ${since}: they are not billed until someone decides, and are dropped when the approval expires.`,
  fix: 'Open Billing > Pending approvals and approve or reject them (or raise approvalOverdueHours in the billing settings).',
});

export const companyRenamed = (companyId: number, was: string, now: string): HealthFinding => ({
  kind: 'company_renamed',
  object: { type: 'company', id: String(companyId), name: now },
  message: `ConnectWise company ${companyId}, mapped as "${was}", is now named "${now}": check that the customers mapped to it still belong there.`,
  fix: 'Open Company Mapping and save the mapping again (or map the customers to the right company): the new name is then kept.',
});

export const companyDeleted = (
  companyId: number,
  name: string,
  customers: readonly string[],
): HealthFinding => ({
  kind: 'company_deleted',
  object: { type: 'company', id: String(companyId), ...(name ? { name } : {}) },
  message: `ConnectWise company ${companyId}${name ? ` ("${name}")` : ''} no longer exists (deleted in ConnectWise), but customer${customers.length === 1 ? '' : 's'} ${customers.join(', ')} ${customers.length === 1 ? 'is' : 'are'} still mapped to it: ${customers.length === 1 ? 'its' : 'their'} billing and tickets go to a company that is gone.`,
  fix: 'Open Company Mapping and map the customers to the company that replaced it (a merge), or exclude them.',
});

/** ConnectWise answered 429 (too many requests) `count` times in `minutes`. */
export const throttled = (count: number, minutes: number, pausedMs: number): HealthFinding => ({
  kind: 'throttled',
  object: INTEGRATION_OBJECT,
  message: `ConnectWise answered ${count} requests with 429 (too many requests) in the last ${minutes} minutes; billing runs waited ${Math.round(pausedMs / 1000)} s for it, and slow down.`,
  fix: 'Check what else uses this API member (other integrations share its rate limit), or lower the billing concurrency in the billing settings.',
});

/** Kinds about ticket work waiting: resolved when what held it is fixed. */
export const TICKET_HOLD_KINDS: readonly HealthIssueKind[] = ['events_held', 'events_expired'];

export const eventsHeld = (why: string): HealthFinding => ({
  kind: 'events_held',
  object: INTEGRATION_OBJECT,
  message: `Security events wait without a ticket: ${sentence(why)} They become tickets once that is fixed, unless they expire first.`,
  fix: 'Fix what holds them (the keys, the ticket settings, or resume the integration); the issues beside this one say how.',
});

export const eventsExpired = (key: string, why: string): HealthFinding => ({
  kind: 'events_expired',
  object: INTEGRATION_OBJECT,
  message: `Security events expired without a ticket (the latest: ${key}, ${why}).`,
  fix: 'Fix what held them, then look at the expired events (GET …/events?state=expired) in the vendor console: no ticket will be made for them.',
});
