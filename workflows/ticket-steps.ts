import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { REJECTED_KEYS } from '../domain/tickets/steps';
import { localTicketSteps, stepsOf } from './activity-profiles';
import { connectWiseKindOf, FailureType } from './failure-types';

/** Ticket work in ConnectWise (workflows/activity-profiles.ts), on the ticket task queue if given. */
export const ticketStepsOn = (taskQueue: string | undefined) => stepsOf('ticket', taskQueue);

/** Finding or making an event's ticket, and recording what the workflow decided: local activities. */
export const ticketLocalSteps = localTicketSteps();

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
