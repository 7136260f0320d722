import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { createActivities } from '../../activities';
import { sealPrivateKey } from '../../services/integration-client';
import { createDataConverter } from '../../temporal/data-converter';
import { WORKFLOWS_PATH } from '../../worker/worker';
import { billingRunWorkflow } from '../../workflows';
import { billingProgressQuery } from '../../workflows/messages';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { testKeyring } from '../support/keys';
import { simulatorActivityDeps } from '../support/activity-deps';
import { startTestSimulator, type SimulatorFixture } from '../support/simulator';
import { createTimeSkippingEnv } from '../support/temporal';

/**
 * Approval mode on the time-skipping server, with the real activities, FerretDB and the
 * simulator: a run plans, waits for a decision, and after its expiry writes nothing.
 */
const taskQueue = 'billing-approval-test';
let env: TestWorkflowEnvironment;
let db: TestDatabase;
let worker: Worker;
let workerRun: Promise<void>;
let client: Client;
let fx: SimulatorFixture;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  db = await openTestDatabase('billing-approval');
  fx = await startTestSimulator();
  const keyring = testKeyring();
  const dataConverter = createDataConverter(keyring);
  client = new (env.client.constructor as typeof Client)({
    connection: env.connection,
    namespace: env.namespace,
    dataConverter,
  });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities: createActivities(simulatorActivityDeps(db.repos, keyring)),
    dataConverter,
  });
  workerRun = worker.run();

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

afterAll(async () => {
  worker?.shutdown();
  await workerRun;
  await db?.close();
  await fx?.sim.close();
  await env?.teardown();
});

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
