import { existsSync } from 'node:fs';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { Config } from '../config';
import { WORKER_ROLE_NAMES, type WorkerRole } from '../config/schema';
import type { Keyring } from '../security';
import { temporalWorkerTracing, type WorkerTracing } from '../observability/temporal-tracing';
import {
  WEBHOOK_WORKER_MAX_ACTIVITIES,
  WebhookDeliveryClient,
  webhookTaskQueueOf,
} from '../services/webhooks/delivery-client';
import { WebhookDispatcher } from '../services/webhooks/dispatcher';
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
> &
  Partial<Pick<Config, 'WORKER_ROLES'>>;

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
 * The process's workers, one per task queue its roles name (WORKER_ROLES; all by default), each
 * with its own activity slots, so scheduled syncs can never take the slots of work a person waits
 * for (Test Connection, billing preview), and a billing run never takes a ticket's (nor the
 * reverse). Two run workflows: the sync worker (lifecycles, billing runs, and the workflows a
 * person waits for, which send their activities to the interactive queue) and the ticket worker
 * (each event's workflow and each integration's ticket watch, with their steps), so the ticket
 * role can run in a process of its own, where a billing run's CPU never delays a ticket.
 */
export interface EngineWorkers {
  sync?: Worker;
  interactive?: Worker;
  tickets?: Worker;
  /** Hands new webhook events to their delivery workflows (services/webhooks/dispatcher.ts). */
  webhooks?: WebhookDispatcher;
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
  const native =
    connection ?? (await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS }));
  const dataConverter = createDataConverter(keyring);
  const common: Omit<WorkerOptions, 'taskQueue'> = {
    connection: native,
    namespace: config.TEMPORAL_NAMESPACE,
    activities: createActivities(deps),
    dataConverter,
    ...(tracing ? { interceptors: tracing.interceptors, sinks: tracing.sinks } : {}),
  };
  // A client over the workers' own connection (same address, namespace and converter).
  const client = new Client({
    connection: native,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter,
  });
  const roles = new Set<WorkerRole>(config.WORKER_ROLES ?? WORKER_ROLE_NAMES);
  const webhooks = roles.has('webhooks')
    ? new WebhookDispatcher({
        repos: deps.repos,
        deliveries: new WebhookDeliveryClient(client, config),
        logger: deps.logger,
        ...(webhookPollMs ? { pollMs: webhookPollMs } : {}),
      })
    : undefined;
  // Both workflow workers load the same bundle (each is an isolate of its own).
  const workflows = async () => ({
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    workflowBundle: await workflowBundleOf(workflowBundlePath, tracing),
  });
  const sync = roles.has('sync')
    ? await Worker.create({
        ...common,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        maxConcurrentActivityTaskExecutions: config.SYNC_WORKER_MAX_ACTIVITIES,
        ...(await workflows()),
      })
    : undefined;
  const interactive = roles.has('interactive')
    ? await Worker.create({
        ...common,
        taskQueue: config.TEMPORAL_INTERACTIVE_TASK_QUEUE,
        maxConcurrentActivityTaskExecutions: config.INTERACTIVE_WORKER_MAX_ACTIVITIES,
      })
    : undefined;
  const tickets = roles.has('tickets')
    ? await Worker.create({
        ...common,
        taskQueue: config.TEMPORAL_TICKET_TASK_QUEUE,
        maxConcurrentActivityTaskExecutions: config.TICKET_WORKER_MAX_ACTIVITIES,
        ...(await workflows()),
      })
    : undefined;
  const deliveries = roles.has('webhooks')
    ? await Worker.create({
        ...common,
        taskQueue: webhookTaskQueueOf(config),
        maxConcurrentActivityTaskExecutions: WEBHOOK_WORKER_MAX_ACTIVITIES,
      })
    : undefined;
  const all = [sync, interactive, tickets, deliveries].filter((w): w is Worker => w !== undefined);
  const shutdown = () => {
    void webhooks?.stop();
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
      webhooks?.start();
      const runs = all.map((worker) => worker.run());
      try {
        await Promise.all(runs);
      } catch (err) {
        shutdown();
        await Promise.allSettled(runs);
        throw err;
      } finally {
        await webhooks?.stop();
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
