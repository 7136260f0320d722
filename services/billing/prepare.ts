import { companiesById, isConnectWiseError, type ConnectWiseClient } from '../../connectwise';
import type {
  AgreementSnapshot,
  BillingApproval,
  IntegrationRecord,
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
import { billingPolicyOf, type BillingPolicySettings } from '../../domain/billing/settings';
import { billingDay, ianaZoneOf } from '../../domain/billing/time-zone';
import { tenantKeyOfIntegration } from '../tenant';
import { checkAgreementChoices, type MappedChoice } from './agreement-check';
import { billingDayOf } from './billing-day';
import { ensureCatalog } from './catalog';

type PrepareRepos = Pick<
  Repositories,
  | 'companyMappings'
  | 'vendor'
  | 'productMappings'
  | 'billingLedger'
  | 'billingSnapshots'
  | 'billingApprovals'
  | 'integrations'
>;

/** Billing is off, and the partner asked to release what the engine bills. */
const releasingAll = (integration: IntegrationRecord): boolean =>
  integration.billingSettings?.enabled === false &&
  integration.billingSettings.releaseAdditions === true;

/** Why a run of this integration has nothing to do, if it has nothing to do; no I/O. */
export function nothingToDoOf(integration: IntegrationRecord): string | undefined {
  if (integration.state !== 'active') return `the integration is ${integration.state}`;
  const billing = integration.billingSettings;
  if (releasingAll(integration)) return undefined;
  if (billing?.enabled !== true) return 'billing is turned off for this integration';
  return undefined;
}

/** A run that does nothing still names its day: the settings' zone, else UTC (no ConnectWise call). */
export function idleRun(integration: IntegrationRecord, reason: string, now: Date): PreparedRun {
  const policy = billingPolicyOf(integration.billingSettings);
  const zone = ianaZoneOf(policy.timeZone, undefined);
  return {
    today: billingDay(zone, now),
    apply: policy.apply,
    batches: [],
    skipped: [],
    nothingToDo: reason,
  };
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

/**
 * Freezes a billing run: the billing day, which customers' agreements may be written (tenant
 * safety, few ConnectWise reads), their usage, the ledger as it is now and what of it is no longer
 * backed, and the catalog item of every sku (found or created once for the whole run). Stores it
 * under the run's key, agreements first and the run last, and returns the run's snapshot as
 * stored (its `prepared`: the shape for the workflow).
 */
export async function prepareRun(
  repos: PrepareRepos,
  client: ConnectWiseClient,
  integration: IntegrationRecord,
  ref: BillingRunRef,
  options: { signal?: AbortSignal; now?: Date } = {},
): Promise<RunSnapshot> {
  const { partnerId, integrationId } = ref;
  const now = options.now ?? new Date();
  const billing = integration.billingSettings ?? { enabled: false, agreements: [] };
  const choices = releasingAll(integration) ? [] : billing.agreements;
  const policy = billingPolicyOf(billing);
  const tenantKey = tenantKeyOfIntegration(integration);
  await repos.integrations.ensureTenantGuard(integration);
  const scope = { partnerId, integrationId, tenantKey };
  // ConnectWise reads and database reads overlap: the day is needed only to judge the agreements.
  const dayRead = billingDayOf(client, policy.timeZone, now, options);
  const todayRead = dayRead.then((d) => d.today);
  todayRead.catch(() => undefined); // awaited below too: a failure is reported there, once
  // The catalog's stored items are read as soon as the products and their mappings are; which
  // skus the run needs follows from the snapshot, and is handed over once known.
  let neededKnown!: (needed: ReadonlySet<string>) => void;
  let noNeeds!: (err: unknown) => void;
  const needed = new Promise<ReadonlySet<string>>((resolve, reject) => {
    neededKnown = resolve;
    noNeeds = reject;
  });
  // A run that fails before the catalog work reads `needed` rejects it with nobody listening yet
  // (the products may still be on their way): that must not be an unhandled rejection, which
  // ends the worker process.
  needed.catch(() => undefined);
  const productsRead = repos.vendor.listProducts(partnerId);
  const catalogRead = Promise.all([
    productsRead,
    repos.productMappings.list(partnerId, integrationId),
  ]).then(([products, mappings]) =>
    ensureCatalog(
      client,
      { products, needed, mappings, defaults: policy.catalogDefaults },
      // A preview writes nothing, not even a catalog item.
      { ...options, dryRun: ref.preview === true },
    ),
  );
  catalogRead.catch(() => undefined); // awaited below, or the run failed before
  const ledgerRead = repos.billingLedger.list(scope);
  const mappingsRead = repos.companyMappings.list(partnerId, integrationId);
  const deletedRead = mappingsRead.then((mappings) =>
    deletedCompaniesOf(client, mappings, options),
  );
  deletedRead.catch(() => undefined); // awaited in snapshotRun, or the run failed before
  try {
    return await snapshotRun(repos, ref, now, policy, {
      tenantKey,
      zone: dayRead.then((d) => d.zone),
      billingOff: releasingAll(integration),
      choices,
      companyOf: mappingsRead.then(
        (mappings) => new Map(mappings.map((m) => [m.customerId, m.companyId])),
      ),
      mappedNames: mappingsRead.then(
        (mappings) =>
          new Map(
            mappings.flatMap((m) =>
              m.companyId !== null && m.companyName ? [[m.companyId, m.companyName]] : [],
            ),
          ),
      ),
      checked: Promise.all([mappingsRead, ledgerRead]).then(([mappings, ledger]) =>
        checkAgreementChoices(
          client,
          choices,
          new Map(mappings.map((m) => [m.customerId, m.companyId])),
          todayRead,
          {
            ...options,
            concurrency: policy.concurrency,
            alsoRead: ledger.entries.map((e) => e.agreementId),
          },
        ),
      ),
      ledger: ledgerRead,
      deleted: deletedRead,
      approvals: repos.billingApprovals.listLive(scope),
      products: productsRead,
      usage: repos.vendor.currentUsage(
        partnerId,
        choices.map((c) => c.customerId),
      ),
      today: todayRead,
      catalog: (skus) => {
        neededKnown(skus);
        return catalogRead;
      },
    });
  } catch (err) {
    noNeeds(err);
    throw err;
  }
}

/** What prepareRun reads, started together; `catalog` is told the skus the run needs. */
interface RunReads {
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

async function snapshotRun(
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

/** Approvals still pending after `hours`: each is a health issue (domain/health/issues.ts). */
function overdueOf(
  approvals: readonly BillingApproval[],
  hours: number,
  now: Date,
): Pick<PreparedRun, 'overdueApprovals'> {
  const limit = now.getTime() - hours * 3_600_000;
  const overdue = approvals
    .filter((a) => a.status === 'pending' && a.createdAt.getTime() < limit)
    .map((a) => ({
      customerId: a.customerId,
      agreementId: a.agreementId,
      since: a.createdAt.toISOString(),
    }));
  return overdue.length > 0 ? { overdueApprovals: overdue } : {};
}

/**
 * Mapped companies ConnectWise no longer has (or has in its recycle bin), with the customers
 * mapped to them: one read per hundred companies. A read that fails (a refusal, an outage) says
 * why it could not check, and the run goes on.
 */
async function deletedCompaniesOf(
  client: ConnectWiseClient,
  mappings: ReadonlyArray<{
    customerId: string;
    companyId: number | null;
    companyName?: string | null;
  }>,
  options: { signal?: AbortSignal },
): Promise<NonNullable<PreparedRun['deletedCompanies']> | { unchecked: string }> {
  const customersOf = new Map<number, { name: string; customers: string[] }>();
  for (const m of mappings) {
    if (m.companyId === null) continue;
    const entry = customersOf.get(m.companyId) ?? { name: m.companyName ?? '', customers: [] };
    entry.customers.push(m.customerId);
    customersOf.set(m.companyId, entry);
  }
  if (customersOf.size === 0) return [];
  let found: Awaited<ReturnType<typeof companiesById>>;
  try {
    found = await companiesById(client, [...customersOf.keys()], options);
  } catch (err) {
    // A side check: it never fails the run; unread, it says nothing (nor resolves anything).
    if (options.signal?.aborted) throw err;
    return { unchecked: isConnectWiseError(err) ? err.message : String(err) };
  }
  return [...customersOf]
    .filter(([id]) => {
      const company = found.get(id);
      return !company || company.deletedFlag === true;
    })
    .map(([companyId, { name, customers }]) => ({
      companyId,
      name,
      customers: customers.sort(),
    }));
}

/**
 * Mapped companies ConnectWise now names differently than when they were mapped (seen on the
 * chosen agreements the run read): each is a health issue until the mapping is saved again.
 */
function renamedOf(
  checked: Awaited<ReturnType<typeof checkAgreementChoices>>,
  mappedNames: ReadonlyMap<number, string>,
): Pick<PreparedRun, 'renamedCompanies'> {
  const renamed = new Map<number, { companyId: number; was: string; now: string }>();
  for (const agreement of checked.agreements.values()) {
    const { id, name } = agreement.company;
    const was = id == null ? undefined : mappedNames.get(id);
    if (id == null || !was || !name || name === was) continue;
    renamed.set(id, { companyId: id, was, now: name });
  }
  return renamed.size > 0 ? { renamedCompanies: [...renamed.values()] } : {};
}
