import request from 'supertest';
import { externalXRefOf } from '../../domain/tickets/text';
import { ticketWorkflowId } from '../../services/tickets/ticket-client';
import { DEMO_TICKET_SETTINGS } from '../../simulator';
import type { SimTicket } from '../../simulator/admin-client';
import { ticketProgressQuery, type TicketProgress } from '../../workflows/ticket-messages';
import { as, cwBase, type useSetupStack } from './setup-helpers';

interface EventView {
  key: string;
  state: string;
  reason: string | null;
  ticketId: number | null;
  summary: string | null;
  occurrences: number;
  generation: number;
  notes: number;
}

/** Ticket integration over the API for p1 of a setup stack: settings, events, their tickets. */
export function ticketsApi(suite: ReturnType<typeof useSetupStack>) {
  const p1 = () => as(suite.engine.tokens.p1);
  const cw = (path: string) => `${cwBase('p1')}${path}`;

  const event = (over: Record<string, unknown> = {}) => ({
    key: 'evt',
    customerId: 'c-acme',
    title: 'Phishing site blocked',
    severity: 'high',
    description: 'A user opened a known phishing page; DefensX blocked it.',
    occurredAt: new Date().toISOString(),
    url: 'https://console.defensx.example/events/evt',
    ...over,
  });

  async function mapCompanies() {
    const mappings = [
      { customerId: 'c-acme', companyId: 250 },
      { customerId: 'c-globex', companyId: 254 },
    ];
    const res = await request(suite.engine.app)
      .put(cw('/company-mappings'))
      .set(p1())
      .send({ mappings });
    expect(res.status).toBe(200);
  }

  async function setTickets(body: object) {
    const res = await request(suite.engine.app).put(cw('/ticket-settings')).set(p1()).send(body);
    expect(res.status).toBe(200);
  }

  /** Board 2 (Security), New → Resolved, source 4, with `over` on top. */
  const enableTickets = (over: object = {}) => setTickets({ ...DEMO_TICKET_SETTINGS, ...over });

  const post = (over: Record<string, unknown> = {}) =>
    request(suite.engine.app).post(cw('/events')).set(p1()).send(event(over));
  /** As a portal sends: a 429 is sent again after its Retry-After. */
  const postPatiently = async (over: Record<string, unknown> = {}) => {
    for (let i = 0; ; i++) {
      const res = await post(over);
      if (res.status !== 429 || i >= 30) return res;
      await new Promise((r) => setTimeout(r, Number(res.headers['retry-after'] ?? 1) * 1000));
    }
  };

  async function resolve(key: string, resolution?: string) {
    const res = await request(suite.engine.app)
      .post(cw(`/events/${key}/resolve`))
      .set(p1())
      .send(resolution ? { resolution } : {});
    expect(res.status).toBe(202);
  }

  /** Polls the event until `done` holds (the workflow records each step as it goes). */
  async function waitFor(
    key: string,
    done: (e: EventView) => boolean,
    timeoutMs = 30_000,
  ): Promise<EventView> {
    const until = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < until) {
      const res = await request(suite.engine.app)
        .get(cw(`/events/${key}`))
        .set(p1());
      last = res.body;
      if (res.status === 200 && done(res.body as EventView)) return res.body as EventView;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`event ${key} never got there; last: ${JSON.stringify(last)}`);
  }

  /** Polls the event's workflow (its own count of reports) until `done` holds. */
  async function waitForWorkflow(key: string, done: (p: TicketProgress) => boolean) {
    const handle = suite.engine.client.workflow.getHandle(
      ticketWorkflowId(suite.integrationId, key),
    );
    for (let i = 0; i < 150; i++) {
      const progress = await handle.query(ticketProgressQuery);
      if (done(progress)) return progress;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the workflow of event ${key} never got there`);
  }

  const waitState = (key: string, state: string, timeoutMs?: number) =>
    waitFor(key, (e) => e.state === state, timeoutMs);

  /** An event's ticket's externalXRef (its first ticket: generation 0). */
  const xrefOf = (key: string, generation = 0) =>
    externalXRefOf({ integrationId: suite.integrationId, key, generation });

  /** The simulator's tickets of an event key (its first ticket's externalXRef). */
  async function ticketsFor(key: string, generation = 0): Promise<SimTicket[]> {
    const xref = xrefOf(key, generation);
    return (await suite.fx.sim.admin.state.tickets()).filter((t) => t.externalXRef === xref);
  }

  return {
    event,
    mapCompanies,
    setTickets,
    enableTickets,
    post,
    postPatiently,
    resolve,
    waitFor,
    waitForWorkflow,
    waitState,
    ticketsFor,
    xrefOf,
  };
}
