import { existsSync } from 'node:fs';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Config } from '../config';
import { createActivities, type ActivityDeps } from '../activities';
import type { Keyring } from '../security';
import { createDataConverter } from '../temporal/data-converter';

export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface CreateWorkerOptions {
  config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE'>;
  deps: ActivityDeps;
  keyring: Keyring;
  /** Path of a prebundled workflow bundle (production); otherwise workflows are bundled at start. */
  workflowBundlePath?: string;
  connection?: NativeConnection;
}

export async function createWorker({
  config,
  deps,
  keyring,
  workflowBundlePath,
  connection,
}: CreateWorkerOptions): Promise<Worker> {
  const options: WorkerOptions = {
    connection:
      connection ?? (await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS })),
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: createActivities(deps),
    dataConverter: createDataConverter(keyring),
    ...(workflowBundlePath && existsSync(workflowBundlePath)
      ? { workflowBundle: { codePath: workflowBundlePath } }
      : { workflowsPath: WORKFLOWS_PATH }),
  };
  return Worker.create(options);
}
