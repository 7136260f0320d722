import type { TicketState } from './event';

/** An event's ticket as ConnectWise last showed it (read back after a callback or a poll). */
export interface TicketInConnectWise {
  status: { id: number; name: string | null } | null;
  priority: { id: number; name: string | null } | null;
  owner: { identifier: string; name: string | null } | null;
  closed: boolean;
  /** The member who closed it, and when (ISO), while it is closed. */
  closedBy: string | null;
  closedAt: string | null;
  /** `_info.lastUpdated` (ISO): what orders two reads of the same ticket. */
  updatedAt: string | null;
  updatedBy: string | null;
}

/** What a fresh read of the ticket means for its event. */
export type TicketChange =
  | { kind: 'none' }
  /** Status, priority or owner changed; the event's state stays. */
  | { kind: 'changed'; fields: ('status' | 'priority' | 'owner')[] }
  /** Closed in ConnectWise by someone other than the engine. */
  | { kind: 'closed'; by: string | null; at: string | null }
  | { kind: 'reopened'; by: string | null; at: string | null }
  | { kind: 'deleted' };

/** States in which the event's ticket is open in ConnectWise as far as the engine knows. */
const OPEN_STATES = new Set<TicketState>(['open', 'pending', 'failed']);

const sameRef = (a: { id?: number; identifier?: string } | null, b: typeof a) =>
  (a?.id ?? a?.identifier ?? null) === (b?.id ?? b?.identifier ?? null);

/**
 * Compares a fresh read with what the event's row knew. A read older than the one the row holds
 * changes nothing (callbacks come late, twice or out of order: only the latest state counts);
 * ConnectWise stamps to the second, so a read of the same second is compared field by field. A ticket gone is deleted; closed while the event's ticket was open, closed; open again
 * after it was closed in ConnectWise, reopened; otherwise the fields that differ.
 */
export function ticketChangeOf(
  known: { state: TicketState; connectWise: TicketInConnectWise | null },
  now: TicketInConnectWise | null,
): TicketChange {
  if (now === null)
    return known.state === 'deleted_in_connectwise' ? { kind: 'none' } : { kind: 'deleted' };
  const before = known.connectWise;
  if (
    before?.updatedAt &&
    now.updatedAt &&
    Date.parse(now.updatedAt) < Date.parse(before.updatedAt)
  ) {
    return { kind: 'none' };
  }
  if (now.closed && OPEN_STATES.has(known.state))
    return { kind: 'closed', by: now.closedBy, at: now.closedAt ?? now.updatedAt };
  if (!now.closed && known.state === 'closed_in_connectwise')
    return { kind: 'reopened', by: now.updatedBy, at: now.updatedAt };
  const fields = (['status', 'priority', 'owner'] as const).filter(
    (f) => before === null || !sameRef(before[f], now[f]),
  );
  return fields.length > 0 ? { kind: 'changed', fields: [...fields] } : { kind: 'none' };
}

/** What an event's workflow is told when its ticket changed in ConnectWise. */
export interface EventTicketChange {
  key: string;
  ticketId: number;
  change: Exclude<TicketChange, { kind: 'none' } | { kind: 'changed' }>;
}

/** What one pass of the ticket watch did (services/tickets/watch.ts). */
export interface WatchResult {
  /** Ticket integration is on (off: the watch removes its callback and ends). */
  enabled: boolean;
  pollMinutes: number;
  /** Tickets read, and events whose row changed. */
  read: number;
  changed: number;
  /** For the events' workflows: closed, reopened or deleted in ConnectWise. */
  signals: EventTicketChange[];
}
