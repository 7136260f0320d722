import type { TicketEventRecord } from '../../db';
import type { SecurityEvent, TicketState } from '../../domain/tickets/event';
import type { TicketRepos } from './context';

/** A ticket this run's predecessor finished: the next one is a new ticket (a new externalXRef). */
const FINISHED = new Set<TicketState>([
  'resolved',
  'closed_in_connectwise',
  'deleted_in_connectwise',
]);

export interface BeginInput {
  partnerId: string;
  integrationId: string;
  event: SecurityEvent;
  /** The run (and the chain's ticket count) that begins the key's current ticket. */
  runId: string;
  /** ISO time of the latest occurrence this run knows of. */
  lastSeen: string;
  /** Occurrences this run knows of. */
  occurrences: number;
}

/** Which ticket the run works on and what the row knows of it, or the occurrences only counted. */
export type Begun =
  ({ generation: number } & KnownTicket) | { counted: TicketState; reason: string };

/** What the row knows of the generation's ticket. */
export interface KnownTicket {
  ticketId: number | null;
  /** A create was sent for it (its answer possibly lost): a resolve looks the ticket up first. */
  createTried: boolean;
  /** When a create was sent whose answer was never seen (db/models/ticket-event.ts). */
  createSentAt: Date | null;
}

const known = (row: TicketEventRecord) => ({
  generation: row.generation,
  ticketId: row.ticketId,
  createTried: row.createTried,
  createSentAt: row.createSentAt,
});

/**
 * The first thing an event's open step does: which of the key's tickets it works on. A key whose
 * last ticket was resolved (and whose reopen window passed, since its workflow ended) gets the
 * next generation, unless every occurrence the run knows happened before that resolve: those are
 * only counted (a vendor re-sending old reports opens nothing). Otherwise the same generation (a
 * ticket that exists is then found by its externalXRef and adopted). Idempotent: a retry by the
 * same run answers the same.
 */
export async function beginTicketEvent(
  repos: Pick<TicketRepos, 'ticketEvents'>,
  input: BeginInput,
): Promise<Begun> {
  const { event, runId } = input;
  const scope = { partnerId: input.partnerId, integrationId: input.integrationId };
  const row = await repos.ticketEvents.get(scope, event.key);
  if (row?.beganBy === runId) return known(row);
  const next = row?.ticketId != null && FINISHED.has(row.state);
  if (next && row.resolvedAt && Date.parse(input.lastSeen) < row.resolvedAt.getTime()) {
    await repos.ticketEvents.countOccurrences(scope, event.key, input.occurrences);
    return {
      counted: row.state,
      reason: `reported again with an occurrence from before its resolve (${row.resolvedAt.toISOString()}): counted`,
    };
  }
  const generation = (row?.generation ?? 0) + (next ? 1 : 0);
  const fresh = next || !row;
  await repos.ticketEvents.record(scope, event, {
    beganBy: runId,
    generation,
    state: 'pending',
    reason: null,
    ...(fresh
      ? {
          ticketId: null,
          summary: null,
          notes: 0,
          resolvedAt: null,
          occurrences: 0,
          createTried: false,
          createSentAt: null,
        }
      : {}),
  });
  return fresh
    ? { generation, ticketId: null, createTried: false, createSentAt: null }
    : known({ ...row, generation });
}
