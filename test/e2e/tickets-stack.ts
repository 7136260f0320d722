import type { JournalEntry, SimTicket } from '../../simulator';
import { pollUntil, startPartnerStack, type PartnerStack } from './partner-stack';
import { DEMO_TICKET_SETTINGS } from '../../simulator';

/**
 * Ticket integration over the real local stack, driven over HTTP as the vendor's portal would:
 * a partner with two customers mapped to the simulator's seeded companies, and ticket
 * integration on (board 2 Security, status New → Resolved, source 4). ConnectWise's tickets and
 * notes are read from the simulator; its requests from its journal.
 */
const PARTNER = 'e2e-tickets';

export const CUSTOMERS = [
  { customerId: 'e2e-acme', name: 'Acme Corporation', companyId: 250 },
  { customerId: 'e2e-globex', name: 'Globex', companyId: 254 },
] as const;

/** The demo seed's Security board settings. */
export const TICKET_SETTINGS = DEMO_TICKET_SETTINGS;

/** An event's first ticket's externalXRef, whichever integration made it (domain/tickets/text.ts). */
export const firstTicketXRef = (key: string): RegExp => new RegExp(`^dfx:[0-9a-f]{10}:${key}$`);

/** GET …/events/:key, the fields the tests read. */
export interface EventView {
  key: string;
  customerId: string;
  state: string;
  reason: string | null;
  ticketId: number | null;
  occurrences: number;
  notes: number;
  resolvedAt: string | null;
}

export interface Acceptance {
  key: string;
  accepted: boolean;
  firstReport?: boolean;
  error?: string;
}

export interface TicketsStack extends PartnerStack {
  /** POST …/events with `{events}`; what was accepted, per event. */
  post(events: object[]): Promise<Acceptance[]>;
  eventOf(key: string): Promise<EventView>;
  /** Polls the event until `done` holds (each step of its workflow is recorded as it goes). */
  waitForEvent(
    key: string,
    done: (e: EventView) => boolean,
    timeoutMs?: number,
  ): Promise<EventView>;
  /** The simulator's tickets of an event key's first ticket (by its externalXRef). */
  ticketsOf(key: string): Promise<SimTicket[]>;
}

/** A security event as DefensX reports it, `over` on top. */
export const securityEvent = (key: string, over: Record<string, unknown> = {}) => ({
  key,
  customerId: CUSTOMERS[0].customerId,
  title: 'Credential phishing page blocked',
  severity: 'high',
  description: `A user was stopped from entering a password on a phishing page (${key}).`,
  category: 'Phishing',
  occurredAt: new Date().toISOString(),
  ...over,
});

/** Ticket creates (POST /service/tickets) in the journal; status 0: cut off without an answer. */
export const ticketCreates = (entries: JournalEntry[]) =>
  entries.filter((e) => e.method === 'POST' && e.template === '/service/tickets');

/** The idempotency look-ups (a ticket by its externalXRef) that precede each create. */
export const xrefLookups = (entries: JournalEntry[]) =>
  entries.filter(
    (e) =>
      e.method === 'GET' &&
      e.template === '/service/tickets' &&
      (e.query.conditions ?? '').includes('externalXRef'),
  );

/** `settings`: ticket settings on top of TICKET_SETTINGS (the chaos suite polls every minute). */
export const startTicketsStack = (settings: Record<string, unknown> = {}) =>
  startPartnerStack(PARTNER, (p) => configure(p, settings));

async function configure(
  p: PartnerStack,
  settings: Record<string, unknown>,
): Promise<TicketsStack> {
  const { call, sim } = p;
  const cw = (path: string) => `/connectwise${path}`;
  await call('PUT', '/customers', {
    customers: CUSTOMERS.map(({ customerId, name }) => ({ customerId, name })),
  });
  await call('PUT', cw('/company-mappings'), {
    mappings: CUSTOMERS.map(({ customerId, companyId }) => ({ customerId, companyId })),
  });
  await call('PUT', cw('/ticket-settings'), { ...TICKET_SETTINGS, ...settings });

  const eventOf = async (key: string) => (await call('GET', cw(`/events/${key}`))) as EventView;
  return {
    ...p,
    post: async (events) => {
      const { events: answers } = await call('POST', cw('/events'), { events });
      return answers as Acceptance[];
    },
    eventOf,
    waitForEvent: (key, done, timeoutMs = 30_000) => {
      let last: EventView | undefined;
      return pollUntil(
        `event ${key}`,
        async () => {
          last = await eventOf(key);
          return done(last) ? last : undefined;
        },
        { timeoutMs, last: () => last },
      );
    },
    ticketsOf: async (key) =>
      (await sim.state.tickets()).filter((t) => firstTicketXRef(key).test(t.externalXRef ?? '')),
  };
}
