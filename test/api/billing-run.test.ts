import { WorkflowNotFoundError } from '@temporalio/client';
import request from 'supertest';
import type { BillingRunResult } from '../../domain/billing/run';
import { as, cwBase, useSetupStack } from './setup-helpers';

/**
 * Billing over the API and the real engine: usage pushed → Synchronize → the simulator's
 * agreement additions say exactly what the usage says → a second run writes nothing.
 */
const suite = useSetupStack('billing-run', [
  { customerId: 'c-acme', name: 'Acme Corp' },
  { customerId: 'c-globex', name: 'Globex' },
]);

const p1 = () => as(suite.engine.tokens.p1);
const put = (path: string, body: object) =>
  request(suite.engine.app).put(path).set(p1()).send(body);
const cw = (path: string) => `${cwBase('p1')}${path}`;

async function setUp() {
  const products = [
    { sku: 'browser-security', name: 'DefensX Browser Security', price: 4, cost: 2 },
    { sku: 'secure-dns', name: 'DefensX Secure DNS', price: 1.5, cost: 0.5 },
  ];
  expect((await put('/v1/partners/p1/products', { products })).status).toBe(200);
  const mappings = [
    { customerId: 'c-acme', companyId: 250 },
    { customerId: 'c-globex', companyId: 254 },
  ];
  expect((await put(cw('/company-mappings'), { mappings })).status).toBe(200);
  const usage = (customerId: string, lines: Array<[string, number]>) =>
    put(`/v1/partners/p1/customers/${customerId}/usage`, {
      usage: lines.map(([sku, quantity]) => ({ sku, quantity })),
    });
  expect(
    (
      await usage('c-acme', [
        ['browser-security', 30],
        ['secure-dns', 10],
      ])
    ).status,
  ).toBe(200);
  expect((await usage('c-globex', [['browser-security', 5]])).status).toBe(200);
  const agreements = [
    { customerId: 'c-acme', agreementId: 300 },
    { customerId: 'c-globex', agreementId: 303 },
  ];
  // What a catalog item the engine creates is filed under (a tenant may enforce it).
  const catalogDefaults = { categoryId: 2, subcategoryId: 1, typeId: 1, productClass: 'Service' };
  const billing = await put(cw('/billing-settings'), {
    enabled: true,
    agreements,
    catalogDefaults,
  });
  expect(billing.status).toBe(200);
}

/** Presses Synchronize and waits for the run it queued to finish. */
async function synchronize(): Promise<{ runWorkflowId: string; result: BillingRunResult }> {
  const res = await request(suite.engine.app).post(cw('/synchronize')).set(p1());
  expect(res.status).toBe(202);
  const runWorkflowId = res.body.runWorkflowId as string;
  expect(runWorkflowId).toMatch(/^billing-run:/);
  for (let i = 0; i < 300; i++) {
    try {
      const handle = suite.engine.client.workflow.getHandle(runWorkflowId);
      return { runWorkflowId, result: (await handle.result()) as BillingRunResult };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`run ${runWorkflowId} never started`);
}

const openAdditions = async (agreementId: number) =>
  (await suite.fx.sim.admin.state.additions(agreementId))
    .filter((a) => !a.cancelledDate)
    .map((a) => ({ product: a.product.id, quantity: a.quantity }))
    .sort((x, y) => x.product - y.product);

test('usage becomes agreement additions; a second run writes nothing', async () => {
  await setUp();
  const first = await synchronize();
  expect(first.result.outcome).toBe('succeeded');

  const catalog = await suite.fx.sim.admin.state.catalog();
  const itemFor = (xref: string) => catalog.find((c) => c.integrationXRef === xref)?.id;
  const browser = itemFor('dfx:browser-security')!;
  const dns = itemFor('dfx:secure-dns')!;
  expect(browser).toBe(1350);
  expect(dns).toBeDefined();
  // Agreement 300 also bills an M365 product (1353) the engine does not manage: untouched.
  expect(await openAdditions(300)).toEqual(
    [
      { product: 1353, quantity: 25 },
      { product: browser, quantity: 30 },
      { product: dns, quantity: 10 },
    ].sort((x, y) => x.product - y.product),
  );
  expect(await openAdditions(303)).toEqual([{ product: browser, quantity: 5 }]);

  // The run's row in the history, found by its workflow id, with counts.
  const runs = await request(suite.engine.app).get(cw('/sync-runs')).set(p1());
  const row = runs.body.runs.find(
    (r: { workflowId: string }) => r.workflowId === first.runWorkflowId,
  );
  expect(row).toMatchObject({ kind: 'billing', trigger: 'manual', outcome: 'succeeded' });
  expect(row.endedAt).not.toBeNull();

  // Found in Temporal by its search attributes, as in the Temporal UI.
  const query = `IntegrationId = "${suite.integrationId}" AND SyncKind = "billing" AND SyncTrigger = "manual"`;
  const listed: string[] = [];
  for await (const wf of suite.engine.client.workflow.list({ query })) listed.push(wf.workflowId);
  expect(listed).toContain(first.runWorkflowId);

  await suite.fx.sim.admin.journal.clear();
  const second = await synchronize();
  expect(second.result.outcome).toBe('succeeded');
  const writes = Object.entries(await suite.fx.sim.admin.journal.counts()).filter(
    ([k]) => !k.startsWith('GET '),
  );
  expect(writes).toEqual([]);
});

test('a press during a run queues one more; presses while it is queued join it', async () => {
  // Keep the first run busy for a while: its additions reads are slow.
  await suite.fx.sim.admin.faults.add({
    kind: 'latency',
    ms: 3000,
    method: 'GET',
    path: '/finance/agreements/{id}/additions',
    count: 2,
  });
  const press = async () => {
    const res = await request(suite.engine.app).post(cw('/synchronize')).set(p1());
    expect(res.status).toBe(202);
    return res.body as { runWorkflowId: string; joined: boolean };
  };
  const running = await press();
  // Wait until that run has started (the lifecycle shows it as the current run).
  for (let i = 0; i < 100; i++) {
    const status = await request(suite.engine.app).get(cw('/status')).set(p1());
    if (status.body.workflow?.currentRun?.runWorkflowId === running.runWorkflowId) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const queued = await press();
  const joined = await press();
  expect(queued.runWorkflowId).not.toBe(running.runWorkflowId);
  expect(queued.joined).toBe(false);
  expect(joined).toEqual({ ...queued, joined: true });
  // The lifecycle's status shows the running run's progress (once the run itself has started).
  let progress: unknown = null;
  for (let i = 0; i < 100 && !progress; i++) {
    progress = (await request(suite.engine.app).get(cw('/status')).set(p1())).body.runProgress;
    if (!progress) await new Promise((r) => setTimeout(r, 50));
  }
  expect(progress).toMatchObject({ runKey: running.runWorkflowId, trigger: 'manual' });
  await suite.engine.client.workflow.getHandle(running.runWorkflowId).result();
});
