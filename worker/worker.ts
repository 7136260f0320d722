import { existsSync } from 'node:fs';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { Config } from '../config';
import type { Keyring } from '../security';
import { temporalWorkerTracing, type WorkerTracing } from '../observability/temporal-tracing';
import {
  WEBHOOK_WORKER_MAX_ACTIVITIES,
  WebhookDeliveryClient,
  webhookTaskQueueOf,
} from '../services/webhooks/delivery-client';
import { WebhookDispatcher } from '../services/webhooks/dispatcher';
import { createDataConverter } from '../temporal/data-converter';
import {
  temporalConnectionOptions,
  type TemporalConnectionSettings,
} from '../temporal/connection-options';
import { bundleWorkflows, tracedBundlePath } from './bundle';

export { WORKFLOWS_PATH } from './bundle';

export type WorkerConfig = TemporalConnectionSettings &
  Pick<
    Config,
    | 'TEMPORAL_NAMESPACE'
    | 'TEMPORAL_TASK_QUEUE'
    | 'TEMPORAL_INTERACTIVE_TASK_QUEUE'
    | 'TEMPORAL_TICKET_TASK_QUEUE'
    | 'SYNC_WORKER_MAX_ACTIVITIES'
    | 'WORKER_MAX_CACHED_WORKFLOWS'
    | 'INTERACTIVE_WORKER_MAX_ACTIVITIES'
    | 'TICKET_WORKER_MAX_ACTIVITIES'
  > &
  Partial<Pick<Config, 'SHUTDOWN_GRACE_SECONDS'>>;

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
  /** How often the webhook dispatcher looks for new events (default 1 s; tests go faster). */
  webhookPollMs?: number;
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
  /** Hands new webhook events to their delivery workflows (services/webhooks/dispatcher.ts). */
  webhooks: WebhookDispatcher;
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
  webhookPollMs,
}: CreateWorkerOptions): Promise<EngineWorkers> {
  // Tracing on (observability/tracing.ts): activity spans, and the workflow's through a sink.
  const tracing = temporalWorkerTracing();
  const native = connection ?? (await NativeConnection.connect(temporalConnectionOptions(config)));
  const dataConverter = createDataConverter(keyring);
  const common: Omit<WorkerOptions, 'taskQueue'> = {
    connection: native,
    namespace: config.TEMPORAL_NAMESPACE,
    activities: createActivities(deps),
    dataConverter,
    // Asked to stop (SIGTERM), each worker takes no new task and lets the activities it runs
    // finish for this long; then they are cancelled (a heartbeating one sees it at once). Unset
    // (tests' engines): the SDK's 0, cancelled at once.
    ...(config.SHUTDOWN_GRACE_SECONDS !== undefined
      ? { shutdownGraceTime: config.SHUTDOWN_GRACE_SECONDS * 1000 }
      : {}),
    ...(tracing ? { interceptors: tracing.interceptors, sinks: tracing.sinks } : {}),
  };
  // A client over the workers' own connection (same address, namespace and converter).
  const client = new Client({
    connection: native,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter,
  });
  const webhooks = new WebhookDispatcher({
    repos: deps.repos,
    deliveries: new WebhookDeliveryClient(client, config),
    logger: deps.logger,
    ...(webhookPollMs ? { pollMs: webhookPollMs } : {}),
  });
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
  const deliveries = await Worker.create({
    ...common,
    taskQueue: webhookTaskQueueOf(config),
    maxConcurrentActivityTaskExecutions: WEBHOOK_WORKER_MAX_ACTIVITIES,
  });
  const all = [sync, interactive, tickets, deliveries];
  const shutdown = () => {
    void webhooks.stop();
    for (const worker of all) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
  };
  return {
    sync,
    interactive,
    tickets,
    webhooks,
    shutdown,
    run: async () => {
      webhooks.start();
      const runs = all.map((worker) => worker.run());
      try {
        await Promise.all(runs);
      } catch (err) {
        shutdown();
        await Promise.allSettled(runs);
        throw err;
      } finally {
        await webhooks.stop();
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
