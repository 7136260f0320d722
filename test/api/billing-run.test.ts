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

const { p1, put, cw, setUp, synchronize, waitRun, openAdditions, firstPending, approveAdopting } =
  billingApi(suite);

test('go-live over hand-made additions: held as candidates, nothing doubled; adopted, the additions say what usage says; a second run writes nothing', async () => {
  await setUp();
  const before300 = await openAdditions(300);
  const first = await synchronize();
  // Agreement 300 (Acme) already bills the browser product by hand: held for the partner, not doubled.
  expect(first.result.outcome).toBe('partial');
  expect(first.result.summary).toContain('1 agreements held for approval');
  expect(await openAdditions(300)).toEqual(before300);

  const catalog = await suite.fx.sim.admin.state.catalog();
  const itemFor = (xref: string) => catalog.find((c) => c.integrationXRef === xref)?.id;
  const browser = itemFor('dfx:browser-security')!;
  const dns = itemFor('dfx:secure-dns')!;
  expect(browser).toBe(1350);
  expect(dns).toBeDefined();
  // Globex's agreement has nothing of the product: created at once, not blocked by Acme's hold.
  expect(await openAdditions(303)).toEqual([{ product: browser, quantity: 5 }]);

  const { approval, candidates, pending } = await firstPending();
  expect(pending).toBe(1);
  expect(approval).toMatchObject({ agreementId: 300, customerId: 'c-acme' });
  expect(candidates.map((c) => c.sku)).toEqual(['browser-security']);
  expect(candidates[0]!.reason).toMatch(/adopt, keep separate or cancel/);

  // Approving without answering each candidate names the field.
  const unanswered = await request(suite.engine.app)
    .post(cw('/billing/approvals/decide'))
    .set(p1())
    .send({
      decisions: [
        { approvalId: approval.approvalId, planHash: approval.planHash, decision: 'approve' },
      ],
    });
  expect(unanswered.status).toBe(400);
  expect(unanswered.body.error.fields[0].field).toBe('body.decisions.0.candidates');

  const decided = await approveAdopting(approval, candidates);
  expect(decided.status).toBe(200);
  expect(decided.body.decided[0]).toMatchObject({ status: 'approved', decidedBy: 'test p1' });
  const applied = await waitRun(decided.body.runWorkflowId);
  expect(applied.outcome).toBe('succeeded');
  // Agreement 300 also bills an M365 product (1353) the engine does not manage: untouched.
  expect(await openAdditions(300)).toEqual(
    [
      { product: 1353, quantity: 25 },
      { product: browser, quantity: 30 },
      { product: dns, quantity: 10 },
    ].sort((x, y) => x.product - y.product),
  );
  // Deciding the same approval again: it was decided already.
  const again = await request(suite.engine.app)
    .post(cw('/billing/approvals/decide'))
    .set(p1())
    .send({
      decisions: [
        { approvalId: approval.approvalId, planHash: approval.planHash, decision: 'reject' },
      ],
    });
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('superseded');

  // The run's row in the history, found by its workflow id, with counts.
  const runs = await request(suite.engine.app).get(cw('/sync-runs')).set(p1());
  const row = runs.body.runs.find(
    (r: { workflowId: string }) => r.workflowId === decided.body.runWorkflowId,
  );
  expect(row).toMatchObject({ kind: 'billing', outcome: 'succeeded' });
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

  // Acme moves to another company and its agreement 309: the additions follow, and the ones the
  // engine owned on 300 are released (zero-usage policy zero: quantity 0), none left billing.
  expect(
    (await put(cw('/company-mappings'), { mappings: [{ customerId: 'c-acme', companyId: 251 }] }))
      .status,
  ).toBe(200);
  const settings = (await request(suite.engine.app).get(cw('/billing-settings')).set(p1())).body;
  const moved = await put(cw('/billing-settings'), {
    ...settings,
    effectiveTimeZone: undefined,
    agreements: [
      { customerId: 'c-acme', agreementId: 309 },
      { customerId: 'c-globex', agreementId: 303 },
    ],
  });
  expect(moved.status).toBe(200);
  const afterMove = await synchronize();
  expect(afterMove.result.outcome).toBe('succeeded');
  expect(await openAdditions(309)).toEqual(
    [
      { product: browser, quantity: 30 },
      { product: dns, quantity: 10 },
    ].sort((x, y) => x.product - y.product),
  );
  expect(await openAdditions(300)).toEqual(
    [
      { product: 1353, quantity: 25 },
      { product: browser, quantity: 0 },
      { product: dns, quantity: 0 },
    ].sort((x, y) => x.product - y.product),
  );
  const releases = await request(suite.engine.app)
    .get(cw('/billing/changes?customerId=c-acme'))
    .set(p1());
  const released = (
    releases.body.changes as Array<{ action: string; agreementId: number; message: string }>
  ).filter((c) => c.action === 'release');
  expect(released.map((c) => c.agreementId)).toEqual([300, 300]);
  expect(released[0]!.message).toMatch(/c-acme/);
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
