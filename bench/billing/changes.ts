/**
 * Phase (d) (issue 16): after (a)–(c), the world changes as it does for an MSP, all in one run.
 * Of the engine's customers (tenant.ts changeGroups), 5% move to a second recurring agreement of
 * their company (the simulator child seeded it), 5% see their usage drop by more than half (the
 * safety valve holds their agreement), 2% have the engine's addition of a managed product replaced
 * by a hand-made one through the simulator's admin state API (a candidate: their agreement is
 * held for the partner), and everyone else (and the candidates) has one line changed. One billing
 * run must write everything not held, release the moved customers' old additions, hold the rest
 * as pending approvals, and stay at the floor. The setup says what the plan needs from the bench's
 * own data and the simulator's state (not from the engine); the check reads the simulator, the
 * journal and the approvals afterwards.
 */
import { catalogIdentifier, catalogXRef } from '../../domain/billing/settings';
import type { SimAddition } from '../../simulator/admin-client';
import { tenantKeyOfIntegration } from '../../services/tenant';
import type { EngineRun } from './phases';
import type { ChangeNeeds, ChangeObserved } from './report';
import type { Bench } from './setup';
import {
  agreementIdOf,
  applyChangeUsage,
  CANDIDATE_SKU,
  changeGroups,
  customerIdOf,
  movedAgreementIdOf,
  PRODUCTS,
  type ChangeGroups,
} from './tenant';

/** What phase (d) set up, and what it must find after the run. */
export interface PreparedChanges {
  groups: ChangeGroups;
  needs: ChangeNeeds;
  /** sku → its catalog item. */
  items: Map<string, number>;
  /** The held agreements' additions as the run found them (id → what a write would change). */
  heldBefore: Map<number, Map<number, string>>;
  /** The open additions on the moved customers' old agreements: each is released. */
  toRelease: number[];
}

const isOpenOn = (a: SimAddition, today: string): boolean =>
  !a.cancelledDate || a.cancelledDate.slice(0, 10) > today;

/** What a write to an addition would change, as one comparable string. */
const fingerprint = (a: SimAddition): string =>
  JSON.stringify([a.product.id, a.quantity, a.cancelledDate ?? null, a.serialNumber ?? null]);

const byAgreement = (additions: readonly SimAddition[]) => {
  const map = new Map<number, SimAddition[]>();
  for (const a of additions) map.set(a.agreementId, [...(map.get(a.agreementId) ?? []), a]);
  return map;
};

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The sku → catalog item map, as the engine's first run left it (xref, else identifier). */
async function catalogItems(bench: Bench): Promise<Map<string, number>> {
  const catalog = await bench.sim.admin.state.catalog();
  const items = new Map<string, number>();
  for (const p of PRODUCTS) {
    const item = catalog.find(
      (c) =>
        c.integrationXRef === catalogXRef(p.sku) ||
        c.identifier.toLowerCase() === catalogIdentifier(p.sku).toLowerCase(),
    );
    if (!item) throw new Error(`no catalog item for ${p.sku}: phase (d) runs after (a)`);
    items.set(p.sku, item.id);
  }
  return items;
}

/**
 * The MSP's hand-made addition: the engine's addition of CANDIDATE_SKU cancelled two days ago and
 * the same product entered by hand (as many seats as billed), as ConnectWise's own screens would
 * leave them. The engine's ledger entry then points at a closed addition, so its next plan checks
 * the agreement's other additions before billing the sku again, and finds this one.
 */
async function handMadeAdditions(
  bench: Bench,
  customers: readonly number[],
  item: number,
  all: readonly SimAddition[],
): Promise<void> {
  const admin = bench.sim.admin.state;
  let nextId = Math.max(0, ...all.map((a) => a.id)) + 1;
  const cancelled = `${isoDay(new Date(Date.now() - 2 * 86_400_000))}T00:00:00Z`;
  const today = isoDay(new Date());
  const onAgreement = byAgreement(all);
  const product = PRODUCTS.find((p) => p.sku === CANDIDATE_SKU)!;
  for (const i of customers) {
    const agreementId = agreementIdOf(i);
    const engines = (onAgreement.get(agreementId) ?? []).filter(
      (a) => a.product.id === item && isOpenOn(a, today),
    );
    if (engines.length !== 1)
      throw new Error(
        `agreement ${agreementId}: expected one open addition of item ${item}, found ${engines.length}`,
      );
    const engine = engines[0]!;
    await admin.put('additions', { ...engine, cancelledDate: cancelled });
    await admin.put('additions', {
      id: nextId++,
      agreementId,
      product: { id: item },
      description: `${product.name} (entered by hand)`,
      quantity: engine.quantity,
      billCustomer: 'Billable',
      effectiveDate: '2024-01-01T00:00:00Z',
      unitPrice: product.price,
      unitCost: product.cost,
      taxableFlag: true,
      lessIncluded: 0,
      uom: 'Each',
    });
  }
}

/**
 * Sets phase (d) up: the hand-made additions, the new usage (pushed), the moved customers'
 * choices; then what the plan needs, from the simulator's state and the bench's data.
 */
export async function setUpChanges(bench: Bench): Promise<PreparedChanges> {
  const { customers } = bench.opts;
  const groups = changeGroups(customers);
  const items = await catalogItems(bench);
  const admin = bench.sim.admin.state;

  // ConnectWise: the candidates' hand-made additions.
  await handMadeAdditions(
    bench,
    groups.candidate,
    items.get(CANDIDATE_SKU)!,
    await admin.additions(),
  );

  // The vendor: new usage for everyone but the moved customers.
  const { customers: pushed } = applyChangeUsage(bench.usage, groups);
  await bench.pushUsage(pushed);

  // The partner: the moved customers bill through their company's second agreement.
  const { repos, partnerId, integrationId } = bench;
  const integration = await repos.integrations.get(partnerId, integrationId);
  const settings = integration?.billingSettings;
  if (!settings) throw new Error('the bench integration has no billing settings');
  const moved = new Set(groups.moved);
  const chosenOf = (i: number) => (moved.has(i) ? movedAgreementIdOf(i) : agreementIdOf(i));
  await repos.integrations.update(partnerId, integrationId, {
    billingSettings: {
      ...settings,
      agreements: Array.from({ length: customers }, (_, i) => ({
        customerId: customerIdOf(i),
        agreementId: chosenOf(i),
      })),
    },
  });

  // What the plan needs.
  const today = isoDay(new Date());
  const onAgreement = byAgreement(await admin.additions());
  const additionsOn = (id: number) => onAgreement.get(id) ?? [];
  const openOf = (id: number, item: number) =>
    additionsOn(id).filter((a) => a.product.id === item && isOpenOn(a, today));
  let updates = 0;
  for (const i of groups.changed) {
    for (const [sku, quantity] of bench.usage.get(i)!) {
      const open = openOf(agreementIdOf(i), items.get(sku)!);
      if (open.length !== 1)
        throw new Error(`agreement ${agreementIdOf(i)}: ${open.length} open additions of ${sku}`);
      if (open[0]!.quantity !== quantity) updates += 1;
    }
  }
  const creates = groups.moved.reduce(
    (n, i) => n + [...bench.usage.get(i)!.values()].filter((q) => q > 0).length,
    0,
  );
  const toRelease = groups.moved.flatMap((i) =>
    additionsOn(agreementIdOf(i))
      .filter((a) => isOpenOn(a, today))
      .map((a) => a.id),
  );
  const heldIds = [...groups.dropped, ...groups.candidate].map(agreementIdOf);
  const heldBefore = new Map(
    heldIds.map((id) => [id, new Map(additionsOn(id).map((a) => [a.id, fingerprint(a)]))]),
  );
  const chosen = Array.from({ length: customers }, (_, i) => chosenOf(i));
  const old = groups.moved.map(agreementIdOf);
  const needs: ChangeNeeds = {
    chosen: chosen.length,
    moved: groups.moved.length,
    oldAgreements: old.length,
    additionsPerAgreement: [...chosen, ...old].map((id) => additionsOn(id).length),
    updates,
    creates,
    releases: toRelease.length,
    held: heldIds.length,
    candidateChecks: groups.candidate.length,
    catalogCreates: 0,
    catalogReads: 1,
    billingDayReads: 1,
    companies: customers,
  };
  return { groups, needs, items, heldBefore, toRelease };
}

const writeCount = (calls: Record<string, number>, method: 'PATCH' | 'POST') =>
  Object.entries(calls)
    .filter(([kind]) => kind.startsWith(`${method} `))
    .reduce((n, [, c]) => n + c, 0);

/** What the run did, read from the simulator, its journal and the pending approvals. */
export async function checkChanges(
  bench: Bench,
  prepared: PreparedChanges,
  run: EngineRun,
): Promise<ChangeObserved> {
  const { groups, needs, items, heldBefore } = prepared;
  const { repos, partnerId, integrationId } = bench;
  const today = isoDay(new Date());
  const all = await bench.sim.admin.state.additions();
  const byId = new Map(all.map((a) => [a.id, a]));
  const onAgreement = byAgreement(all);

  const integration = await repos.integrations.get(partnerId, integrationId);
  if (!integration) throw new Error('the bench integration is gone');
  const { items: pending } = await repos.billingApprovals.listPending(
    { partnerId, integrationId, tenantKey: tenantKeyOfIntegration(integration) },
    { limit: 1_000_000, now: new Date() },
  );

  const releasedAtZero = prepared.toRelease.filter((id) => {
    const a = byId.get(id);
    return a !== undefined && a.quantity === 0 && isOpenOn(a, today) && !a.serialNumber;
  }).length;

  const moved = new Set(groups.moved);
  let lines = 0;
  let wrong = 0;
  const billedCustomers = [...groups.changed, ...groups.moved];
  for (const i of billedCustomers) {
    const agreementId = moved.has(i) ? movedAgreementIdOf(i) : agreementIdOf(i);
    const additions = onAgreement.get(agreementId) ?? [];
    for (const [sku, quantity] of bench.usage.get(i)!) {
      lines += 1;
      const open = additions.filter((a) => a.product.id === items.get(sku) && isOpenOn(a, today));
      if (open.length !== 1 || open[0]!.quantity !== quantity) wrong += 1;
    }
  }

  let changed = 0;
  for (const [agreementId, before] of heldBefore) {
    const now = onAgreement.get(agreementId) ?? [];
    changed += now.filter((a) => before.get(a.id) !== fingerprint(a)).length;
    changed += [...before.keys()].filter((id) => !byId.has(id)).length;
  }
  const heldPaths = [...heldBefore.keys()].map((id) => `/agreements/${id}/`);
  const journal = await bench.sim.admin.journal.list();
  const writeCalls = journal.filter(
    (e) => e.method !== 'GET' && heldPaths.some((p) => e.path.includes(p)),
  ).length;

  const counts = run.result.counts;
  return {
    outcome: run.result.outcome,
    run: {
      held: run.result.agreements.held,
      create: counts.create ?? 0,
      update: counts.update ?? 0,
      release: counts.release ?? 0,
    },
    expected: {
      held: needs.held,
      create: needs.creates,
      update: needs.updates,
      release: needs.releases,
    },
    pending: {
      total: pending.length,
      onHeld: pending.filter((p) => heldBefore.has(p.agreementId)).length,
    },
    releasedAtZero,
    billed: { customers: billedCustomers.length, lines, wrong },
    heldUnwritten: { agreements: heldBefore.size, changed, writeCalls },
    writes: {
      patch: writeCount(run.calls, 'PATCH'),
      post: writeCount(run.calls, 'POST'),
      expectedPatch: needs.updates + needs.releases,
      expectedPost: needs.creates + needs.catalogCreates,
    },
  };
}

/** One line per group: who phase (d) changed, for the printout. */
export function describeGroups(groups: ChangeGroups, customers: number): string {
  const share = (n: number) => `${n} (${((n / customers) * 100).toFixed(1)}%)`;
  return (
    `  moved to a second agreement: ${share(groups.moved.length)}; usage down >50% (safety valve): ` +
    `${share(groups.dropped.length)}; hand-made candidate: ${share(groups.candidate.length)}; ` +
    `one line changed: ${share(groups.changed.length)} of ${customers} customers`
  );
}
