import { ApplicationFailure } from '@temporalio/activity';
import { isConnectWiseError, type ConnectWiseError } from '../connectwise';
import { FailureType } from '../workflows/failure-types';

export { FailureType };

const RETRYABLE = new Set<ConnectWiseError['kind']>(['server', 'network', 'throttled']);

/**
 * The one place ConnectWise errors become Temporal failures: 5xx, network and 429 retry (429 after
 * its Retry-After); everything else (401, 403, 400, 404, wrong host) would fail the same way again.
 * The error's own message and fields carry no secrets (connectwise/errors.ts).
 */
export function toActivityFailure(err: unknown): Error {
  if (!isConnectWiseError(err)) return err instanceof Error ? err : new Error(String(err));
  const details = [{ status: err.status, code: err.code, errors: err.errors, path: err.path }];
  return ApplicationFailure.create({
    message: err.message,
    type: FailureType.connectWise(err.kind),
    nonRetryable: !RETRYABLE.has(err.kind),
    details,
    ...(err.kind === 'throttled' && err.retryAfterMs !== undefined
      ? { nextRetryDelay: err.retryAfterMs }
      : {}),
  });
}
