import { ApplicationFailure } from '@temporalio/activity';
import { isConnectWiseError, type ConnectWiseError } from '../connectwise';
import { isDatabaseUnavailable } from '../db/unavailable';
import { SecretOpenError } from '../security';
import { IntegrationWithoutCredentialsError } from '../services/integration-client';
import { FailureType } from '../workflows/failure-types';

export { FailureType };

const RETRYABLE = new Set<ConnectWiseError['kind']>(['server', 'network', 'throttled']);

/** Stored-key problems: no retry can fix them, only a partner entering the key again. */
function storedKeyFailure(err: unknown): ApplicationFailure | undefined {
  if (err instanceof SecretOpenError) {
    return ApplicationFailure.nonRetryable(
      "the stored private key cannot be decrypted with the engine's encryption keys",
      FailureType.secretUnavailable,
    );
  }
  if (err instanceof IntegrationWithoutCredentialsError) {
    return ApplicationFailure.nonRetryable(err.message, FailureType.credentialsMissing);
  }
  return undefined;
}

/**
 * The one place errors of our own become Temporal failures. ConnectWise: 5xx, network and 429
 * retry (429 after its Retry-After); everything else (401, 403, 400, 404, wrong host) would fail
 * the same way again. A stored key that cannot be opened never retries; the database being
 * unavailable retries, and says so by its type. The error's own message
 * and fields carry no secrets (connectwise/errors.ts).
 */
export function toActivityFailure(err: unknown): Error {
  const stored = storedKeyFailure(err);
  if (stored) return stored;
  if (isDatabaseUnavailable(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return ApplicationFailure.retryable(
      `the database is unavailable (${message})`,
      FailureType.databaseUnavailable,
    );
  }
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

/**
 * An activity whose every error goes through toActivityFailure: errors outside the ConnectWise
 * calls (the database's, above all) reach the workflow as types it can tell apart, so a database
 * that does not answer holds a step rather than failing it.
 */
export const asTemporalFailures =
  <A extends unknown[], R>(step: (...args: A) => Promise<R>) =>
  async (...args: A): Promise<R> => {
    try {
      return await step(...args);
    } catch (err) {
      throw toActivityFailure(err);
    }
  };
