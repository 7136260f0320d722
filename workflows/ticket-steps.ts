import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  sleep,
  TimeoutFailure,
  workflowInfo,
} from '@temporalio/workflow';
import type { TicketState } from '../domain/tickets/event';
import { REJECTED_KEYS, type StepResult } from '../domain/tickets/steps';
import { localTicketSteps, stepsOf } from './activity-profiles';
import { connectWiseKindOf, FailureType } from './failure-types';
import type { TicketEventState, TicketWorkflowInput } from './ticket-state';

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

const BACKOFF_MS = [15_000, 30_000, 60_000, 120_000, 300_000, 600_000];
const backoff = (attempt: number) => BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!;
/** Well under Temporal's 10,000-event warning, however long an event repeats or waits. */
const HISTORY_LIMIT = 2_000;

/** How a step ended the event's workflow: its final state (`counted`: only counted, see open). */
export type Ended = { end: TicketState; counted?: true };

/**
 * Runs the ticket's steps: each until it is done, held (with backoff, or until woken) while it
 * cannot be; records what the workflow decides; continues as new before the history grows long.
 */
export class TicketSteps {
  constructor(
    private readonly input: TicketWorkflowInput,
    private readonly t: TicketEventState,
  ) {}

  /** Records what the workflow itself decided, waiting out a database that does not answer. */
  async record(update: { state?: TicketState; reason?: string }): Promise<void> {
    const { t } = this;
    for (let attempt = 0; ; attempt++) {
      try {
        await ticketLocalSteps.recordTicketEvent({
          ref: t.ref(),
          event: t.event(),
          update: { ...update, occurrences: t.s.occurrences },
        });
        t.s.countedLate = 0;
        return;
      } catch (err) {
        if (heldBecause(err) === undefined) throw err;
        await sleep(backoff(attempt));
      }
    }
  }

  /** Records an end the workflow itself decided (expired, a refused step). */
  async ended(end: TicketState, reason: string): Promise<Ended> {
    // With the occurrences: an event expired before its ticket had its repeats in no row and no
    // note (bench:tickets found them missing).
    await this.record({ state: end, reason });
    return { end };
  }

  /**
   * Runs a step until it is done, holding it (backoff, or until woken) while it cannot be: the
   * integration paused, keys rejected, ConnectWise or the database down. `giveUp` ends the wait
   * (recorded).
   */
  async untilDone<T>(
    step: () => Promise<StepResult<T>>,
    giveUp: () => { end: TicketState; reason: string } | undefined = () => undefined,
  ): Promise<T | Ended> {
    const { t } = this;
    const { s } = t;
    for (let attempt = 0; ; attempt++) {
      t.woken = false;
      let retryInMs: number | undefined;
      try {
        const r = await step();
        if ('end' in r) return { end: r.end, ...(r.counted ? { counted: true as const } : {}) };
        if (r.times) s.times = r.times;
        if ('done' in r) {
          s.heldReason = undefined;
          return r.done;
        }
        s.heldReason = r.held; // the step recorded it
        retryInMs = r.retryInMs;
      } catch (err) {
        if (integrationGone(err)) return { end: t.state };
        const why = heldBecause(err);
        if (why === undefined) return await this.ended('failed', failureText(err));
        if (s.heldReason !== why) {
          s.heldReason = why;
          // The database down cannot record it; the row says `pending` meanwhile anyway.
          if (!databaseDown(err)) await this.record({ reason: why });
        }
      }
      // The step's own time (a create in doubt), else the backoff. Reports keep coming while a
      // step is held (an alert storm during an outage): the history is watched too, so a long
      // hold never outgrows it.
      const delay = retryInMs ?? backoff(attempt);
      await condition(() => t.woken || giveUp() !== undefined || this.tooLong(), delay);
      const stop = giveUp();
      if (stop) return await this.ended(stop.end, stop.reason);
      await this.maybeContinue();
    }
  }

  tooLong(): boolean {
    const info = workflowInfo();
    return (
      info.continueAsNewSuggested || info.historyLength > (this.input.historyLimit ?? HISTORY_LIMIT)
    );
  }

  /** Continues as new, carrying the state, once the history is long. */
  async maybeContinue(): Promise<void> {
    if (!this.tooLong()) return;
    await condition(allHandlersFinished);
    await continueAsNew<(input: TicketWorkflowInput) => Promise<TicketState>>({
      ...this.input,
      carried: this.t.s,
    });
  }
}
