import type { ConnectWiseClient, RequestOptions } from '../client';
import { cond, type Condition } from '../conditions';
import { assertEngineKey, idSegment } from '../ids';
import { parseInput } from '../input';
import type { PatchOperation } from '../patch';
import {
  newServiceNoteSchema,
  newTicketSchema,
  serviceNoteSchema,
  ticketSchema,
  type NewServiceNote,
  type NewTicket,
  type ServiceNote,
  type Ticket,
} from '../schemas/service';

const PATH = '/service/tickets';

/** The engine only moves tickets between statuses (closing them); it never edits MSP text. */
export type TicketPatchField = 'status';

/** The idempotency lookup: run before every create (docs/connectwise.md §8.1). Takes engine keys only. */
export async function findTicketsByExternalXRef(
  client: ConnectWiseClient,
  externalXRef: string,
  options?: RequestOptions,
): Promise<Ticket[]> {
  return await client.listAll(
    PATH,
    ticketSchema,
    { conditions: cond.eq('externalXRef', assertEngineKey(externalXRef, 'externalXRef')) },
    options,
  );
}

export async function getTicket(
  client: ConnectWiseClient,
  ticketId: number,
  options?: RequestOptions,
): Promise<Ticket> {
  return await client.get(`${PATH}/${idSegment(ticketId)}`, ticketSchema, {}, options);
}

/** Can take minutes (the POST timeout is 5 min) and is not idempotent: look up before retrying. */
export async function createTicket(
  client: ConnectWiseClient,
  ticket: NewTicket,
  options?: RequestOptions,
): Promise<Ticket> {
  return await client.create(
    PATH,
    ticketSchema,
    parseInput(newTicketSchema, ticket, 'ticket'),
    options,
  );
}

export async function patchTicket(
  client: ConnectWiseClient,
  ticketId: number,
  operations: readonly PatchOperation<TicketPatchField>[],
  options?: RequestOptions,
): Promise<Ticket> {
  return await client.patch(`${PATH}/${idSegment(ticketId)}`, ticketSchema, operations, options);
}

export async function listTicketNotes(
  client: ConnectWiseClient,
  ticketId: number,
  filter: { conditions?: Condition } = {},
  options?: RequestOptions,
): Promise<ServiceNote[]> {
  return await client.listAll(
    `${PATH}/${idSegment(ticketId)}/notes`,
    serviceNoteSchema,
    { conditions: filter.conditions },
    options,
  );
}

export async function createTicketNote(
  client: ConnectWiseClient,
  ticketId: number,
  note: NewServiceNote,
  options?: RequestOptions,
): Promise<ServiceNote> {
  const body = parseInput(newServiceNoteSchema, note, 'ticket note');
  return await client.create(
    `${PATH}/${idSegment(ticketId)}/notes`,
    serviceNoteSchema,
    body,
    options,
  );
}
