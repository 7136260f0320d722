import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { connectWiseKindOf, FailureType } from './failure-types';

/** The integration was deleted: the lifecycle workflow has nothing left to do. */
export const GONE = 'gone' as const;

/** A run that failed, in words for the status and the sync history. */
export interface FailedRun {
  outcome: 'failed';
  summary: string;
}

const failed = (summary: string): FailedRun => ({ outcome: 'failed', summary });

export const UNREACHABLE = failed('ConnectWise could not be reached; the next run tries again');

const TRANSIENT_KINDS = new Set(['server', 'network', 'throttled']);

export const failureTypeOf = (err: unknown): string | undefined =>
  err instanceof ActivityFailure && err.cause instanceof ApplicationFailure
    ? (err.cause.type ?? undefined)
    : undefined;

const timedOut = (err: unknown): boolean =>
  err instanceof ActivityFailure && err.cause instanceof TimeoutFailure;

const BY_TYPE = new Map<string, FailedRun | typeof GONE>([
  [
    FailureType.credentialsInvalid,
    failed('ConnectWise rejected the API keys; the integration needs new credentials'),
  ],
  [FailureType.integrationNotFound, GONE],
  [
    FailureType.secretUnavailable,
    failed(
      "the stored private key cannot be decrypted with the engine's encryption keys; enter the private key again",
    ),
  ],
  [
    FailureType.credentialsMissing,
    failed('the integration has no stored private key; enter it again'),
  ],
]);

/**
 * What a failed step of a run means; GONE when the integration no longer exists. Cancellation is
 * not a failure: callers rethrow it first.
 */
export function runFailure(err: unknown): FailedRun | typeof GONE {
  const type = failureTypeOf(err);
  const known = type === undefined ? undefined : BY_TYPE.get(type);
  if (known !== undefined) return known;
  const kind = connectWiseKindOf(type);
  if (kind === 'permission') {
    return failed(
      "ConnectWise refused access: the API member's security role lacks a permission; run Test Connection to see which",
    );
  }
  if (timedOut(err) || (kind !== undefined && TRANSIENT_KINDS.has(kind))) return UNREACHABLE;
  if (kind !== undefined) {
    return failed(
      `ConnectWise answered in a way the engine cannot use (${kind}); the next run tries again`,
    );
  }
  return failed(
    'the engine failed on this run (an internal error, in the worker log); the next run tries again',
  );
}

/**
 * Whether a failed step means no further step of the run can succeed (keys, key, integration, or
 * the integration moved to another tenant since the run was prepared).
 */
export const endsRun = (err: unknown): boolean => {
  const type = failureTypeOf(err) ?? '';
  return BY_TYPE.has(type) || type === FailureType.tenantChanged;
};

/** The words of the activity's own failure (the cause under an ActivityFailure). */
export const causeMessageOf = (err: unknown): string =>
  err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
