import { webhookTaskQueueOf } from '../../services/webhooks/delivery-client';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities, type Activities } from '../../activities';
import type { Keyring } from '../../security';
import { createDataConverter } from '../../temporal/data-converter';
import { WORKFLOWS_PATH } from '../../worker/worker';
import { simulatorActivityDeps } from './activity-deps';
import { openTestDatabase, type TestDatabase } from './db';
import { testKeyring } from './keys';
import { startTestSimulator, type SimulatorFixture } from './simulator';
import { createTimeSkippingEnv, registerSearchAttributes } from './temporal';

export interface TimeSkippingEngine {
  env: TestWorkflowEnvironment;
  db: TestDatabase;
  fx: SimulatorFixture;
  keyring: Keyring;
  /** A client with the engine's data converter (payloads encrypted as in production). */
  client: Client;
  taskQueue: string;
  stop(): Promise<void>;
}

/**
 * The engine's workflows and real activities on the time-skipping test server, over a fresh
 * database and a simulator: days of schedule pass in moments, every call is real.
 */
export async function startTimeSkippingEngine(
  label: string,
  /** Wraps the real activities, e.g. to change the world between two steps of a run. */
  around: (activities: Activities) => Activities = (a) => a,
  /** A database of the test's own (one it stops and starts); default: a fresh one on the suite's. */
  database?: TestDatabase,
): Promise<TimeSkippingEngine> {
  const env = await createTimeSkippingEnv();
  // Billing runs (child workflows) and ticket workflows carry the engine's search attributes.
  await registerSearchAttributes(env);
  const db = database ?? (await openTestDatabase(label));
  const fx = await startTestSimulator();
  const keyring = testKeyring();
  const dataConverter = createDataConverter(keyring);
  const client = new (env.client.constructor as typeof Client)({
    connection: env.connection,
    namespace: env.namespace,
    dataConverter,
  });
  const taskQueue = `${label}-test`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities: around(createActivities(simulatorActivityDeps(db.repos, keyring))),
    dataConverter,
  });
  // The webhook delivery step's own queue (services/webhooks/delivery-client.ts).
  const deliveries = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: webhookTaskQueueOf({ TEMPORAL_TASK_QUEUE: taskQueue }),
    activities: around(createActivities(simulatorActivityDeps(db.repos, keyring))),
    dataConverter,
  });
  const running = Promise.all([worker.run(), deliveries.run()]);
  return {
    env,
    db,
    fx,
    keyring,
    client,
    taskQueue,
    async stop() {
      worker.shutdown();
      deliveries.shutdown();
      await running;
      await db.close();
      await fx.sim.close();
      await env.teardown();
    },
  };
}
