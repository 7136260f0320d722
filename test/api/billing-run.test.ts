import request from 'supertest';
import { billingApi } from './billing-helpers';
import { useSetupStack } from './setup-helpers';

/**
 * Billing over the API and the real engine: usage pushed → Synchronize → the simulator's
 * agreement additions say exactly what the usage says → a second run writes nothing.
 */
const suite = useSetupStack('billing-run', [
  { customerId: 'c-acme', name: 'Acme Corp' },
  { customerId: 'c-globex', name: 'Globex' },
]);

const { p1, cw, setUp, synchronize, openAdditions } = billingApi(suite);

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
