import { existsSync } from 'node:fs';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { Config } from '../config';
import type { Keyring } from '../security';
import { temporalWorkerTracing, type WorkerTracing } from '../observability/temporal-tracing';
import { createDataConverter } from '../temporal/data-converter';
import { bundleWorkflows, tracedBundlePath } from './bundle';

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
  /**
   * Path of a prebundled workflow bundle (production); otherwise workflows are bundled at start.
   * With tracing on, its traced sibling (`*.tracing.js`, worker/prebundle.ts) is loaded instead.
   */
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
  // Tracing on (observability/tracing.ts): activity spans, and the workflow's through a sink.
  const tracing = temporalWorkerTracing();
  const common: Omit<WorkerOptions, 'taskQueue'> = {
    connection:
      connection ?? (await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS })),
    namespace: config.TEMPORAL_NAMESPACE,
    activities: createActivities(deps),
    dataConverter: createDataConverter(keyring),
    ...(tracing ? { interceptors: tracing.interceptors, sinks: tracing.sinks } : {}),
  };
  const sync = await Worker.create({
    ...common,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    maxConcurrentActivityTaskExecutions: config.SYNC_WORKER_MAX_ACTIVITIES,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    workflowBundle: await workflowBundleOf(workflowBundlePath, tracing),
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

/**
 * The prebundled code if it is there, else bundled now. The workflow interceptors are part of the
 * bundle (a worker cannot add them to a prebundled one), so tracing takes the traced bundle.
 */
async function workflowBundleOf(
  path: string | undefined,
  tracing: WorkerTracing | undefined,
): Promise<WorkerOptions['workflowBundle']> {
  const prebundled = path && (tracing ? tracedBundlePath(path) : path);
  if (prebundled && existsSync(prebundled)) return { codePath: prebundled };
  return await bundleWorkflows(tracing?.workflowModules);
}
