import request from 'supertest';
import { billingApi } from './billing-helpers';
import { useSetupStack } from './setup-helpers';

/**
 * The guards over the API and the real engine: a preview shows exactly what a run would write and
 * writes nothing; apply by planHash (409 with the new plan when it changed); approval mode holds
 * a run's plan until a partner approves or rejects it.
 */
const suite = useSetupStack('billing-plans', [
  { customerId: 'c-acme', name: 'Acme Corp' },
  { customerId: 'c-globex', name: 'Globex' },
]);
const { p1, put, cw, setUp, press, waitRun, openAdditions } = billingApi(suite);
const post = (path: string, body: object = {}) =>
  request(suite.engine.app).post(cw(path)).set(p1()).send(body);
const writes = async () =>
  Object.keys(await suite.fx.sim.admin.journal.counts()).filter((k) => !k.startsWith('GET '));

/** The run the lifecycle is running, once it waits for approval: its id. */
async function heldRun(): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const status = await request(suite.engine.app).get(cw('/status')).set(p1());
    if (status.body.runProgress?.phase === 'awaiting_approval')
      return String(status.body.runProgress.runKey);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no run waited for approval');
}

test('a preview writes nothing; apply by its planHash writes exactly it; a changed plan is 409 with the new one', async () => {
  // Approval mode, so the run saving the settings queues holds its plan (rejected here).
  await setUp({ apply: 'approve' });
  const configRun = await heldRun();
  expect((await post(`/billing/runs/${configRun}/decision`, { decision: 'reject' })).status).toBe(
    200,
  );
  await waitRun(configRun);
  await suite.fx.sim.admin.journal.clear();
  const preview = await post('/billing/preview');
  expect(preview.status).toBe(200);
  expect(await writes()).toEqual([]);
  const plan = preview.body;
  expect(plan.planHash).toMatch(/^[0-9a-f]{16}$/);
  // Acme's agreement 300 already bills browser security (addition 5001, 20 seats): adopted.
  expect(plan.totals).toMatchObject({
    agreements: 2,
    create: 2,
    adopt: 1,
    update: 0,
    held: 0,
    seatsBefore: 20,
    seatsAfter: 45,
  });
  const acme = plan.agreements.find((a: { agreementId: number }) => a.agreementId === 300);
  expect(acme.operations).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        action: 'adopt',
        sku: 'browser-security',
        additionId: 5001,
        from: { quantity: 20 },
        to: { quantity: 30 },
      }),
      // Its catalog item does not exist yet (the rejected run created nothing): created first.
      expect.objectContaining({
        action: 'create',
        sku: 'secure-dns',
        productId: null,
        to: { quantity: 10 },
        effectiveDate: `${plan.today}T00:00:00Z`,
      }),
    ]),
  );
  expect(plan.warnings).toContain('a ConnectWise catalog item would be created for secure-dns');

  // The usage changes after the preview: applying the old hash is refused with the new plan.
  expect(
    (
      await put('/v1/partners/p1/customers/c-globex/usage', {
        usage: [{ sku: 'browser-security', quantity: 6 }],
      })
    ).status,
  ).toBe(200);
  const stale = await post('/billing/apply', { planHash: plan.planHash });
  expect(stale.status).toBe(409);
  expect(stale.body.error.code).toBe('plan_changed');
  expect(stale.body.error.plan.planHash).not.toBe(plan.planHash);
  expect(await writes()).toEqual([]);

  // Applying the new plan needs no approval: the partner saw it.
  const applied = await post('/billing/apply', { planHash: stale.body.error.plan.planHash });
  expect(applied.status).toBe(202);
  const result = await waitRun(applied.body.runWorkflowId);
  expect(result).toMatchObject({ outcome: 'succeeded', counts: { create: 2, adopt: 1 } });
  expect((await openAdditions(303)).map((a) => a.quantity)).toEqual([6]);

  const after = await post('/billing/preview');
  expect(after.body).toMatchObject({ agreements: [], unchanged: 2 });
  expect((await post('/billing/apply', { planHash: 'nothex' })).status).toBe(400);
});

test('approval mode: a run holds its plan until approved; rejected, nothing is written', async () => {
  const setAcme = (quantity: number) =>
    put('/v1/partners/p1/customers/c-acme/usage', {
      usage: [
        { sku: 'browser-security', quantity },
        { sku: 'secure-dns', quantity: 10 },
      ],
    });
  expect((await setAcme(40)).status).toBe(200);
  await suite.fx.sim.admin.journal.clear();
  const rejected = await press();
  expect(await heldRun()).toBe(rejected);
  const held = await request(suite.engine.app)
    .get(cw(`/billing/runs/${rejected}/plan`))
    .set(p1());
  expect(held.status).toBe(200);
  // (The simulator starts each test from its seed: agreement 300's addition 5001 bills 20.)
  const acme = held.body.agreements.find((a: { agreementId: number }) => a.agreementId === 300);
  expect(acme.operations).toContainEqual(
    expect.objectContaining({ action: 'update', additionId: 5001, to: { quantity: 40 } }),
  );
  const heldCount = held.body.agreements.length;
  expect((await post(`/billing/runs/${rejected}/decision`, { decision: 'reject' })).status).toBe(
    200,
  );
  expect((await post(`/billing/runs/${rejected}/decision`, { decision: 'approve' })).status).toBe(
    409,
  );
  const rejectedResult = await waitRun(rejected);
  expect(rejectedResult.outcome).toBe('partial');
  expect(rejectedResult.summary).toContain('not written: rejected by');
  expect(await writes()).toEqual([]);

  const approved = await press();
  expect(await heldRun()).toBe(approved);
  const answer = await post(`/billing/runs/${approved}/decision`, { decision: 'approve' });
  expect(answer.body).toEqual({ runKey: approved, decision: 'approve', agreements: heldCount });
  expect(await waitRun(approved)).toMatchObject({ outcome: 'succeeded' });
  expect(await openAdditions(300)).toContainEqual({ product: 1350, quantity: 40 });
  // The catalog item approval mode stood in for was created once approved, and billed.
  const dns = (await suite.fx.sim.admin.state.catalog()).find(
    (c) => c.integrationXRef === 'dfx:secure-dns',
  );
  expect(await openAdditions(300)).toContainEqual({ product: dns!.id, quantity: 10 });
  expect(
    (await post('/billing/runs/billing-run:other:x.1/decision', { decision: 'approve' })).status,
  ).toBe(404);
});
