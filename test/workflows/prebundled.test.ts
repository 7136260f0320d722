import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createWorkers } from '../../worker/worker';
import { prebundleWorkflows } from '../../worker/prebundle';
import { createDataConverter } from '../../temporal/data-converter';
import { testConnectionWorkflow } from '../../workflows';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { testKeyring } from '../support/keys';
import { simulatorActivityDeps } from '../support/activity-deps';
import { startTestSimulator, type SimulatorFixture } from '../support/simulator';
import { createTimeSkippingEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;
let db: TestDatabase;
let fx: SimulatorFixture;
let dir: string;
beforeAll(async () => {
  [env, db, fx] = await Promise.all([
    createTimeSkippingEnv(),
    openTestDatabase('prebundled'),
    startTestSimulator(),
  ]);
  dir = mkdtempSync(join(tmpdir(), 'bundle-'));
}, 120_000);
afterAll(async () => {
  await Promise.all([env?.teardown(), db?.close(), fx?.sim.close()]);
  rmSync(dir, { recursive: true, force: true });
});

test('a worker started from the production bundle (as in the Docker image) runs workflows', async () => {
  const bundlePath = join(dir, 'workflow-bundle.js');
  expect(await prebundleWorkflows(bundlePath)).toBeGreaterThan(100_000);
  const keyring = testKeyring();
  const config = {
    TEMPORAL_ADDRESS: 'unused',
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    TEMPORAL_TASK_QUEUE: 'prebundled-sync',
    TEMPORAL_INTERACTIVE_TASK_QUEUE: 'prebundled',
    TEMPORAL_TICKET_TASK_QUEUE: 'prebundled-tickets',
    SYNC_WORKER_MAX_ACTIVITIES: 1,
    INTERACTIVE_WORKER_MAX_ACTIVITIES: 1,
    TICKET_WORKER_MAX_ACTIVITIES: 1,
    WORKER_MAX_CACHED_WORKFLOWS: 10,
  };
  const workers = await createWorkers({
    config,
    connection: env.nativeConnection,
    keyring,
    workflowBundlePath: bundlePath,
    deps: simulatorActivityDeps(db.repos, keyring),
  });
  const client = new Client({
    connection: env.connection,
    namespace: env.namespace,
    dataConverter: createDataConverter(keyring),
  });
  const run = workers.run();
  const report = await client.workflow.execute(testConnectionWorkflow, {
    taskQueue: 'prebundled-sync',
    workflowId: 'prebundled-test-connection',
    args: [{ typed: fx.credentials, answerWithinMs: 60_000, activityTaskQueue: 'prebundled' }],
  });
  workers.shutdown();
  await run;
  expect(report.ok).toBe(true);
}, 120_000);
