import {
  getTicket,
  isConnectWiseError,
  listBoardStatuses,
  type ConnectWiseClient,
  type Ticket,
} from '../../connectwise';
import type { IntegrationRecord } from '../../db';
import type { TicketState } from '../../domain/tickets/event';
import type {
  CloseInput,
  NoteInput,
  ReopenInput,
  StepResult,
  StepInput,
} from '../../domain/tickets/steps';
import { noteMarker, occurrencesNote, reopenNote, resolutionNote } from '../../domain/tickets/text';
import { hasNote, isClosed, moveTicket, postNoteOnce, type NoteKind } from './connectwise-steps';
import { ticketContextOf, type TicketContext, type TicketRepos } from './context';
import type { WithClient } from './open';

type Deps = { repos: TicketRepos; withClient: WithClient };
type Update = Parameters<TicketRepos['ticketEvents']['record']>[2];

const recorder = (repos: TicketRepos, input: StepInput) => (update: Update) =>
  repos.ticketEvents.record(input.ref, input.event, { occurrences: input.occurrences, ...update });

/**
 * The ticket is gone from ConnectWise (deleted, merged): nothing left to follow. Recorded as the
 * watch records a ticket it no longer finds, deleted: a row left `closed_in_connectwise` was never
 * read again (the poll reads the open ones), so a delete whose callback was lost never showed.
 */
const gone = (ticketId: number) => ({
  end: 'deleted_in_connectwise' as TicketState,
  reason: `ticket ${ticketId} no longer exists in ConnectWise`,
});

/**
 * A step on the event's open ticket, once the integration can work: `whenOff` ends the event's
 * workflow when ticket integration was turned off since (the ticket is left as it is), a held
 * integration holds the step. A 404 for the ticket ends it too.
 */
async function onTicket<T>(
  deps: Deps,
  integration: IntegrationRecord,
  input: StepInput & { ticketId: number },
  whenOff: TicketState,
  step: (
    client: ConnectWiseClient,
    ctx: TicketContext,
    signal: AbortSignal,
  ) => Promise<StepResult<T>>,
): Promise<StepResult<T>> {
  const record = recorder(deps.repos, input);
  const ctx = ticketContextOf(integration);
  if ('off' in ctx) {
    const reason = `${ctx.off}: ticket ${input.ticketId} was left as it is`;
    await record({ reason });
    return { end: whenOff, reason };
  }
  if ('held' in ctx) {
    await record({ reason: ctx.held });
    return ctx;
  }
  const result = await deps.withClient(integration, async (client, signal) => {
    try {
      return await step(client, ctx, signal);
    } catch (err) {
      if (isConnectWiseError(err) && err.kind === 'not_found') return gone(input.ticketId);
      throw err;
    }
  });
  if ('end' in result) await record({ state: result.end, reason: result.reason });
  return result;
}

/** The step's note, posted once: its text ends with the note's marker (looked up first). */
function postStepNote(
  client: ConnectWiseClient,
  ctx: TicketContext,
  input: StepInput & { ticketId: number; seq: number },
  kind: NoteKind,
  text: (marker: string) => string,
  signal: AbortSignal,
): Promise<boolean> {
  const marker = noteMarker(input.ref, input.seq);
  return postNoteOnce(
    client,
    input.ticketId,
    { text: text(marker), marker, kind, processNotifications: ctx.policy.processNotifications },
    { signal },
  );
}

/** Coalesced repeats as one note (posted once: its marker is looked up first). */
export function noteEventTicket(
  deps: Deps,
  integration: IntegrationRecord,
  input: NoteInput,
): Promise<StepResult<boolean>> {
  return onTicket(deps, integration, input, 'open', async (client, ctx, signal) => {
    const posted = await postStepNote(
      client,
      ctx,
      input,
      'detailDescriptionFlag',
      (marker) => occurrencesNote(input.batch, marker),
      signal,
    );
    await recorder(
      deps.repos,
      input,
    )({
      notes: input.seq,
      lastSeen: new Date(input.batch.last),
      reason: null,
    });
    return { done: posted, times: ctx.times };
  });
}

/** The ticket's board's closed statuses (inactive ones too: a ticket may sit in one). */
async function closedStatusesOf(client: ConnectWiseClient, ticket: Ticket, signal: AbortSignal) {
  const boardId = ticket.board?.id;
  if (typeof boardId !== 'number') return new Set<number>();
  const statuses = await listBoardStatuses(client, boardId, { includeInactive: true }, { signal });
  return new Set(statuses.filter((s) => s.closedStatus === true).map((s) => s.id));
}

/**
 * Resolve: a ticket a technician already closed is recorded as `closed_in_connectwise` and left
 * alone; otherwise a resolution note, then the closing status, read back to check it holds.
 */
export function closeEventTicket(
  deps: Deps,
  integration: IntegrationRecord,
  input: CloseInput,
): Promise<StepResult<'resolved'>> {
  return onTicket<'resolved'>(deps, integration, input, 'open', async (client, ctx, signal) => {
    const ticket = await getTicket(client, input.ticketId, { signal });
    const closed = await closedStatusesOf(client, ticket, signal);
    const resolved = () =>
      recorder(
        deps.repos,
        input,
      )({
        state: 'resolved',
        reason: null,
        notes: input.seq,
        resolvedAt: new Date(input.resolvedAt),
      });
    if (isClosed(ticket, closed)) {
      // An earlier attempt's close may have gone through with its answer lost (a 5xx after the
      // write, a cut connection): its resolution note, posted just before the close, says the
      // close is ours, not a technician's (the chaos suite found these recorded as closed in
      // ConnectWise).
      if (await hasNote(client, input.ticketId, noteMarker(input.ref, input.seq), { signal })) {
        await resolved();
        return { done: 'resolved' as const, times: ctx.times };
      }
      return {
        end: 'closed_in_connectwise',
        reason: 'closed in ConnectWise before the event was resolved',
      };
    }
    const closing = ctx.policy.closingStatusId;
    if (!closed.has(closing)) {
      return {
        end: 'failed',
        reason: `the closing status ${closing} is not a closed status of the ticket's board ${ticket.board?.id ?? '?'} (moved, or the status changed): close it in ConnectWise`,
      };
    }
    await postStepNote(
      client,
      ctx,
      input,
      'resolutionFlag',
      (marker) => resolutionNote(input.resolution, marker),
      signal,
    );
    const after = await moveTicket(client, input.ticketId, closing, { signal });
    if (!isClosed(after, closed)) {
      return {
        end: 'failed',
        reason: `ConnectWise left ticket ${input.ticketId} in status ${after.status?.id ?? '?'} after it was closed`,
      };
    }
    await resolved();
    return { done: 'resolved' as const, times: ctx.times };
  });
}

/** An occurrence within the reopen window: a note, and back to the initial status. */
export function reopenEventTicket(
  deps: Deps,
  integration: IntegrationRecord,
  input: ReopenInput,
): Promise<StepResult<'reopened'>> {
  return onTicket<'reopened'>(deps, integration, input, 'resolved', async (client, ctx, signal) => {
    await postStepNote(
      client,
      ctx,
      input,
      'detailDescriptionFlag',
      (marker) => reopenNote(input.at, marker),
      signal,
    );
    await moveTicket(client, input.ticketId, ctx.policy.initialStatusId, { signal });
    await recorder(
      deps.repos,
      input,
    )({
      state: 'open',
      reason: null,
      notes: input.seq,
      resolvedAt: null,
      lastSeen: new Date(input.at),
    });
    return { done: 'reopened' as const, times: ctx.times };
  });
}
