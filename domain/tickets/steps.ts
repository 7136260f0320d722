import type { TicketRef, TicketState, SecurityEvent } from './event';
import type { OccurrenceBatch } from './text';

/**
 * Why a step is held once ConnectWise rejected the keys: the same words whichever noticed first,
 * the step reading the integration's state or a 401 in the step (workflows/ticket-steps.ts).
 */
export const REJECTED_KEYS =
  'ConnectWise rejected the API keys; held until the integration is validated again';

/** The ticket policy's times, as each step last read them from the settings. */
export interface TicketTimes {
  noteWindowMinutes: number;
  reopenWindowHours: number;
  maxEventAgeHours: number;
}

/**
 * What a ticket step (an activity) answers: done; held (it cannot be done now: the integration
 * is paused, its keys rejected, its ticket settings invalid, a create's answer lost), with why and
 * when to try again if the step knows (else the workflow's backoff); or the end of the event's
 * ticket (skipped, failed, closed in ConnectWise), already recorded by the step.
 */
export type StepResult<T> =
  | { done: T; times: TicketTimes }
  | { held: string; times?: TicketTimes; retryInMs?: number }
  | { end: TicketState; reason: string; counted?: true };

/** What every step gets: whose event, which of its tickets, and the event as first reported. */
export interface StepInput {
  ref: TicketRef;
  event: SecurityEvent;
  /** Occurrences so far, for the record. */
  occurrences: number;
}

export interface OpenInput extends StepInput {
  /** ISO time of the latest occurrence. */
  lastSeen: string;
  /**
   * The workflow run (its chain's first run id, and the chain's ticket count after the first)
   * that begins the key's current ticket here: the step decides the generation first
   * (services/tickets/begin.ts) and works on that one.
   */
  beganBy: string;
  /**
   * The event is resolved before the workflow knew a ticket: find one that may exist (recorded by
   * an earlier run, or made by a create whose answer was lost) so it is closed; make none.
   */
  adoptOnly?: boolean;
}

/** What the open step answers when done; `counted` ends a run whose occurrences were all old. */
export interface Opened {
  ticketId: number;
  generation: number;
}

export interface NoteInput extends StepInput {
  ticketId: number;
  /** The note's sequence number in this ticket (its marker). */
  seq: number;
  batch: OccurrenceBatch;
}
export interface CloseInput extends StepInput {
  ticketId: number;
  seq: number;
  resolution?: string;
  /** ISO time the resolve was received: reports of earlier occurrences are only counted. */
  resolvedAt: string;
}
export interface ReopenInput extends StepInput {
  ticketId: number;
  seq: number;
  /** ISO time of the occurrence that reopens it. */
  at: string;
}
