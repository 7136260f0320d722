import {
  isGrpcServiceError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';

/** gRPC status codes that mean "Temporal is down or does not answer": DEADLINE_EXCEEDED, UNAVAILABLE. */
const DOWN = new Set([4, 14]);

/** How long one call to Temporal may take before the caller is told it is unavailable. */
export const TEMPORAL_CALL_DEADLINE_MS = 10_000;

/** Temporal is down, unreachable or does not answer; services answer it as `temporal_unavailable`. */
export class TemporalUnavailableError extends Error {
  constructor(override readonly cause: unknown) {
    super('the workflow service (Temporal) is unavailable');
    this.name = 'TemporalUnavailableError';
  }
}

/**
 * A Temporal that is down, unreachable or not answering: the client's error, at any depth. An
 * update the server did not complete within the call's deadline (the workflow's worker busy or
 * gone) is one too: the caller may try again.
 */
export function isTemporalUnavailable(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (e instanceof TemporalUnavailableError) return true;
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
    if (isGrpcServiceError(e) && DOWN.has(Number(e.code))) return true;
  }
  return false;
}

/** The one recognition of Temporal connection failures: everything else comes back unchanged. */
export const whenTemporalDown = (err: unknown): unknown =>
  isTemporalUnavailable(err) && !(err instanceof TemporalUnavailableError)
    ? new TemporalUnavailableError(err)
    : err;

/**
 * One call to Temporal, answered within TEMPORAL_CALL_DEADLINE_MS: a Temporal that is down
 * becomes a TemporalUnavailableError in seconds instead of a hanging request.
 */
export async function callTemporal<T>(client: Client, call: () => Promise<T>): Promise<T> {
  try {
    return await client.withDeadline(Date.now() + TEMPORAL_CALL_DEADLINE_MS, call);
  } catch (err) {
    throw whenTemporalDown(err);
  }
}
