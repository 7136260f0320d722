import {
  cond,
  createTicket,
  createTicketNote,
  findTicketsByExternalXRef,
  getTicket,
  isConnectWiseError,
  listTicketNotes,
  patchTicket,
  replace,
  type ConnectWiseClient,
  type NewTicket,
  type Ticket,
} from '../../connectwise';

type Options = { signal?: AbortSignal };

/** The ticket made under this externalXRef, if any: of several (made by someone else), the oldest. */
export async function findOurTicket(
  client: ConnectWiseClient,
  externalXRef: string,
  options: Options,
): Promise<Pick<Ticket, 'id' | 'summary'> | undefined> {
  const found = await findTicketsByExternalXRef(client, externalXRef, options);
  return found.length === 0 ? undefined : found.reduce((a, b) => (b.id < a.id ? b : a));
}

/** What the event's row knows of creates sent for this ticket (services/tickets/open.ts). */
export interface CreateGuard {
  /** Until when (epoch ms) a create sent earlier without an answer may still land; 0: none. */
  inDoubtUntil: number;
  /** Right before the POST: records that a create is sent, and when. */
  sending(): Promise<void>;
  /** ConnectWise answered the POST with an error: nothing of it is in doubt. */
  answered(): Promise<void>;
}

/**
 * The event's ticket, created exactly once: the externalXRef is looked up first (docs/connectwise.md §8.1),
 * so a retry after a POST whose answer was lost finds that ticket and adopts it. A POST whose
 * answer was never seen may still be committed by ConnectWise until its own timeout has passed:
 * until then no other is sent (`inDoubtMs`), the ticket is looked up again after it.
 */
export async function ensureTicket(
  client: ConnectWiseClient,
  ticket: NewTicket & { externalXRef: string },
  options: Options,
  guard: CreateGuard,
): Promise<{ ticket: Pick<Ticket, 'id' | 'summary'>; adopted: boolean } | { inDoubtMs: number }> {
  const found = await findOurTicket(client, ticket.externalXRef, options);
  if (found) return { ticket: found, adopted: true };
  const inDoubtMs = guard.inDoubtUntil - Date.now();
  if (inDoubtMs > 0) return { inDoubtMs };
  await guard.sending();
  try {
    return { ticket: await createTicket(client, ticket, options), adopted: false };
  } catch (err) {
    // Status 0: no answer (a timeout, a cut connection): the create stays in doubt.
    if (isConnectWiseError(err) && err.status !== 0) await guard.answered();
    throw err;
  }
}

export type NoteKind = 'detailDescriptionFlag' | 'internalAnalysisFlag' | 'resolutionFlag';

/** Is a note ending with this marker on the ticket (posted by an earlier attempt)? */
export async function hasNote(
  client: ConnectWiseClient,
  ticketId: number,
  marker: string,
  options: Options,
): Promise<boolean> {
  const existing = await listTicketNotes(
    client,
    ticketId,
    { conditions: cond.like('text', { contains: marker }) },
    options,
  );
  return existing.length > 0;
}

/**
 * A note posted once: its text ends with a marker unique to the note, looked up before the POST,
 * so a retried POST never posts it twice. True when it was posted now.
 */
export async function postNoteOnce(
  client: ConnectWiseClient,
  ticketId: number,
  note: { text: string; marker: string; kind: NoteKind; processNotifications: boolean },
  options: Options,
): Promise<boolean> {
  if (await hasNote(client, ticketId, note.marker, options)) return false;
  await createTicketNote(
    client,
    ticketId,
    { text: note.text, [note.kind]: true, processNotifications: note.processNotifications },
    options,
  );
  return true;
}

/** Is the ticket closed now: its closedFlag, or a status of its board marked closed. */
export const isClosed = (ticket: Ticket, closedStatusIds: ReadonlySet<number>): boolean =>
  ticket.closedFlag === true ||
  (typeof ticket.status?.id === 'number' && closedStatusIds.has(ticket.status.id));

/**
 * Moves the ticket to `statusId` and reads it back: ConnectWise may refuse the status (not on
 * the board any more) or a workflow rule may move it again. Answers the ticket as it is after.
 */
export async function moveTicket(
  client: ConnectWiseClient,
  ticketId: number,
  statusId: number,
  options: Options,
): Promise<Ticket> {
  await patchTicket(client, ticketId, [replace('status', { id: statusId })], options);
  return await getTicket(client, ticketId, options);
}
