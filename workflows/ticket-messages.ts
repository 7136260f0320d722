/** Signals and the query of an event's ticket workflow (workflows/ticket.ts), shared with the API. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { TicketState } from '../domain/tickets/event';

export interface EventOccurred {
  /** ISO time the event occurred (as the vendor said). */
  at: string;
  /**
   * The report's id in the intake outbox (services/tickets/intake.ts): a report handed over twice
   * (its process died between the signal and the outbox delete) counts once.
   */
  reportId?: string;
}

export interface EventResolved {
  /** ISO time the resolve was received. */
  at: string;
  resolution?: string;
}

export const eventOccurredSignal = defineSignal<[EventOccurred]>('eventOccurred');
export const eventResolvedSignal = defineSignal<[EventResolved]>('eventResolved');
/** The integration may be able to create tickets again (resumed, revalidated, settings saved). */
export const ticketWakeSignal = defineSignal('wake');

/** The event's ticket changed in ConnectWise (workflows/ticket-watch.ts read it back). */
export type TicketChanged = { ticketId: number } & (
  { kind: 'closed' | 'reopened'; by: string | null; at: string | null } | { kind: 'deleted' }
);
export const ticketChangedSignal = defineSignal<[TicketChanged]>('ticketChanged');

/** To an integration's ticket watch: a callback named these tickets. */
export interface TicketsChanged {
  ticketIds: number[];
  /** ConnectWise's MessageId: a delivery seen before is dropped. */
  messageId?: string;
}
export const ticketsChangedSignal = defineSignal<[TicketsChanged]>('ticketsChanged');
/** To an integration's ticket watch: ticket settings saved or validated; check the callback. */
export const watchSettingsSignal = defineSignal('watchSettings');

export interface TicketProgress {
  state: TicketState;
  reason?: string;
  generation: number;
  ticketId?: number;
  occurrences: number;
  /** Occurrences not yet written in a note. */
  pendingOccurrences: number;
  notes: number;
}
export const ticketProgressQuery = defineQuery<TicketProgress>('ticket');
