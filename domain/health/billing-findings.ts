import {
  type HealthIssueKind,
  type HealthObject,
  type HealthFinding,
  sentence,
} from './issue-model';

/**
 * The health findings of billing: what a billing run's preparation and its batches find wrong
 * with agreements, customers, products and companies, in an MSP's words.
 */

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
