import type { ConnectWiseClient } from '../../connectwise';
import type { AgreementSnapshot, IntegrationRecord, Repositories, RunSnapshot } from '../../db';
import {
  batchSizeFor,
  type BillingRunRef,
  type PreparedRun,
  type SkippedAgreement,
} from '../../domain/billing/run';
import { staleUsage, zeroedShareHold } from '../../domain/billing/safety';
import { billingPolicyOf, type BillingPolicySettings } from '../../domain/billing/settings';
import type { AdditionLink } from '../../domain/billing/types';
import { billingDay, ianaZoneOf } from '../../domain/billing/time-zone';
import { checkAgreementChoices, type MappedChoice } from './agreement-check';
import { billingDayOf } from './billing-day';
import { ensureCatalog } from './catalog';

type PrepareRepos = Pick<
  Repositories,
  'companyMappings' | 'vendor' | 'productMappings' | 'additionLinks' | 'billingSnapshots'
>;

/** Why a run of this integration has nothing to do, if it has nothing to do; no I/O. */
export function nothingToDoOf(integration: IntegrationRecord): string | undefined {
  if (integration.state !== 'active') return `the integration is ${integration.state}`;
  const billing = integration.billingSettings;
  if (billing?.enabled !== true) return 'billing is turned off for this integration';
  if (billing.agreements.length === 0) return 'no customer has a billing agreement chosen';
  return undefined;
}

/** A run that does nothing still names its day: the settings' zone, else UTC (no ConnectWise call). */
export function idleRun(integration: IntegrationRecord, reason: string, now: Date): PreparedRun {
  const zone = ianaZoneOf(billingPolicyOf(integration.billingSettings).timeZone, undefined);
  const { apply, approvalExpiryHours } = billingPolicyOf(integration.billingSettings);
  return {
    today: billingDay(zone, now),
    apply,
    approvalExpiryHours,
    batches: [],
    skipped: [],
    nothingToDo: reason,
  };
}

/**
 * The safety valve's whole-run rule: when too many customers would drop to zero at once (usage
 * all zero where the engine billed before), every one of them waits for approval.
 */
function holdZeroing(agreements: AgreementSnapshot[], policy: BillingPolicySettings): void {
  if (policy.zeroUsage === 'leave') return;
  const zeroing = agreements.filter(
    (a) => a.links.length > 0 && a.lines.every((l) => l.quantity === 0),
  );
  const reason = zeroedShareHold(zeroing.length, agreements.length, policy);
  if (reason) for (const a of zeroing) a.hold = reason;
}

/** A run that plans, then waits for a person's approval before it writes anything. */
export const awaitsApproval = (policy: BillingPolicySettings, ref: BillingRunRef): boolean =>
  policy.apply === 'approve' && !ref.approvedKey;

const chunk = <T>(list: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) =>
    list.slice(i * size, (i + 1) * size),
  );

/**
 * Freezes a billing run: the billing day, which customers' agreements may be written (tenant
 * safety, few ConnectWise reads), their usage and addition links as they are now, and the catalog
 * item of every sku (found or created once for the whole run). Stores it under the run's key,
 * agreements first and the run last, and returns the run's snapshot as stored (its `prepared`:
 * the shape for the workflow).
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
  const billing = integration.billingSettings!;
  const policy = billingPolicyOf(billing);
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
  const productsRead = repos.vendor.listProducts(partnerId);
  const catalogRead = Promise.all([
    productsRead,
    repos.productMappings.list(partnerId, integrationId),
  ]).then(([products, mappings]) =>
    ensureCatalog(
      client,
      { products, needed, mappings, defaults: policy.catalogDefaults },
      // A preview writes nothing; a run in approval mode creates its catalog items once approved.
      { ...options, dryRun: ref.preview === true || awaitsApproval(policy, ref) },
    ),
  );
  catalogRead.catch(() => undefined); // awaited below, or the run failed before
  try {
    return await snapshotRun(repos, ref, now, policy, {
      checked: repos.companyMappings
        .list(partnerId, integrationId)
        .then((mappings) =>
          checkAgreementChoices(
            client,
            billing.agreements,
            new Map(mappings.map((m) => [m.customerId, m.companyId])),
            todayRead,
            { ...options, concurrency: policy.concurrency },
          ),
        ),
      links: repos.additionLinks.list(partnerId, integrationId),
      products: productsRead,
      usage: repos.vendor.currentUsage(
        partnerId,
        billing.agreements.map((c) => c.customerId),
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
  checked: Promise<Awaited<ReturnType<typeof checkAgreementChoices>>>;
  links: ReturnType<PrepareRepos['additionLinks']['list']>;
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
  const [checked, [links, products, usage], today] = await Promise.all([
    reads.checked,
    Promise.all([reads.links, reads.products, reads.usage]),
    reads.today,
  ]);
  const skipped: SkippedAgreement[] = [...checked.skipped];
  const billed: MappedChoice[] = [];
  for (const c of checked.eligible) {
    const set = usage.get(c.customerId);
    const stale = set && staleUsage(set.asOf, now, policy);
    if (!set)
      skipped.push({ ...c, reason: `no usage has been received for customer ${c.customerId} yet` });
    else if (stale) skipped.push({ ...c, reason: stale });
    else billed.push(c);
  }
  const linksOf = new Map<number, AdditionLink[]>();
  for (const { agreementId, ...link } of links) {
    linksOf.set(agreementId, [...(linksOf.get(agreementId) ?? []), link]);
  }
  const agreements: AgreementSnapshot[] = billed.map((c) => {
    const set = usage.get(c.customerId)!;
    return {
      agreementId: c.agreementId,
      customerId: c.customerId,
      companyId: c.companyId,
      usageAsOf: set.asOf,
      lines: set.lines,
      links: linksOf.get(c.agreementId) ?? [],
    };
  });

  holdZeroing(agreements, policy);
  // Batches as the workflow will reconcile them (no regrouping), each stored as one document.
  const batches = chunk(
    [...agreements].sort((x, y) => x.agreementId - y.agreementId),
    batchSizeFor(agreements.length),
  );

  const needed = new Set(
    agreements.flatMap((a) => [
      ...a.lines.filter((l) => l.quantity > 0).map((l) => l.sku),
      ...a.links.map((l) => l.sku),
    ]),
  );
  // The agreements are stored while the catalog is ensured: no run document yet, so a retry
  // redoes it.
  const [catalog] = await Promise.all([
    reads.catalog(needed),
    repos.billingSnapshots.saveBatches(ref, batches, now),
  ]);
  await repos.productMappings.save(partnerId, integrationId, catalog.found);

  const prepared: PreparedRun = {
    today,
    apply: policy.apply,
    approvalExpiryHours: policy.approvalExpiryHours,
    batches: batches.map((b) => b.map((a) => a.agreementId)),
    skipped: skipped.sort((x, y) => x.customerId.localeCompare(y.customerId)),
    ...(catalog.skipped.length > 0 ? { skippedSkus: catalog.skipped } : {}),
    ...(catalog.toCreate.length > 0 ? { catalogToCreate: catalog.toCreate } : {}),
  };
  const run: RunSnapshot = {
    ref,
    today,
    policy,
    products: products
      .filter((p) => catalog.items.has(p.sku))
      .map((p) => ({
        sku: p.sku,
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
