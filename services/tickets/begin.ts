import type { SecurityEvent } from '../../domain/tickets/event';
import type { TicketRepos } from './context';

/** A ticket this run's predecessor finished: the next one is a new ticket (a new externalXRef). */
const FINISHED = new Set(['resolved', 'closed_in_connectwise']);

/**
 * The first step of an event's workflow run: which of the key's tickets it works on. A key whose
 * last ticket was resolved (and whose reopen window passed, since its workflow ended) gets the
 * next generation; otherwise the same one (a ticket that exists is then found by its
 * externalXRef and adopted). Idempotent: a retry by the same run answers the same.
 */
export async function beginTicketEvent(
  repos: Pick<TicketRepos, 'ticketEvents'>,
  input: { partnerId: string; integrationId: string; event: SecurityEvent; runId: string },
): Promise<{ generation: number }> {
  const { event, runId } = input;
  const scope = { partnerId: input.partnerId, integrationId: input.integrationId };
  const row = await repos.ticketEvents.get(scope, event.key);
  if (row?.beganBy === runId) return { generation: row.generation };
  const next = row?.ticketId != null && FINISHED.has(row.state);
  const generation = (row?.generation ?? 0) + (next ? 1 : 0);
  await repos.ticketEvents.record(scope, event, {
    beganBy: runId,
    generation,
    state: 'pending',
    reason: null,
    ...(next || !row
      ? { ticketId: null, summary: null, notes: 0, resolvedAt: null, occurrences: 0 }
      : {}),
  });
  return { generation };
}
