/**
 * A billing run's snapshot, from what prepare read: which agreements are billed and which are
 * skipped (and why), each agreement's usage lines, ledger and releases, the run's catalog items
 * and policy. Stored under the run's key, agreements first and the run last.
 */
import type {
  AgreementSnapshot,
  BillingApproval,
  Ledger,
  Repositories,
  RunSnapshot,
} from '../../db';
import {
  batchSizeFor,
  type BillingRunRef,
  type PreparedRun,
  type SkippedAgreement,
} from '../../domain/billing/run';
import { invoicingOf } from '../../domain/billing/invoice-period';
import { byAgreement, releaseReason, type LedgerBacking } from '../../domain/billing/ledger';
import { staleUsage, zeroedShareHold } from '../../domain/billing/safety';
import type { BillingPolicySettings } from '../../domain/billing/settings';
import { checkAgreementChoices, type MappedChoice } from './agreement-check';
import { ensureCatalog } from './catalog';
import { overdueOf, renamedOf } from './run-checks';

export type PrepareRepos = Pick<
  Repositories,
  | 'companyMappings'
  | 'vendor'
  | 'productMappings'
  | 'billingLedger'
  | 'billingSnapshots'
  | 'billingApprovals'
  | 'integrations'
>;

/** What prepareRun reads, started together; `catalog` is told the skus the run needs. */
export interface RunReads {
  tenantKey: string;
  zone: Promise<string>;
  billingOff: boolean;
  choices: ReadonlyArray<{ customerId: string; agreementId: number }>;
  companyOf: Promise<Map<string, number | null>>;
  /** The company names the mappings were saved with. */
  mappedNames: Promise<Map<number, string>>;
  checked: Promise<Awaited<ReturnType<typeof checkAgreementChoices>>>;
  ledger: Promise<Ledger>;
  deleted: Promise<NonNullable<PreparedRun['deletedCompanies']> | { unchecked: string }>;
  approvals: Promise<BillingApproval[]>;
  products: ReturnType<PrepareRepos['vendor']['listProducts']>;
  usage: ReturnType<PrepareRepos['vendor']['currentUsage']>;
  today: Promise<string>;
  catalog: (needed: ReadonlySet<string>) => ReturnType<typeof ensureCatalog>;
}

export async function snapshotRun(
  repos: PrepareRepos,
  ref: BillingRunRef,
  now: Date,
  policy: BillingPolicySettings,
  reads: RunReads,
): Promise<RunSnapshot> {
  const { partnerId, integrationId } = ref;
  const [checked, [ledger, products, usage, companyOf, approvals], [today, zone]] =
    await Promise.all([
      reads.checked,
      Promise.all([reads.ledger, reads.products, reads.usage, reads.companyOf, reads.approvals]),
      Promise.all([reads.today, reads.zone]),
    ]);
  const skipped: SkippedAgreement[] = [...checked.skipped];
  const billed: MappedChoice[] = [];
  for (const c of checked.eligible) {
    const set = usage.get(c.customerId);
    const stale = set && staleUsage(set.asOf, now, policy);
    if (!set)
      skipped.push({
        ...c,
        reason: `no usage has been received for customer ${c.customerId} yet`,
        problem: 'usage_stale',
      });
    else if (stale) skipped.push({ ...c, reason: stale, problem: 'usage_stale' });
    else billed.push(c);
  }

  const needed = new Set([
    ...billed.flatMap((c) =>
      usage
        .get(c.customerId)!
        .lines.filter((l) => l.quantity > 0)
        .map((l) => l.sku),
    ),
    ...ledger.entries.map((e) => e.sku),
  ]);
  const catalogWork = reads.catalog(needed);
  const catalog = await catalogWork;

  const ledgerOf = byAgreement(ledger.entries);
  const pendingOf = byAgreement(ledger.pending);
  const backing: LedgerBacking = {
    billingOff: reads.billingOff,
    choiceOf: new Map(reads.choices.map((c) => [c.customerId, c.agreementId])),
    companyOf,
    ownerOf: new Map(
      [...checked.agreements].flatMap(([id, a]) =>
        a.company.id != null ? [[id, a.company.id]] : [],
      ),
    ),
    itemOf: catalog.items,
    skus: new Set(products.map((p) => p.sku)),
  };
  const approvalOf = new Map(approvals.map((a) => [a.agreementId, a]));
  const agreementPart = (agreementId: number) => {
    const entries = ledgerOf.get(agreementId) ?? [];
    const agreement = checked.agreements.get(agreementId);
    const approval = approvalOf.get(agreementId);
    return {
      ledger: entries,
      pending: pendingOf.get(agreementId) ?? [],
      releases: entries.flatMap((e) => {
        const reason = releaseReason(e, backing);
        return reason ? [{ additionId: e.additionId, reason }] : [];
      }),
      invoicing: agreement ? invoicingOf(agreement) : null,
      ...(approval
        ? {
            approval: {
              approvalId: approval.approvalId,
              status: approval.status,
              planHash: approval.planHash,
            },
          }
        : {}),
    };
  };
  const agreements: AgreementSnapshot[] = billed.map((c) => {
    const set = usage.get(c.customerId)!;
    return {
      agreementId: c.agreementId,
      customerId: c.customerId,
      companyId: c.companyId,
      usageAsOf: set.asOf,
      lines: set.lines,
      ...agreementPart(c.agreementId),
    };
  });
  // Agreements billed for nobody now, in the run only for their releases.
  const billedIds = new Set(billed.map((c) => c.agreementId));
  for (const agreementId of ledgerOf.keys()) {
    if (billedIds.has(agreementId)) continue;
    const part = agreementPart(agreementId);
    if (part.releases.length === 0) continue;
    const owner = checked.agreements.get(agreementId)?.company.id ?? 0;
    agreements.push({
      agreementId,
      customerId: '',
      companyId: owner,
      usageAsOf: null,
      lines: [],
      ...part,
    });
  }

  if (!reads.billingOff) holdZeroing(agreements, policy);
  // Batches as the workflow will reconcile them (no regrouping), each stored as one document.
  const batches = chunk(
    [...agreements].sort((x, y) => x.agreementId - y.agreementId),
    batchSizeFor(agreements.length),
  );
  await Promise.all([
    repos.billingSnapshots.saveBatches(ref, batches, now),
    repos.productMappings.save(partnerId, integrationId, catalog.found),
  ]);

  const prepared: PreparedRun = {
    today,
    apply: policy.apply,
    batches: batches.map((b) => b.map((a) => a.agreementId)),
    skipped: skipped.sort((x, y) => x.customerId.localeCompare(y.customerId)),
    ...(catalog.skipped.length > 0 ? { skippedSkus: catalog.skipped } : {}),
    ...(catalog.toCreate.length > 0 ? { catalogToCreate: catalog.toCreate } : {}),
    ...overdueOf(approvals, policy.approvalOverdueHours, now),
    ...renamedOf(checked, await reads.mappedNames),
    ...(await reads.deleted.then((deleted) =>
      'unchecked' in deleted
        ? { companiesUnchecked: deleted.unchecked }
        : deleted.length > 0
          ? { deletedCompanies: deleted }
          : {},
    )),
    ...(agreements.length === 0 && skipped.length === 0
      ? { nothingToDo: 'no customer has a billing agreement chosen, and nothing to release' }
      : {}),
  };
  const run: RunSnapshot = {
    ref,
    tenantKey: reads.tenantKey,
    today,
    zone,
    policy,
    products: products
      .filter((p) => catalog.items.has(p.sku))
      .map((p) => ({
        sku: p.sku,
        name: p.name,
        catalogItemId: catalog.items.get(p.sku)!,
        price: p.price,
        cost: p.cost,
      })),
    skippedSkus: catalog.skipped,
    prepared,
    createdAt: now,
  };
  await repos.billingSnapshots.saveRun(run);
  return run;
}

/**
 * The safety valve's whole-run rule: when too many customers would drop to zero at once (usage
 * all zero where the engine billed before, or every addition released), every one of them waits
 * for approval. Not when the partner turned billing off and asked for the releases.
 */
function holdZeroing(agreements: AgreementSnapshot[], policy: BillingPolicySettings): void {
  if (policy.zeroUsage === 'leave') return;
  const active = (a: AgreementSnapshot) => a.ledger.filter((e) => e.state === 'active');
  const zeroing = agreements.filter((a) => {
    const owned = active(a);
    if (owned.length === 0) return false;
    const released = new Set(a.releases.map((r) => r.additionId));
    const allReleased = owned.every((e) => released.has(e.additionId));
    return allReleased || (a.customerId !== '' && a.lines.every((l) => l.quantity === 0));
  });
  const customers = new Set(agreements.map((a) => a.customerId || `#${a.agreementId}`)).size;
  const reason = zeroedShareHold(zeroing.length, customers, policy);
  if (reason) for (const a of zeroing) a.hold = reason;
}

const chunk = <T>(list: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) =>
    list.slice(i * size, (i + 1) * size),
  );
