import type { TicketInConnectWise } from '../../domain/tickets/connectwise-state';
import type { SecurityEvent, TicketState } from '../../domain/tickets/event';
import type { Severity } from '../../domain/tickets/settings';
import type { TicketEventDoc } from '../models/ticket-event';
import { naturalId } from '../natural-id';
import { pageKeyOf } from '../page';
import type { TicketRowState } from '../webhook-events';

/**
 * A ticket event's row as db/repositories/ticket-events.ts reads and writes it: the record it
 * gives, the document mapping, and the rows and fields its writes start from.
 */

export type Scope = { partnerId: string; integrationId: string };

/** An event and its ticket as last recorded (db/models/ticket-event.ts). */
export interface TicketEventRecord {
  key: string;
  customerId: string;
  title: string;
  severity: Severity;
  category: string | null;
  url: string | null;
  state: TicketState;
  reason: string | null;
  generation: number;
  ticketId: number | null;
  summary: string | null;
  occurrences: number;
  firstSeen: Date;
  lastSeen: Date;
  notes: number;
  resolvedAt: Date | null;
  updatedAt: Date;
  /** The workflow run that began the current generation (services/tickets/begin.ts). */
  beganBy: string | null;
  /** A step may have asked ConnectWise for this generation's ticket (db/models/ticket-event.ts). */
  createTried: boolean;
  /** A create sent then whose answer was never seen (db/models/ticket-event.ts). */
  createSentAt: Date | null;
  /** The ticket as ConnectWise last showed it; null until read back. */
  connectWise: TicketInConnectWise | null;
}

/** What an event's workflow records (any subset, written in one update). */
export type TicketEventUpdate = Partial<
  Pick<
    TicketEventRecord,
    | 'state'
    | 'reason'
    | 'generation'
    | 'ticketId'
    | 'summary'
    | 'occurrences'
    | 'lastSeen'
    | 'notes'
    | 'resolvedAt'
  > & { beganBy: string; createTried: boolean; createSentAt: Date | null }
>;

export interface TicketEventFilter {
  state?: TicketState;
  customerId?: string;
}

export const idOf = (s: Scope, key: string) => naturalId(s.partnerId, s.integrationId, key);

export const toRecord = (d: TicketEventDoc): TicketEventRecord => ({
  key: d.key,
  customerId: d.customerId,
  title: d.title,
  severity: d.severity as Severity,
  category: d.category ?? null,
  url: d.url ?? null,
  state: d.state as TicketState,
  reason: d.reason ?? null,
  generation: d.generation ?? 0,
  ticketId: d.ticketId ?? null,
  summary: d.summary ?? null,
  occurrences: d.occurrences ?? 0,
  firstSeen: d.firstSeen,
  lastSeen: d.lastSeen,
  notes: d.notes ?? 0,
  resolvedAt: d.resolvedAt ?? null,
  updatedAt: d.updatedAt,
  beganBy: d.beganBy ?? null,
  createTried: d.createTried === true,
  createSentAt: d.createSentAt ?? null,
  connectWise: (d.connectWise as TicketInConnectWise | null | undefined) ?? null,
});

export const detailsOf = (scope: Scope, event: SecurityEvent) => ({
  partnerId: scope.partnerId,
  integrationId: scope.integrationId,
  key: event.key,
  customerId: event.customerId,
  title: event.title,
  severity: event.severity,
  category: event.category ?? null,
  url: event.url ?? null,
  firstSeen: new Date(event.occurredAt),
});

/** The row of a key seen for the first time: `pending` until its workflow records more. */
export function pendingRowOf(scope: Scope, event: SecurityEvent, now: Date) {
  const _id = idOf(scope, event.key);
  const lastSeen = new Date(event.occurredAt);
  return {
    _id,
    ...detailsOf(scope, event),
    state: 'pending',
    lastSeen,
    pageKey: pageKeyOf(lastSeen, _id),
    updatedAt: now,
  };
}

/**
 * What a write reads back of the row as it found it: enough to tell a ticket's transition. (The
 * whole row: FerretDB 1.x refuses a projection on findAndModify.)
 */
export type Before = Pick<TicketEventDoc, 'state' | 'ticketId' | 'generation' | 'customerId'>;

export const rowStateOf = (d: Before): TicketRowState => ({
  state: d.state as TicketState,
  ticketId: d.ticketId ?? null,
  generation: d.generation ?? 0,
});
