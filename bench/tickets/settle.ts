/**
 * After the load: waits until every accepted event has settled in its row (the database the
 * API's `GET …/tickets` reads: no event `pending`, every resolved one past `open`), then gathers
 * what the checks need: the rows, the open events' workflows' own count of occurrences (their
 * `ticket` query: an open event's row is rewritten only at its next note, so its repeats since
 * the ticket was created are in the workflow, not yet in the row), and the simulator's tickets,
 * notes and journal.
 */
import pLimit from 'p-limit';
import { ticketEventModel } from '../../db/models/ticket-event';
import { ticketWorkflowId } from '../../services/tickets/ticket-client';
import type { SimNote, SimTicket } from '../../simulator/admin-client';
import { ticketProgressQuery, type TicketProgress } from '../../workflows/ticket-messages';
import type { TrackedEvent } from './load';
import { isSettled, type EventRow } from './report';
import type { TicketBench } from './setup';

export interface Outcome {
  rows: Map<string, EventRow>;
  /** Milliseconds from the load's last answer until every event settled; undefined: timed out. */
  settleMs: number | undefined;
  /** Open events' workflows: their progress, or why the query failed. */
  progress: Map<string, TicketProgress | { error: string }>;
  tickets: SimTicket[];
  notes: SimNote[];
  /** ConnectWise requests per `METHOD /template` since the load started. */
  calls: Record<string, number>;
}

async function readRows(bench: TicketBench): Promise<Map<string, EventRow>> {
  const docs = await ticketEventModel(bench.servers.conn)
    .find({ partnerId: bench.partnerId, integrationId: bench.integrationId })
    .lean()
    .exec();
  return new Map(
    docs.map((d) => [
      d.key,
      {
        state: d.state,
        reason: d.reason ?? null,
        ticketId: d.ticketId ?? null,
        occurrences: d.occurrences ?? 0,
        notes: d.notes ?? 0,
        updatedAt: d.updatedAt.getTime(),
      },
    ]),
  );
}

export async function settle(
  bench: TicketBench,
  events: readonly TrackedEvent[],
  loadEndedAt: number,
): Promise<Outcome> {
  const accepted = events.filter((e) => e.acceptedAt !== undefined);
  const deadline = Date.now() + bench.opts.settleSeconds * 1000;
  let rows = await readRows(bench);
  let waiting = accepted.filter((e) => !isSettled(e, rows.get(e.key))).length;
  let settleMs: number | undefined = waiting === 0 ? Date.now() - loadEndedAt : undefined;
  for (let round = 0; settleMs === undefined && Date.now() < deadline; round++) {
    if (round % 5 === 0) console.log(`  ${waiting} of ${accepted.length} events not settled yet`);
    await new Promise((r) => setTimeout(r, 2000));
    rows = await readRows(bench);
    waiting = accepted.filter((e) => !isSettled(e, rows.get(e.key))).length;
    if (waiting === 0) settleMs = Date.now() - loadEndedAt;
  }
  const { client, sim } = bench.servers;
  const progress = new Map<string, TicketProgress | { error: string }>();
  const limit = pLimit(8);
  await Promise.all(
    accepted
      .filter((e) => !e.resolved)
      .map((e) =>
        limit(async () => {
          const handle = client.workflow.getHandle(ticketWorkflowId(bench.integrationId, e.key));
          progress.set(
            e.key,
            await handle.query(ticketProgressQuery).catch((err: unknown) => ({
              error: err instanceof Error ? err.message : String(err),
            })),
          );
        }),
      ),
  );
  const [tickets, notes, calls] = await Promise.all([
    sim.admin.state.tickets(),
    sim.admin.state.notes(),
    sim.admin.journal.counts(),
  ]);
  return { rows, settleMs, progress, tickets, notes, calls };
}
