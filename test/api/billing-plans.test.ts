import request from 'supertest';
import { billingApi } from './billing-helpers';
import { useSetupStack } from './setup-helpers';

/**
 * The guards over the API and the real engine: a preview shows exactly what a run would write and
 * writes nothing; apply by planHash (409 with the new plan when it changed); approval mode holds
 * each agreement's plan as a pending approval until a partner approves or rejects it, and a held
 * agreement blocks no other.
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

interface Approval {
  approvalId: string;
  planHash: string;
  agreementId: number;
  status: string;
  reasons: string[];
  decidedBy: string | null;
  operations: Array<{ action: string; sku: string; additionId: number | null; to: unknown }>;
}

const pendingApprovals = async (): Promise<Approval[]> => {
  const res = await request(suite.engine.app).get(cw('/billing/approvals')).set(p1());
  return (res.body as { items: Approval[] }).items;
};

/**
 * Waits until the lifecycle has taken in the billing settings saved since `since` (its status names
 * the change) and no run is going on or queued: the runs setUp's saves queue have come and gone.
 */
async function quiet(since: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const status = await request(suite.engine.app).get(cw('/status')).set(p1());
    const workflow = status.body.workflow as
      | {
          lifecycle: string;
          currentRun: unknown;
          pendingRequests: number;
          lastSettingsChange: { what: string; changedAt: string } | null;
        }
      | null
      | undefined;
    // setUp saves the billing settings last (the mappings before them queue a run of their own).
    const last = workflow?.lastSettingsChange;
    const seen = last?.what === 'billing_settings' && last.changedAt >= since;
    // `syncing` covers a run taken from the queue and not started yet (currentRun names a
    // billing run only once it starts): without it a queued run could start after this returns.
    const idle =
      workflow?.lifecycle !== 'syncing' && !workflow?.currentRun && workflow?.pendingRequests === 0;
    if (workflow && seen && idle) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the lifecycle never went quiet after the settings change');
}

test('a preview writes nothing; apply by its planHash writes exactly it, candidates still held; a changed plan is 409 with the new one', async () => {
  // Approval mode first, so the run the settings save queues writes nothing; then automatic.
  let since = new Date().toISOString();
  await setUp({ apply: 'approve' });
  await quiet(since);
  since = new Date().toISOString();
  await setUp();
  await quiet(since);
  const held300 = (await pendingApprovals()).find((a) => a.agreementId === 300);
  expect(held300?.reasons.join()).toMatch(/does not own/);
  await suite.fx.sim.admin.journal.clear();
  const preview = await post('/billing/preview');
  expect(preview.status).toBe(200);
  expect(await writes()).toEqual([]);
  const plan = preview.body;
  expect(plan.planHash).toMatch(/^[0-9a-f]{16}$/);
  // Acme's agreement 300 already bills browser security by hand (addition 5001, 20 seats): a
  // candidate for the partner, never adopted silently; Globex's 303 was written by the run.
  expect(plan.totals).toMatchObject({ candidate: 1, create: 1, adopt: 0, update: 0, held: 1 });
  const acme = plan.agreements.find((a: { agreementId: number }) => a.agreementId === 300);
  expect(acme.hold).toMatch(/does not own/);
  expect(acme.operations).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ action: 'candidate', sku: 'browser-security', additionId: 5001 }),
      expect.objectContaining({
        action: 'create',
        sku: 'secure-dns',
        to: { quantity: 10 },
        effectiveDate: `${plan.today}T00:00:00Z`,
      }),
    ]),
  );

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

  // Applying the new plan writes Globex's change; Acme's candidate is still the partner's.
  const applied = await post('/billing/apply', { planHash: stale.body.error.plan.planHash });
  expect(applied.status).toBe(202);
  const result = await waitRun(applied.body.runWorkflowId);
  expect(result).toMatchObject({ outcome: 'partial', counts: { update: 1 } });
  expect(result.agreements).toMatchObject({ held: 1, succeeded: 1 });
  expect((await openAdditions(303)).map((a) => a.quantity)).toEqual([6]);
  expect(await openAdditions(300)).toContainEqual({ product: 1350, quantity: 20 });
  expect((await post('/billing/apply', { planHash: 'nothex' })).status).toBe(400);
});

test('approval mode: each agreement is its own pending approval; rejected, it stays unwritten; approved with a candidate adopted, exactly that is written', async () => {
  // Billing off first: the first test left it automatic, and the run setUp's mapping save queues
  // would otherwise write Globex's agreement under that policy before approval mode is saved.
  const off = await put(cw('/billing-settings'), { enabled: false, releaseAdditions: false });
  expect(off.status).toBe(200);
  const since = new Date().toISOString();
  await setUp({ apply: 'approve' });
  await quiet(since);
  const setAcme = (quantity: number) =>
    put('/v1/partners/p1/customers/c-acme/usage', {
      usage: [
        { sku: 'browser-security', quantity },
        { sku: 'secure-dns', quantity: 10 },
      ],
    });
  expect((await setAcme(40)).status).toBe(200);
  await suite.fx.sim.admin.journal.clear();
  const first = await waitRun(await press());
  expect(first.outcome).toBe('partial');
  expect(first.agreements).toMatchObject({ held: 2 });
  // Nothing billed (a catalog item may be created: it bills nobody).
  expect((await writes()).filter((w) => w.includes('/finance/'))).toEqual([]);
  const approvals = await pendingApprovals();
  expect(approvals.map((a) => a.agreementId)).toEqual([300, 303]);
  const [acme, globex] = approvals as [Approval, Approval];
  expect(acme.reasons).toContain('approval mode: every change waits for a person');
  const candidate = acme.operations.find((o) => o.action === 'candidate')!;
  expect(candidate).toMatchObject({ sku: 'browser-security', additionId: 5001 });

  const decide = (decisions: object[]) => post('/billing/approvals/decide', { decisions });
  const rejected = await decide([
    { approvalId: globex.approvalId, planHash: globex.planHash, decision: 'reject' },
  ]);
  expect(rejected.status).toBe(200);
  expect(rejected.body).toMatchObject({ decided: [{ status: 'rejected' }], runWorkflowId: null });
  // The same request again (its answer lost, or a 503 after the decisions were saved): answered
  // the same, nothing decided anew.
  const retried = await decide([
    { approvalId: globex.approvalId, planHash: globex.planHash, decision: 'reject' },
  ]);
  expect(retried.status).toBe(200);
  expect(retried.body).toMatchObject({
    decided: [
      {
        approvalId: globex.approvalId,
        status: 'rejected',
        decidedAt: rejected.body.decided[0].decidedAt,
      },
    ],
    runWorkflowId: null,
  });
  // Decided already: the answer names the current state.
  const twice = await decide([
    { approvalId: globex.approvalId, planHash: globex.planHash, decision: 'approve' },
  ]);
  expect(twice.status).toBe(409);
  expect(twice.body.error.code).toBe('superseded');

  const approved = await decide([
    {
      approvalId: acme.approvalId,
      planHash: acme.planHash,
      decision: 'approve',
      candidates: [{ additionId: candidate.additionId, decision: 'adopt' }],
    },
  ]);
  expect(approved.status).toBe(200);
  const result = await waitRun(approved.body.runWorkflowId);
  // Globex's rejected plan is not written, and is not asked again while it stays the same.
  expect(result.agreements).toMatchObject({ succeeded: 1, skipped: 1, held: 0 });
  expect(result.outcome).toBe('partial');
  expect(await openAdditions(300)).toContainEqual({ product: 1350, quantity: 40 });
  const dns = (await suite.fx.sim.admin.state.catalog()).find(
    (c) => c.integrationXRef === 'dfx:secure-dns',
  );
  expect(await openAdditions(300)).toContainEqual({ product: dns!.id, quantity: 10 });
  expect(await openAdditions(303)).toEqual([]);
  expect(await pendingApprovals()).toEqual([]);
  const unknown = await decide([
    { approvalId: '999.0000000000000000', planHash: '0000000000000000', decision: 'approve' },
  ]);
  expect(unknown.status).toBe(400);
});
