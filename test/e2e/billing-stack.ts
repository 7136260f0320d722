import { WorkflowNotFoundError } from '@temporalio/client';
import type { JournalEntry, SimAddition } from '../../simulator';
import { sleep, startPartnerStack, type PartnerStack } from './partner-stack';

/**
 * Billing over the real local stack (Temporal dev server, FerretDB, the simulator, and the worker
 * and API as processes of their own), driven over HTTP as a partner would. One stack per file:
 * a partner with `customers` generated customers, each mapped to a generated ConnectWise company
 * with a recurring agreement of its own, and billing on. ConnectWise's state is read from the
 * simulator; its writes from its journal.
 */
export const SKUS = ['e2e-browser', 'e2e-dns', 'e2e-dlp'] as const;
export type Sku = (typeof SKUS)[number];
/** Per customer id, the quantity of each sku in use. */
export type Usage = Map<string, Partial<Record<Sku, number>>>;

const PARTNER = 'e2e-billing';
/** Agreement ids of the generated customers; far from the seed's (300…). */
const FIRST_AGREEMENT = 7000;

export const customerId = (i: number) => `e2e-c${String(i).padStart(3, '0')}`;
export const agreementOf = (i: number) => FIRST_AGREEMENT + i;

/**
 * Where a customer is billed: 0 its company's agreement (the start), 1 a second agreement of the
 * same company (the agreement choice changed), 2 another company's agreement (mapping and choice
 * changed).
 */
export type Placement = 0 | 1 | 2;
const agreementAt = (i: number, placement: Placement) => agreementOf(i) + 1_000 * placement;

export interface BillingStack extends PartnerStack {
  indexes: number[];
  /** Waits until the lifecycle runs nothing and has nothing queued. */
  idle(): Promise<void>;
  /** Presses Synchronize; the id of the billing run it queued. */
  synchronize(): Promise<string>;
  /** Waits for a billing run's workflow to close; its row in the sync history. */
  finished(runWorkflowId: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** The running run's progress as GET …/status shows it, if it is that run's. */
  progressOf(runWorkflowId: string): Promise<{ agreementsDone: number } | undefined>;
  pushUsage(usage: Usage): Promise<void>;
  /** Where each customer is billed now (0 unless moved). */
  placements: ReadonlyMap<number, Placement>;
  /**
   * Moves customers, as a partner does in the mapping and billing screens: the company mapping
   * (placement 2) and the agreement choice saved, then the runs those saves queue waited out.
   */
  place(moves: ReadonlyArray<{ index: number; placement: Placement }>): Promise<void>;
  /**
   * ConnectWise holds exactly what the usage says: per agreement, one addition per sku ever
   * billed (never two, open or cancelled), open with the usage's quantity when the sku is in use
   * and the agreement is the customer's current one, cancelled otherwise (a sku no longer used,
   * or an agreement the customer moved away from).
   */
  expectBilledAsUsage(usage: Usage, only?: number[]): Promise<void>;
  /** The same comparison, counted rather than asserted (the chaos suite's table). */
  tally(usage: Usage): Promise<BillingTally>;
}

/** One addition as ConnectWise holds it: open with its quantity, or cancelled. */
interface BilledLine {
  sku: string;
  quantity?: number;
  cancelled?: boolean;
}

/**
 * ConnectWise against the usage: `duplicates`, additions beyond one per agreement and sku;
 * `losses`, skus in use with no open addition; `differences`, agreements not exactly as expected
 * (a wrong quantity, a sku not cancelled, either of the others).
 */
export interface BillingTally {
  duplicates: number;
  losses: number;
  differences: number;
}

/** Additions written (POST, PATCH, PUT, DELETE), of one agreement if given. */
export const additionWrites = (entries: JournalEntry[], agreementId?: number) =>
  entries.filter(
    (e) =>
      e.method !== 'GET' &&
      e.template.startsWith('/finance/agreements/{parentId}/additions') &&
      (agreementId === undefined || e.path.includes(`/finance/agreements/${agreementId}/`)),
  );

export const startBillingStack = (
  customers: number,
  policy: { concurrency: number },
  extraEnv: NodeJS.ProcessEnv = {},
) => startPartnerStack(PARTNER, (p) => configure(p, customers, policy), extraEnv);

async function configure(
  p: PartnerStack,
  customers: number,
  policy: { concurrency: number },
): Promise<BillingStack> {
  const { sim, temporal, call } = p;
  const indexes = [...Array(customers).keys()];
  const cw = (path: string) => `/connectwise${path}`;

  const idle = async () => {
    for (let i = 0; i < 600; i++) {
      const { workflow } = await call('GET', cw('/status'));
      if (workflow && workflow.lifecycle !== 'syncing' && workflow.pendingRequests === 0) return;
      await sleep(200);
    }
    throw new Error('the lifecycle never became idle');
  };
  const synchronize = async () => {
    const { runWorkflowId } = await call('POST', cw('/synchronize'));
    if (!/^billing-run:/.test(String(runWorkflowId)))
      throw new Error(`Synchronize answered ${String(runWorkflowId)}`);
    return runWorkflowId as string;
  };
  const finished = async (runWorkflowId: string, timeoutMs = 150_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const { status } = await temporal.workflow.getHandle(runWorkflowId).describe();
        if (status.name !== 'RUNNING') break;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      if (Date.now() > deadline) throw new Error(`run ${runWorkflowId} did not finish in time`);
      await sleep(250);
    }
    const { runs } = await call('GET', cw('/sync-runs'));
    const row = (runs as Array<Record<string, unknown>>).find(
      (r) => r.workflowId === runWorkflowId,
    );
    if (!row) throw new Error(`no sync-runs row for ${runWorkflowId}`);
    return row;
  };
  const progressOf = async (runWorkflowId: string) => {
    const { runProgress } = await call('GET', cw('/status'));
    return runProgress?.runKey === runWorkflowId
      ? (runProgress as { agreementsDone: number })
      : undefined;
  };

  /** Every sku ever billed to each agreement (a sku dropped since must be cancelled, not open). */
  const everBilled = new Map<number, Set<Sku>>();
  const placements = new Map<number, Placement>();
  const current = (i: number) => agreementAt(i, placements.get(i) ?? 0);
  /** Each customer's agreements so far, the current one among them. */
  const used = new Map<number, Set<number>>(indexes.map((i) => [i, new Set([agreementOf(i)])]));
  const pushUsage = async (usage: Usage) => {
    for (const [customer, lines] of usage) {
      await call('PUT', `/customers/${customer}/usage`, {
        usage: Object.entries(lines).map(([sku, quantity]) => ({ sku, quantity })),
      });
    }
    for (const i of indexes) {
      const billed = everBilled.get(current(i)) ?? new Set<Sku>();
      for (const sku of Object.keys(usage.get(customerId(i)) ?? {})) billed.add(sku as Sku);
      everBilled.set(current(i), billed);
    }
  };
  /**
   * An addition cancelled before a later one of the same product began is history, not a second
   * line: usage that stopped, was cancelled dated one day, and came back a later day (a run across
   * midnight) rightly ends one addition and starts another. Two that overlap by a day stay.
   */
  const inEffectOrLast = (additions: SimAddition[]) =>
    additions.filter(
      (a) =>
        !a.cancelledDate ||
        !additions.some(
          (b) =>
            b !== a &&
            b.product.id === a.product.id &&
            (b.effectiveDate ?? '').slice(0, 10) > a.cancelledDate!.slice(0, 10),
        ),
    );
  /** Per agreement, what ConnectWise holds and what the usage says it should (sorted by sku). */
  const billedVsUsage = async (usage: Usage, only: number[] = indexes) => {
    const all = await sim.state.additions();
    const catalog = await sim.state.catalog();
    const skuOf = new Map(catalog.map((c) => [c.id, c.integrationXRef?.replace(/^dfx:/, '')]));
    const actual: Record<string, BilledLine[]> = {};
    const expected: Record<string, BilledLine[]> = {};
    for (const i of only) {
      for (const agreementId of used.get(i)!) {
        actual[agreementId] = inEffectOrLast(all.filter((a) => a.agreementId === agreementId))
          .map((a) => ({
            sku: skuOf.get(a.product.id) ?? `product ${a.product.id}`,
            ...(a.cancelledDate ? { cancelled: true } : { quantity: a.quantity }),
          }))
          .sort((x, y) => x.sku.localeCompare(y.sku));
        const lines = agreementId === current(i) ? (usage.get(customerId(i)) ?? {}) : {};
        expected[agreementId] = [...(everBilled.get(agreementId) ?? [])]
          .sort()
          .map((sku) => (lines[sku] ? { sku, quantity: lines[sku] } : { sku, cancelled: true }));
      }
    }
    return { actual, expected };
  };
  const expectBilledAsUsage = async (usage: Usage, only: number[] = indexes) => {
    const { actual, expected } = await billedVsUsage(usage, only);
    expect(actual).toEqual(expected);
  };
  const tally = async (usage: Usage): Promise<BillingTally> => {
    const { actual, expected } = await billedVsUsage(usage);
    const counted: BillingTally = { duplicates: 0, losses: 0, differences: 0 };
    for (const [agreementId, want] of Object.entries(expected)) {
      const have = actual[agreementId] ?? [];
      const perSku = new Map<string, number>();
      for (const line of have) perSku.set(line.sku, (perSku.get(line.sku) ?? 0) + 1);
      for (const n of perSku.values()) counted.duplicates += Math.max(0, n - 1);
      for (const line of want)
        if (line.quantity !== undefined && !have.some((h) => h.sku === line.sku && !h.cancelled))
          counted.losses += 1;
      if (JSON.stringify(have) !== JSON.stringify(want)) counted.differences += 1;
    }
    return counted;
  };

  // ConnectWise: a company per customer, each with a recurring agreement (like the seed's 300).
  const { firstId } = await sim.seed.companies(customers);
  const template = (await sim.state.agreements()).find((a) => a.id === 300)!;
  for (const i of indexes) {
    await sim.state.put('agreements', {
      ...template,
      id: agreementOf(i),
      name: `E2E customer ${i} - Managed Security`,
      company: { id: firstId + i },
    });
  }
  await call('PUT', '/customers', {
    customers: indexes.map((i) => ({ customerId: customerId(i), name: `E2E customer ${i}` })),
  });
  await call('PUT', '/products', {
    products: SKUS.map((sku, n) => ({ sku, name: `DefensX ${sku}`, price: 2 + n, cost: 1 })),
  });
  await call('PUT', cw('/company-mappings'), {
    mappings: indexes.map((i) => ({ customerId: customerId(i), companyId: firstId + i })),
  });
  const saveBillingSettings = () =>
    call('PUT', cw('/billing-settings'), {
      enabled: true,
      agreements: indexes.map((i) => ({ customerId: customerId(i), agreementId: current(i) })),
      catalogDefaults: { categoryId: 2, subcategoryId: 1, typeId: 1, productClass: 'Service' },
      zeroUsage: 'cancel',
      concurrency: policy.concurrency,
    });
  await saveBillingSettings();
  // The config_change runs those saves queued: no usage yet, so nothing is written.
  await idle();

  /** The companies customers move to (placement 2), one per customer, made on first use. */
  let otherFirstId: number | undefined;
  const place = async (moves: ReadonlyArray<{ index: number; placement: Placement }>) => {
    if (moves.some((m) => m.placement === 2) && otherFirstId === undefined)
      otherFirstId = (await sim.seed.companies(customers)).firstId;
    const existing = new Set((await sim.state.agreements()).map((a) => a.id));
    for (const { index: i, placement } of moves) {
      const agreementId = agreementAt(i, placement);
      if (!existing.has(agreementId))
        await sim.state.put('agreements', {
          ...template,
          id: agreementId,
          name: `E2E customer ${i} - Managed Security (${placement})`,
          company: { id: placement === 2 ? otherFirstId! + i : firstId + i },
        });
    }
    const remapped = moves.filter(
      (m) => (m.placement === 2) !== ((placements.get(m.index) ?? 0) === 2),
    );
    for (const { index: i, placement } of moves) {
      placements.set(i, placement);
      used.get(i)!.add(current(i));
    }
    if (remapped.length > 0)
      await call('PUT', cw('/company-mappings'), {
        mappings: remapped.map(({ index: i, placement }) => ({
          customerId: customerId(i),
          companyId: placement === 2 ? otherFirstId! + i : firstId + i,
        })),
      });
    await saveBillingSettings();
    await idle();
  };

  return {
    ...p,
    indexes,
    idle,
    synchronize,
    finished,
    progressOf,
    pushUsage,
    placements,
    place,
    expectBilledAsUsage,
    tally,
  };
}

/**
 * For the suites that stop the worker mid-run: pushes `usage`, slows every ConnectWise call by
 * `latencyMs`, starts a run and waits until `done` of its agreements (not all) are reconciled.
 */
export async function runPartway(
  b: BillingStack,
  usage: Usage,
  { latencyMs, done: wanted }: { latencyMs: number; done: number },
): Promise<{ run: string; expectedCreates: number }> {
  await b.pushUsage(usage);
  const expectedCreates = [...usage.values()].reduce((n, l) => n + Object.keys(l).length, 0);
  await b.sim.journal.clear();
  await b.sim.faults.add({ kind: 'latency', ms: latencyMs });
  const run = await b.synchronize();
  let done = 0;
  for (let i = 0; i < 900 && done < wanted; i++) {
    done = (await b.progressOf(run))?.agreementsDone ?? 0;
    if (done < wanted) await sleep(100);
  }
  if (done < wanted || done >= b.indexes.length)
    throw new Error(`the run was not part-way: ${done} of ${b.indexes.length} agreements done`);
  return { run, expectedCreates };
}

/** Some additions were written before the worker stopped, not all. */
export async function writtenPartway(b: BillingStack, expectedCreates: number): Promise<number> {
  const written = additionWrites(await b.sim.journal.list()).length;
  if (written === 0 || written >= expectedCreates)
    throw new Error(`${written} of ${expectedCreates} additions were written before the stop`);
  return written;
}

/** ConnectWise holds what the usage says, each addition created by exactly one POST. */
export async function expectEachAdditionOnce(
  b: BillingStack,
  usage: Usage,
  expectedCreates: number,
): Promise<void> {
  await b.sim.faults.clear();
  await b.expectBilledAsUsage(usage);
  const created = additionWrites(await b.sim.journal.list()).filter(
    (e) => e.method === 'POST' && e.status === 201,
  );
  if (created.length !== expectedCreates)
    throw new Error(`${created.length} additions created, ${expectedCreates} expected`);
}
