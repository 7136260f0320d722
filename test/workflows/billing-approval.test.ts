import type { Client } from '@temporalio/client';
import { sealPrivateKey } from '../../services/integration-client';
import { billingRunWorkflow } from '../../workflows';
import { billingProgressQuery } from '../../workflows/messages';
import type { TestDatabase } from '../support/db';
import type { SimulatorFixture } from '../support/simulator';
import { startTimeSkippingEngine, type TimeSkippingEngine } from '../support/time-skipping-engine';

/**
 * Approval mode on the time-skipping server, with the real activities, FerretDB and the
 * simulator: a run holds the agreement as a pending approval and ends; once approved, a run
 * writes exactly that plan.
 */
let engine: TimeSkippingEngine;
let db: TestDatabase;
let client: Client;
let fx: SimulatorFixture;
let taskQueue: string;

beforeAll(async () => {
  engine = await startTimeSkippingEngine('billing-approval');
  ({ db, client, fx, taskQueue } = engine);
  const keyring = engine.keyring;
  const { privateKey, ...creds } = fx.credentials;
  const { id } = await db.repos.integrations.create({
    ...creds,
    partnerId: 'p-approval',
    sealPrivateKey: (integrationId) => sealPrivateKey(keyring, integrationId, privateKey),
  });
  integrationId = id;
  await db.repos.integrations.update('p-approval', id, {
    billingSettings: {
      enabled: true,
      agreements: [{ customerId: 'c-umbrella', agreementId: 307 }],
      catalogDefaults: { categoryId: 2, subcategoryId: 1, typeId: 1 },
      apply: 'approve',
      approvalExpiryHours: 2,
    },
  });
  await db.repos.companyMappings.save('p-approval', id, [
    { customerId: 'c-umbrella', companyId: 256 },
  ]);
  await db.repos.vendor.upsertProducts('p-approval', [
    { sku: 'browser-security', name: 'Browser security', description: '', price: 4, cost: 2 },
  ]);
}, 120_000);

afterAll(() => engine?.stop());

let integrationId = '';

test('approval mode: the run holds the agreement as a pending approval and ends at once; approved, the next run writes it', async () => {
  const asOf = new Date();
  await db.repos.vendor.replaceUsage('p-approval', 'c-umbrella', {
    asOf,
    lines: [{ sku: 'browser-security', quantity: 12, asOf }],
  });
  const run = async (n: number) => {
    const runKey = `billing-run:${integrationId}:approval.${n}`;
    const handle = await client.workflow.start(billingRunWorkflow, {
      taskQueue,
      workflowId: runKey,
      args: [{ partnerId: 'p-approval', integrationId, runKey, trigger: 'manual' as const }],
    });
    return { runKey, handle, result: await handle.result() };
  };
  const open307 = async () =>
    (await fx.sim.admin.state.additions(307)).filter((a) => !a.cancelledDate);
  const before = await open307();

  const held = await run(1);
  expect(held.result.outcome).toBe('partial');
  expect(held.result.summary).toContain('1 agreements held for approval');
  expect(held.result.agreements).toEqual({
    total: 1,
    succeeded: 0,
    skipped: 0,
    failed: 0,
    held: 1,
  });
  expect(await open307()).toEqual(before);
  expect(await held.handle.query(billingProgressQuery)).toMatchObject({ phase: 'done' });
  const [row] = await db.repos.syncRuns.list('p-approval', integrationId, 5);
  expect(row).toMatchObject({ outcome: 'partial', runKey: held.runKey });
  const scope = { partnerId: 'p-approval', integrationId };
  const pending = await db.repos.billingApprovals.get(scope, 307);
  expect(pending).toMatchObject({ status: 'pending', runKey: held.runKey });
  expect(pending!.reasons).toContain('approval mode: every change waits for a person');

  // A second run with the same plan keeps the same approval (nothing to decide twice).
  await run(2);
  expect((await db.repos.billingApprovals.get(scope, 307))!.approvalId).toBe(pending!.approvalId);

  const decided = await db.repos.billingApprovals.decide(
    scope,
    307,
    { approvalId: pending!.approvalId, planHash: pending!.planHash, now: new Date() },
    { status: 'approved', by: 'test', decisions: [] },
  );
  expect(decided?.status).toBe('approved');
  const applied = await run(3);
  expect(applied.result.agreements).toMatchObject({ succeeded: 1, held: 0 });
  const after = await open307();
  expect(
    after.filter((a) => a.product?.id !== undefined && !before.some((b) => b.id === a.id)),
  ).toHaveLength(1);
  expect(after.find((a) => !before.some((b) => b.id === a.id))).toMatchObject({ quantity: 12 });
  expect((await db.repos.billingApprovals.get(scope, 307))!.status).toBe('applied');
});
