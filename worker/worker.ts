import { existsSync } from 'node:fs';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { Config } from '../config';
import type { Keyring } from '../security';
import { createDataConverter } from '../temporal/data-converter';
import { bundleWorkflows } from './bundle';

export { WORKFLOWS_PATH } from './bundle';

export type WorkerConfig = Pick<
  Config,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_NAMESPACE'
  | 'TEMPORAL_TASK_QUEUE'
  | 'TEMPORAL_INTERACTIVE_TASK_QUEUE'
  | 'TEMPORAL_TICKET_TASK_QUEUE'
  | 'SYNC_WORKER_MAX_ACTIVITIES'
  | 'WORKER_MAX_CACHED_WORKFLOWS'
  | 'INTERACTIVE_WORKER_MAX_ACTIVITIES'
  | 'TICKET_WORKER_MAX_ACTIVITIES'
>;

export interface CreateWorkerOptions {
  config: WorkerConfig;
  deps: ActivityDeps;
  keyring: Keyring;
  /** Path of a prebundled workflow bundle (production); otherwise workflows are bundled at start. */
  workflowBundlePath?: string;
  connection?: NativeConnection;
}

/**
 * The process's three workers: one per task queue, each with its own activity slots, so scheduled
 * syncs can never take the slots of work a person waits for (Test Connection, billing preview),
 * and a billing run never takes a ticket's (nor the reverse). Only the sync worker runs workflows
 * (each workflow worker is a V8 isolate of its own, ~70 MB; workflow tasks are short): those a
 * person waits for, and the ticket workflows, start on its queue and send their activities to the
 * interactive or the ticket queue.
 */
export interface EngineWorkers {
  sync: Worker;
  interactive: Worker;
  tickets: Worker;
  /** Runs all until shutdown; if one fails, the others are shut down too. */
  run(): Promise<void>;
  shutdown(): void;
}

export async function createWorkers({
  config,
  deps,
  keyring,
  workflowBundlePath,
  connection,
}: CreateWorkerOptions): Promise<EngineWorkers> {
  const common: Omit<WorkerOptions, 'taskQueue'> = {
    connection:
      connection ?? (await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS })),
    namespace: config.TEMPORAL_NAMESPACE,
    activities: createActivities(deps),
    dataConverter: createDataConverter(keyring),
  };
  const sync = await Worker.create({
    ...common,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    maxConcurrentActivityTaskExecutions: config.SYNC_WORKER_MAX_ACTIVITIES,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    workflowBundle:
      workflowBundlePath && existsSync(workflowBundlePath)
        ? { codePath: workflowBundlePath }
        : await bundleWorkflows(),
  });
  const interactive = await Worker.create({
    ...common,
    taskQueue: config.TEMPORAL_INTERACTIVE_TASK_QUEUE,
    maxConcurrentActivityTaskExecutions: config.INTERACTIVE_WORKER_MAX_ACTIVITIES,
  });
  const tickets = await Worker.create({
    ...common,
    taskQueue: config.TEMPORAL_TICKET_TASK_QUEUE,
    maxConcurrentActivityTaskExecutions: config.TICKET_WORKER_MAX_ACTIVITIES,
  });
  const all = [sync, interactive, tickets];
  const shutdown = () => {
    for (const worker of all) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
  };
  return {
    sync,
    interactive,
    tickets,
    shutdown,
    run: async () => {
      const runs = all.map((worker) => worker.run());
      try {
        await Promise.all(runs);
      } catch (err) {
        shutdown();
        await Promise.allSettled(runs);
        throw err;
      }
    },
  };
}
