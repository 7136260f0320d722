import type { Client } from '@temporalio/client';
import { sealPrivateKey } from '../../services/integration-client';
import { billingRunWorkflow } from '../../workflows';
import { billingProgressQuery } from '../../workflows/messages';
import type { TestDatabase } from '../support/db';
import type { SimulatorFixture } from '../support/simulator';
import { startTimeSkippingEngine, type TimeSkippingEngine } from '../support/time-skipping-engine';

/**
 * Approval mode on the time-skipping server, with the real activities, FerretDB and the
 * simulator: a run plans, waits for a decision, and after its expiry writes nothing.
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

test('a held plan expires after approvalExpiryHours: nothing is written, the run says why', async () => {
  const asOf = new Date();
  await db.repos.vendor.replaceUsage('p-approval', 'c-umbrella', {
    asOf,
    lines: [{ sku: 'browser-security', quantity: 12, asOf }],
  });
  const runKey = `billing-run:${integrationId}:approval.1`;
  const handle = await client.workflow.start(billingRunWorkflow, {
    taskQueue,
    workflowId: runKey,
    args: [{ partnerId: 'p-approval', integrationId, runKey, trigger: 'manual' }],
  });
  const result = await handle.result();
  expect(result.outcome).toBe('partial');
  expect(result.summary).toContain('1 held agreements not written: not approved within 2 h');
  expect(result.agreements).toEqual({ total: 1, succeeded: 0, skipped: 1, failed: 0 });
  expect((await fx.sim.admin.state.additions(307)).filter((a) => !a.cancelledDate)).toEqual([]);
  expect(await handle.query(billingProgressQuery)).toMatchObject({ phase: 'done', held: 1 });
  const [row] = await db.repos.syncRuns.list('p-approval', integrationId, 5);
  expect(row).toMatchObject({ outcome: 'partial', runKey });
});
