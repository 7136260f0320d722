import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  proxyLocalActivities,
  TimeoutFailure,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { REJECTED_KEYS } from '../domain/tickets/steps';
import { connectWiseKindOf, FailureType } from './failure-types';

/**
 * ConnectWise ticket work: a few quick retries for 5xx, 429 and network failures; past them the
 * workflow holds the step and tries again later (workflows/ticket.ts), so an outage of any length
 * loses nothing. A create can take minutes in ConnectWise (docs/connectwise.md §3).
 */
export const ticketStepsOn = (taskQueue: string | undefined) =>
  proxyActivities<Activities>({
    startToCloseTimeout: '6 minutes',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 4 },
    // The ticket task queue (its own activity slots); absent: the workflow's own queue.
    ...(taskQueue ? { taskQueue } : {}),
  });

/**
 * The steps every new event takes (find or create its ticket; record what the workflow decided),
 * as local activities: run by the worker that runs the workflow, inside its workflow task, with
 * the same retries, so a new event costs one workflow task and no activity task (issue 18 §3:
 * about a third of Temporal's work per event). Their slots are the worker's local-activity slots,
 * which billing never uses.
 */
export const ticketLocalSteps = proxyLocalActivities<Activities>({
  startToCloseTimeout: '6 minutes',
  retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 4 },
});

/**
 * What a step failed with: an activity's failure names its cause; a local activity's may arrive
 * as the failure itself (its application failure, or its timeout).
 */
function stepFailure(err: unknown): { cause: unknown } | undefined {
  if (err instanceof ActivityFailure) return { cause: err.cause };
  if (err instanceof ApplicationFailure || err instanceof TimeoutFailure) return { cause: err };
  return undefined;
}

const failureType = (err: unknown): string | undefined => {
  const cause = stepFailure(err)?.cause;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
};

/** Why a failed step cannot be done now, but can later: the step is held. */
export function heldBecause(err: unknown): string | undefined {
  const failed = stepFailure(err);
  if (!failed) return undefined;
  const cause = failed.cause;
  if (!(cause instanceof ApplicationFailure)) return 'ConnectWise did not answer in time';
  if (cause.type === FailureType.credentialsInvalid) return REJECTED_KEYS;
  if (cause.type === FailureType.databaseUnavailable)
    return "the engine's database did not answer; held until it does";
  if (cause.type === FailureType.credentialsMissing || cause.type === FailureType.secretUnavailable)
    return `${cause.message}; held until the private key is entered again`;
  const kind = connectWiseKindOf(cause.type ?? undefined);
  if (kind === 'permission')
    return `ConnectWise refused access (${cause.message}); held until the API member's role allows it`;
  if (kind === 'server' || kind === 'network' || kind === 'throttled')
    return `ConnectWise is unavailable (${cause.message}); held until it answers`;
  return undefined;
}

/** The engine's database did not answer the step. */
export const databaseDown = (err: unknown): boolean =>
  failureType(err) === FailureType.databaseUnavailable;

/** The integration was deleted: the event's workflow ends. */
export const integrationGone = (err: unknown): boolean =>
  failureType(err) === FailureType.integrationNotFound;

/** A step's failure in words, for a ticket recorded as failed. */
export function failureText(err: unknown): string {
  const cause = stepFailure(err)?.cause ?? err;
  const message = cause instanceof Error ? cause.message : String(cause);
  return `ConnectWise refused it: ${message}`;
}
