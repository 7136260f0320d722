import { Context } from '@temporalio/activity';

/** Heartbeats this often when the activity sets no heartbeat timeout. */
const DEFAULT_EVERY_MS = 10_000;

/**
 * Runs a long activity step: heartbeats while it works (so a dead worker shows within the
 * heartbeat timeout, and a cancellation reaches this worker) and hands it Temporal's cancellation
 * signal, which every ConnectWise call it makes must carry. A cancelled activity ends as
 * cancelled, whatever the step made of its aborted request.
 */
export async function heartbeating<T>(step: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const signal = ctx.cancellationSignal;
  const every = Math.max(1_000, (ctx.info.heartbeatTimeoutMs || DEFAULT_EVERY_MS * 3) / 3);
  // A local activity has no heartbeat: the worker keeps its workflow task alive.
  const local = ctx.info.isLocal;
  if (!local) ctx.heartbeat();
  const timer = local ? undefined : setInterval(() => ctx.heartbeat(), every);
  try {
    const result = await step(signal);
    if (signal.aborted) throw signal.reason;
    return result;
  } catch (err) {
    throw signal.aborted ? signal.reason : err;
  } finally {
    clearInterval(timer);
  }
}
