import type { BillingChange } from '../../db';
import type { NewSyncRun } from '../../db/repositories/sync-runs';
import { startEngine } from '../support/engine';
import { startTestSimulator } from '../support/simulator';
import { createIntegration, fieldsOf, getAs, type SetupStack } from './setup-helpers';

/**
 * The sync history over the API: runs paged and filtered, one run with its customers' results,
 * its changes paged and its Temporal UI link, and the billing audit trail paged and filtered.
 * Records are seeded through the repositories (what billing runs write).
 */
const UI = 'http://temporal-ui.test:8233/';
let stack: SetupStack;
let integrationId: string;
const get = (path: string) => getAs(stack)(path);

beforeAll(async () => {
  const [engine, fx] = await Promise.all([
    startEngine('sync-history', { TEMPORAL_UI_URL: UI }),
    startTestSimulator(),
  ]);
  stack = { engine, fx };
  integrationId = await createIntegration(stack, 'p1');
  await seed();
}, 120_000);
afterAll(async () => {
  await Promise.all([stack?.engine.stop(), stack?.fx.sim.close()]);
});

const at = (day: number, hour = 10) => new Date(Date.UTC(2026, 5, day, hour));
const runKey = (n: number) => `billing-run:${integrationId}:s.${n}`;

/** Six runs of p1 (two started at the same moment), newest first: 6, 5, 4, 3, 2, 1. */
const RUNS: Array<Partial<NewSyncRun> & { n: number }> = [
  { n: 1, trigger: 'schedule', outcome: 'succeeded', startedAt: at(1) },
  { n: 2, trigger: 'manual', outcome: 'partial', startedAt: at(2) },
  { n: 3, trigger: 'config_change', outcome: 'failed', startedAt: at(3) },
  { n: 4, trigger: 'schedule', outcome: 'succeeded', startedAt: at(4), kind: 'validation' },
  { n: 5, trigger: 'manual', outcome: 'succeeded', startedAt: at(5) },
  { n: 6, trigger: 'manual', outcome: 'skipped', startedAt: at(5) },
];

const change = (over: Partial<BillingChange>): BillingChange => ({
  partnerId: 'p1',
  integrationId,
  runKey: runKey(2),
  trigger: 'manual',
  customerId: 'c-acme',
  agreementId: 300,
  sku: 'browser-security',
  additionId: 7001,
  action: 'create',
  from: null,
  to: { quantity: 30, unitPrice: 4, unitCost: 2 },
  outcome: 'applied',
  message: null,
  at: at(2, 10),
  ...over,
});

/** Run 2's five changes (c and d at the same moment) and one of run 5, a day later. */
const changes = () => [
  change({ sku: 'a', at: new Date(at(2).getTime() + 1000) }),
  change({ sku: 'b', at: new Date(at(2).getTime() + 2000), customerId: 'c-globex' }),
  change({
    sku: 'c',
    at: new Date(at(2).getTime() + 3000),
    action: 'update',
    from: { quantity: 1 },
    to: { quantity: 2 },
  }),
  change({ sku: 'd', at: new Date(at(2).getTime() + 3000), agreementId: 301 }),
  change({
    sku: 'e',
    at: new Date(at(2).getTime() + 4000),
    outcome: 'failed',
    additionId: null,
    message: 'ConnectWise refused: quantity',
  }),
  change({ runKey: runKey(5), sku: 'a', at: at(5, 11), trigger: 'manual' }),
];

async function seed() {
  const { repos } = stack.engine.db;
  for (const r of RUNS) {
    await repos.syncRuns.record({
      partnerId: 'p1',
      integrationId,
      kind: 'billing',
      workflowId: runKey(r.n),
      runId: `run-id-${r.n}`,
      runKey: runKey(r.n),
      summary: `run ${r.n}`,
      trigger: 'schedule',
      outcome: 'succeeded',
      startedAt: at(1),
      ...r,
    });
  }
  // Another integration's run, and another partner's: never listed for p1's integration.
  const other = { kind: 'billing', trigger: 'manual', outcome: 'succeeded', startedAt: at(3) };
  await repos.syncRuns.record({
    ...other,
    partnerId: 'p1',
    integrationId: 'old-integration',
    workflowId: 'w',
    runId: 'r',
    runKey: 'old',
  } as NewSyncRun);
  await repos.syncRuns.record({
    ...other,
    partnerId: 'p2',
    integrationId,
    workflowId: 'w',
    runId: 'r',
    runKey: runKey(2),
  } as NewSyncRun);
  for (const [i, c] of changes().entries()) await repos.billingChanges.record(c, { slot: `x${i}` });
  await repos.billingChanges.record({ ...change({ sku: 'z' }), partnerId: 'p2' }, { slot: 'x' });
  await repos.billingResults.record({ partnerId: 'p1', integrationId, runKey: runKey(2) }, [
    { customerId: 'c-globex', agreementId: 303, outcome: 'failed', reason: 'boom', counts: {} },
    {
      customerId: 'c-acme',
      agreementId: 300,
      outcome: 'partial',
      counts: { create: 3, failed: 1 },
    },
  ]);
  await repos.billingResults.recordSkipped({ partnerId: 'p1', integrationId, runKey: runKey(2) }, [
    { customerId: 'c-initech', agreementId: null, reason: 'no agreement chosen' },
  ]);
}

interface RunRow {
  id: string;
  workflowId: string;
}
const numbersOf = (runs: RunRow[]) => runs.map((r) => Number(r.workflowId.split('.').pop()));
const skusOf = (changes: Array<{ runWorkflowId: string; sku: string }>) =>
  changes.map((c) => `${c.runWorkflowId.split('.').pop()}${c.sku}`);

/** Every page of `path` (with its query, `&cursor=` appended), `key` rows of each. */
async function allPages<T>(path: string, key: string): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await get(`${path}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    pages.push(res.body[key] as T[]);
    cursor = res.body.nextCursor as string | null;
  } while (cursor && pages.length < 10);
  return pages;
}

describe('GET sync-runs', () => {
  test('pages newest first: no row twice, none left out (a tie on startedAt included), nextCursor null at the end', async () => {
    const pages = await allPages<RunRow>('/sync-runs?pageSize=4', 'runs');
    expect(pages.map((p) => p.length)).toEqual([4, 2]);
    const numbers = pages.flatMap(numbersOf);
    expect(numbers.slice(2)).toEqual([4, 3, 2, 1]);
    expect(numbers.slice(0, 2).sort()).toEqual([5, 6]);
    const small = await allPages<RunRow>('/sync-runs?pageSize=1', 'runs');
    expect(small.flatMap(numbersOf)).toEqual(numbers);
  });

  test('without pageSize: 50 a page, and the older limit still works', async () => {
    const all = await get('/sync-runs');
    expect(numbersOf(all.body.runs)).toHaveLength(6);
    expect(all.body.nextCursor).toBeNull();
    const limited = await get('/sync-runs?limit=2');
    expect(limited.body.runs).toHaveLength(2);
    expect(limited.body.nextCursor).toEqual(expect.any(String));
  });

  // Order is the paging test's concern; these compare which runs match.
  test.each([
    ['kind=validation', [4]],
    ['kind=billing&trigger=manual', [2, 5, 6]],
    ['trigger=schedule', [1, 4]],
    ['outcome=succeeded', [1, 4, 5]],
    ['from=2026-06-02&to=2026-06-04', [2, 3]],
    ['from=2026-06-03T10:00:00Z', [3, 4, 5, 6]],
    ['to=2026-06-01T10:00:01%2B00:00', [1]],
    ['trigger=manual&outcome=failed', []],
  ])('filter %s', async (filter, expected) => {
    const res = await get(`/sync-runs?${filter}`);
    expect(res.status).toBe(200);
    expect(numbersOf(res.body.runs).sort()).toEqual(expected);
  });

  test.each([
    ['kind=sync', 'query.kind'],
    ['trigger=cron', 'query.trigger'],
    ['outcome=great', 'query.outcome'],
    ['from=yesterday', 'query.from'],
    ['to=2026-13-01', 'query.to'],
    ['from=2026-06-05&to=2026-06-01', 'query.to'],
    ['pageSize=0', 'query.pageSize'],
    ['pageSize=201', 'query.pageSize'],
    ['cursor=not-a-cursor', 'query.cursor'],
    [
      `cursor=${Buffer.from('["2026-06-01T00:00:00.000Z","x"]').toString('base64url')}`,
      'query.cursor',
    ],
  ])('%s is a 400 naming %s', async (query, field) => {
    const res = await get(`/sync-runs?${query}`);
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual([field]);
  });
});

describe('GET sync-runs/:id', () => {
  const idOf = async (n: number) => {
    const res = await get('/sync-runs');
    return (res.body.runs as RunRow[]).find((r) => r.workflowId === runKey(n))!.id;
  };

  test("one run: its counts, each customer's result, its changes paged, and its Temporal UI link", async () => {
    const id = await idOf(2);
    const res = await get(`/sync-runs/${id}?pageSize=3`);
    expect(res.status).toBe(200);
    expect(res.body.run).toMatchObject({
      id,
      kind: 'billing',
      trigger: 'manual',
      outcome: 'partial',
      summary: 'run 2',
      workflowId: runKey(2),
      runId: 'run-id-2',
    });
    expect(res.body.temporalUiUrl).toBe(
      `http://temporal-ui.test:8233/namespaces/default/workflows/${encodeURIComponent(runKey(2))}/run-id-2/history`,
    );
    expect(res.body.results).toEqual([
      {
        customerId: 'c-acme',
        agreementId: 300,
        outcome: 'partial',
        reason: null,
        counts: { create: 3, failed: 1 },
        source: 'reconcile',
      },
      {
        customerId: 'c-globex',
        agreementId: 303,
        outcome: 'failed',
        reason: 'boom',
        counts: {},
        source: 'reconcile',
      },
      {
        customerId: 'c-initech',
        agreementId: null,
        outcome: 'skipped',
        reason: 'no agreement chosen',
        counts: {},
        source: 'prepare',
      },
    ]);
    expect(res.body.changes).toHaveLength(3);
    expect(res.body.changes[0]).toEqual({
      runWorkflowId: runKey(2),
      trigger: 'manual',
      customerId: 'c-acme',
      agreementId: 300,
      sku: 'e',
      additionId: null,
      action: 'create',
      from: null,
      to: { quantity: 30, unitPrice: 4, unitCost: 2 },
      outcome: 'failed',
      message: 'ConnectWise refused: quantity',
      at: new Date(at(2).getTime() + 4000).toISOString(),
    });
    const pages = await allPages<{ runWorkflowId: string; sku: string }>(
      `/sync-runs/${id}?pageSize=3`,
      'changes',
    );
    expect(pages.map(skusOf)).toEqual([
      ['2e', expect.any(String), expect.any(String)],
      ['2b', '2a'],
    ]);
    // c and d share a time: both shown once, on the first page.
    expect(
      pages[0]!
        .map((c) => c.sku)
        .slice(1)
        .sort(),
    ).toEqual(['c', 'd']);
  });

  test("a run's results a page at a time: the detail's first page, then …/results", async () => {
    const id = await idOf(2);
    const detail = await get(`/sync-runs/${id}`);
    expect(detail.body.resultsNextCursor).toBeNull();
    const first = await get(`/sync-runs/${id}/results?pageSize=2`);
    expect(first.status).toBe(200);
    expect(first.body.results.map((r: { customerId: string }) => r.customerId)).toEqual([
      'c-acme',
      'c-globex',
    ]);
    const rest = await get(
      `/sync-runs/${id}/results?pageSize=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(rest.body).toEqual({ results: [detail.body.results[2]], nextCursor: null });
    expect((await get(`/sync-runs/${id}/results?cursor=x`)).status).toBe(400);
    expect((await get('/sync-runs/0123456789abcdef01234567/results')).status).toBe(404);
  });

  test('a run without results or changes answers empty lists', async () => {
    const res = await get(`/sync-runs/${await idOf(1)}`);
    expect(res.body).toMatchObject({ results: [], changes: [], nextCursor: null });
  });

  test.each([
    ['an unknown id', '0123456789abcdef01234567'],
    ['an id that cannot be one', 'nope'],
  ])('%s is a 404', async (_what, id) => {
    const res = await get(`/sync-runs/${id}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  test("another partner's run is a 404 even with its id", async () => {
    const id = await idOf(2);
    const res = await getAs(stack)(`/sync-runs/${id}`, stack.engine.tokens.p2, 'p2');
    expect(res.status).toBe(404);
  });

  test('a bad changes cursor is a 400 naming it', async () => {
    const res = await get(`/sync-runs/${await idOf(2)}?cursor=%20`);
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(['query.cursor']);
  });
});

describe('GET billing/changes', () => {
  test('the audit trail, newest first, two pages without overlap', async () => {
    const pages = await allPages<{ runWorkflowId: string; sku: string }>(
      '/billing/changes?pageSize=3',
      'changes',
    );
    expect(pages.map((p) => p.length)).toEqual([3, 3]);
    const rows = pages.flatMap(skusOf);
    expect(rows[0]).toBe('5a');
    expect(rows[1]).toBe('2e');
    expect(rows.slice(2, 4).sort()).toEqual(['2c', '2d']);
    expect(rows.slice(4)).toEqual(['2b', '2a']);
  });

  test.each([
    ['customerId=c-globex', ['2b']],
    ['sku=a', ['2a', '5a']],
    ['customerId=c-acme&sku=a', ['2a', '5a']],
    ['customerId=c-globex&sku=a', []],
    ['from=2026-06-03', ['5a']],
    ['to=2026-06-02T10:00:02Z', ['2a']],
    ['from=2026-06-02T10:00:02Z&to=2026-06-02T10:00:04Z', ['2b', '2c', '2d']],
    ['customerId=c-nobody', []],
  ])('filter %s', async (filter, expected) => {
    const res = await get(`/billing/changes?${filter}`);
    expect(res.status).toBe(200);
    expect(skusOf(res.body.changes).sort()).toEqual(expected);
  });

  test.each([
    ['customerId=a%20b', 'query.customerId'],
    ['sku=', 'query.sku'],
    ['from=06/02/2026', 'query.from'],
    ['pageSize=abc', 'query.pageSize'],
    ['cursor=%7B%7D', 'query.cursor'],
  ])('%s is a 400 naming %s', async (query, field) => {
    const res = await get(`/billing/changes?${query}`);
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual([field]);
  });
});
