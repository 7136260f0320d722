/**
 * One-shot health probes; wait.ts turns them into "wait until ready". Each throws or returns
 * false when the thing is not ready yet.
 */
import { Connection } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import mongoose from 'mongoose';
import type { TemporalConnectionOptions } from '../temporal/connection-options';

/** A Temporal to probe: the dev server's address, or a secured one's connection options. */
export type TemporalTarget = string | TemporalConnectionOptions;

export async function pingMongo(uri: string): Promise<boolean> {
  const conn = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 1_000 });
  try {
    await conn.asPromise();
    const reply = await conn.db?.admin().ping();
    return reply?.ok === 1;
  } finally {
    await conn.close().catch(() => undefined);
  }
}

async function withTemporal<T>(
  target: TemporalTarget,
  use: (c: Connection) => Promise<T>,
): Promise<T> {
  const options = typeof target === 'string' ? { address: target } : target;
  const connection = await Connection.connect({ ...options, connectTimeout: 2_000 });
  try {
    return await use(connection);
  } finally {
    await connection.close();
  }
}

/** The frontend answers and the namespace exists (namespaces are created after the port opens). */
export function temporalNamespaceReady(
  address: TemporalTarget,
  namespace: string,
): Promise<boolean> {
  return withTemporal(address, async (c) => {
    const reply = await c.workflowService.describeNamespace({ namespace });
    return reply.namespaceInfo?.name === namespace;
  });
}

// Numeric values of temporal.api.enums.v1 TaskQueueKind.NORMAL and TaskQueueType.WORKFLOW /
// ACTIVITY; @temporalio/proto is not a direct dependency, so its enums are not imported.
const TASK_QUEUE_KIND_NORMAL = 1;
const TASK_QUEUE_TYPE_WORKFLOW = 1;
const TASK_QUEUE_TYPE_ACTIVITY = 2;

export type PollKind = 'workflow' | 'activity';
const TYPE_OF: Record<PollKind, number> = {
  workflow: TASK_QUEUE_TYPE_WORKFLOW,
  activity: TASK_QUEUE_TYPE_ACTIVITY,
};

/**
 * A worker polls the task queue for these kinds of task (both by default), and has done so since
 * `since` (so pollers of a previous run, still listed by a long-running server, do not count);
 * given `identity`, that worker (another polling the same queue does not count).
 */
export function workerPolling(
  address: TemporalTarget,
  namespace: string,
  taskQueue: string,
  since: Date,
  kinds: readonly PollKind[] = ['workflow', 'activity'],
  identity?: string,
): Promise<boolean> {
  return withTemporal(address, async (c) => {
    for (const kind of kinds) {
      const reply = await c.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: taskQueue, kind: TASK_QUEUE_KIND_NORMAL },
        taskQueueType: TYPE_OF[kind],
      });
      const fresh = (reply.pollers ?? []).some(
        (p) =>
          (optionalTsToMs(p.lastAccessTime) ?? 0) >= since.getTime() - 1_000 &&
          (identity === undefined || p.identity === identity),
      );
      if (!fresh) return false;
    }
    return true;
  });
}

/** The engine's task queues: workflows and activities on the first, activities on the others. */
export interface EngineQueues {
  taskQueue: string;
  interactiveTaskQueue: string;
  ticketTaskQueue: string;
}

/**
 * The engine's worker process polls each of its queues, as worker/worker.ts sets them up; given
 * `identity` (the SDK's default is `<pid>@<hostname>`), that process.
 */
export async function enginePolling(
  address: TemporalTarget,
  namespace: string,
  { taskQueue, interactiveTaskQueue, ticketTaskQueue }: EngineQueues,
  since: Date,
  identity?: string,
): Promise<boolean> {
  return (
    (await workerPolling(address, namespace, taskQueue, since, undefined, identity)) &&
    (await workerPolling(
      address,
      namespace,
      interactiveTaskQueue,
      since,
      ['activity'],
      identity,
    )) &&
    (await workerPolling(address, namespace, ticketTaskQueue, since, ['activity'], identity))
  );
}

export async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await res.body?.cancel();
  return res.ok;
}

/**
 * True when the API at `url` is ready and is the process started as `instance` (INSTANCE_ID): a
 * port picked free may be taken by another stack's API before ours binds it, and that one's
 * answer must not count as ours (ours then fails to bind, and exits).
 */
export async function apiReadyAs(url: string, instance: string): Promise<boolean> {
  const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
  if (!res.ok) {
    await res.body?.cancel();
    return false;
  }
  const body = (await res.json().catch(() => undefined)) as { instance?: unknown } | undefined;
  if (body?.instance !== instance)
    throw new Error(`another process answers at ${url} (instance ${String(body?.instance)})`);
  return true;
}
