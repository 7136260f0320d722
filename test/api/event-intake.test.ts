import request from 'supertest';
import type { Repositories } from '../../db';
import { EventService } from '../../services/tickets/events';
import { TicketIntake } from '../../services/tickets/intake';
import { TicketClient, ticketWorkflowId } from '../../services/tickets/ticket-client';
import { captureLogger } from '../support/logger';
import { as, cwBase, useSetupStack } from './setup-helpers';
import { ticketsApi } from './ticket-helpers';

/**
 * The event intake (services/tickets/intake.ts) over the real API, Temporal and FerretDB: a batch
 * is answered once written to the outbox; what a dead API process left there is handed over by
 * the next sweep; a report handed over twice counts once; a full backlog is answered 429 with
 * Retry-After and nothing written.
 */
const BACKLOG = 5;
const suite = useSetupStack(
  'event-intake',
  [
    { customerId: 'c-acme', name: 'Acme Corp' },
    { customerId: 'c-globex', name: 'Globex' },
  ],
  { INTAKE_MAX_BACKLOG: String(BACKLOG) },
);
const api = ticketsApi(suite);
const ids = () => ({ partnerId: 'p1', integrationId: suite.integrationId });

beforeAll(async () => {
  await api.mapCompanies();
  await api.enableTickets();
});

async function outboxEmpty(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await suite.engine.db.repos.ticketIntake.count()) === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the intake outbox never emptied');
}

test('a batch is answered once written; each report reaches its workflow and leaves the outbox', async () => {
  const events = ['a', 'b', 'a'].map((key, i) =>
    api.event({ key: `batch-${key}`, occurredAt: new Date(Date.UTC(2026, 11, 6, 1, 0, i)) }),
  );
  const res = await request(suite.engine.app)
    .post(`${cwBase('p1')}/events`)
    .set(as(suite.engine.tokens.p1))
    .send({ events });
  expect(res.status).toBe(202);
  expect(
    (res.body.events as Array<{ key: string; firstReport: boolean }>).map((e) => [
      e.key,
      e.firstReport,
    ]),
  ).toEqual([
    ['batch-a', true],
    ['batch-b', true],
    ['batch-a', false],
  ]);
  await api.waitState('batch-a', 'open');
  await api.waitForWorkflow('batch-a', (p) => p.occurrences === 2);
  await api.waitState('batch-b', 'open');
  await outboxEmpty();
});

test('reports a dead API process left in the outbox are handed over by the next sweep, once', async () => {
  const { repos } = suite.engine.db;
  const event = { ...api.event({ key: 'orphan' }), severity: 'high' as const };
  await repos.ticketEvents.insertNewMany(ids(), [event]);
  // Accepted by a process that died before handing them over: its lease has run out.
  const reports = [0, 1].map((seq) => ({
    reportId: `${suite.integrationId}:orphan:dead${seq}`,
    ...ids(),
    workflowId: ticketWorkflowId(suite.integrationId, 'orphan'),
    event: { ...event, occurredAt: new Date(Date.UTC(2026, 11, 6, 2, 0, seq)).toISOString() },
    seq,
    createdAt: new Date(Date.now() - 60_000),
  }));
  await repos.ticketIntake.add(reports, 'dead-api', new Date(Date.now() - 1_000));
  const sweeper = new TicketIntake({
    repos,
    tickets: new TicketClient(suite.engine.client, suite.engine.config),
    logger: captureLogger().logger,
    maxBacklog: 100,
    sweepMs: 200,
  }).start();
  try {
    await api.waitState('orphan', 'open');
    await api.waitForWorkflow('orphan', (p) => p.occurrences === 2);
    await outboxEmpty();
    // Handed over again (a process died between the signal and the delete): counted once.
    const tickets = new TicketClient(suite.engine.client, suite.engine.config);
    await tickets.occurred(ids(), reports[1]!.event, reports[1]!.reportId);
    await tickets.occurred(ids(), { ...event, occurredAt: new Date().toISOString() }, 'fresh');
    // A query answers after every signal accepted before it.
    const progress = await api.waitForWorkflow('orphan', () => true);
    expect(progress.occurrences).toBe(3);
    expect(await api.ticketsFor('orphan')).toHaveLength(1);
  } finally {
    await sweeper.stop();
  }
});

test('a full backlog is answered 429 with Retry-After at once, and nothing of the batch is written', async () => {
  const events = Array.from({ length: BACKLOG + 1 }, (_, i) => api.event({ key: `full-${i}` }));
  const started = Date.now();
  const res = await request(suite.engine.app)
    .post(`${cwBase('p1')}/events`)
    .set(as(suite.engine.tokens.p1))
    .send({ events });
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(res.status).toBe(429);
  expect(res.body.error).toMatchObject({ code: 'intake_backlog_full' });
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  for (const e of events)
    expect(await suite.engine.db.repos.ticketEvents.get(ids(), e.key)).toBeUndefined();
  expect(await suite.engine.db.repos.ticketIntake.count()).toBe(0);
  // Within the bound, accepted.
  const fits = await request(suite.engine.app)
    .post(`${cwBase('p1')}/events`)
    .set(as(suite.engine.tokens.p1))
    .send({ events: events.slice(0, BACKLOG) });
  expect(fits.status).toBe(202);
});

test("a resolve never overtakes the event's reports accepted before it", async () => {
  const { repos } = suite.engine.db;
  const real = new TicketClient(suite.engine.client, suite.engine.config);
  // Hands reports over slowly, as a busy Temporal would.
  const slow = {
    occurred: async (...args: Parameters<TicketClient['occurred']>) => {
      await new Promise((r) => setTimeout(r, 1_500));
      return await real.occurred(...args);
    },
  };
  const intake = new TicketIntake({
    repos,
    tickets: slow,
    logger: captureLogger().logger,
    maxBacklog: 100,
  });
  try {
    const event = { ...api.event({ key: 'ordered' }), severity: 'high' as const };
    await real.occurred(ids(), event);
    await api.waitState('ordered', 'open');
    const repeat = { ...event, occurredAt: new Date().toISOString() };
    await intake.accept(ids(), [repeat]);
    // Told right after the repeat was accepted: the repeat goes first.
    await intake.settle(ticketWorkflowId(suite.integrationId, 'ordered'));
    await real.resolved(ids(), event, { at: new Date().toISOString() });
    await api.waitState('ordered', 'resolved');
    const [ticket] = await api.ticketsFor('ordered');
    const notes = await suite.fx.sim.admin.state.notes(ticket!.id);
    expect(notes.map((n) => n.text)).toEqual([
      expect.any(String),
      expect.stringMatching(/^The event occurred again at/),
      expect.stringMatching(/^Resolved in DefensX/),
    ]);
  } finally {
    await intake.stop();
  }
});

test('a resolve while another process still holds reports of the event is 429, to send again', async () => {
  const event = { ...api.event({ key: 'held-elsewhere' }), severity: 'high' as const };
  const res = await request(suite.engine.app)
    .post(`${cwBase('p1')}/events`)
    .set(as(suite.engine.tokens.p1))
    .send(event);
  expect(res.status).toBe(202);
  await api.waitState('held-elsewhere', 'open');
  await suite.engine.db.repos.ticketIntake.add(
    [
      {
        reportId: `${suite.integrationId}:held-elsewhere:other`,
        ...ids(),
        workflowId: ticketWorkflowId(suite.integrationId, 'held-elsewhere'),
        event,
        seq: 0,
        createdAt: new Date(),
      },
    ],
    'another-api',
    new Date(Date.now() + 60_000),
  );
  const resolve = () =>
    request(suite.engine.app)
      .post(`${cwBase('p1')}/events/held-elsewhere/resolve`)
      .set(as(suite.engine.tokens.p1))
      .send({});
  const busy = await resolve();
  expect(busy.status).toBe(429);
  expect(busy.body.error.code).toBe('event_reports_pending');
  expect(busy.headers['retry-after']).toBe('1');
  await suite.engine.db.repos.ticketIntake.remove([`${suite.integrationId}:held-elsewhere:other`]);
  expect((await resolve()).status).toBe(202);
});

test('past INTAKE_MAX_IN_FLIGHT posts at once, one more is answered busy at once, not queued', async () => {
  const intake = new TicketIntake({
    repos: suite.engine.db.repos,
    tickets: new TicketClient(suite.engine.client, suite.engine.config),
    logger: captureLogger().logger,
    maxBacklog: 100,
    maxInFlight: 2,
  });
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const first = intake.serve(() => held.then(() => 'first'));
  const second = intake.serve(() => held.then(() => 'second'));
  const started = Date.now();
  await expect(intake.serve(() => Promise.resolve('third'))).rejects.toMatchObject({
    kind: 'busy',
    code: 'intake_busy',
    details: { retryAfterSeconds: 1 },
  });
  expect(Date.now() - started).toBeLessThan(100);
  release();
  expect(await Promise.all([first, second])).toEqual(['first', 'second']);
  // Failed work frees its place too.
  await expect(intake.serve(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  expect(
    await Promise.all([
      intake.serve(() => Promise.resolve(1)),
      intake.serve(() => Promise.resolve(2)),
    ]),
  ).toEqual([1, 2]);
});

test('a customer unknown to one post is accepted by the next once pushed (what the intake keeps is only what exists)', async () => {
  const post = () =>
    request(suite.engine.app)
      .post(`${cwBase('p1')}/events`)
      .set(as(suite.engine.tokens.p1))
      .send({ events: [api.event({ key: 'late-customer', customerId: 'c-initech' })] });
  const refused = await post();
  expect(refused.status).toBe(400);
  expect(JSON.stringify(refused.body)).toMatch(
    /body\.events\.0\.customerId.*unknown customer c-initech/,
  );
  const pushed = await request(suite.engine.app)
    .put('/v1/partners/p1/customers')
    .set(as(suite.engine.tokens.p1))
    .send({ customers: [{ customerId: 'c-initech', name: 'Initech' }] });
  expect(pushed.status).toBe(200);
  expect((await post()).status).toBe(202);
});

test("when either of a batch's two writes fails, nothing of it stays or is handed over (the outbox's fails after writing)", async () => {
  const { repos } = suite.engine.db;
  const failing = (which: 'rows' | 'outbox'): Repositories => ({
    ...repos,
    ticketEvents: Object.assign(Object.create(repos.ticketEvents) as typeof repos.ticketEvents, {
      insertNewMany: async (...args: Parameters<typeof repos.ticketEvents.insertNewMany>) => {
        if (which === 'rows') throw new Error('the row write failed');
        return await repos.ticketEvents.insertNewMany(...args);
      },
    }),
    ticketIntake: Object.assign(Object.create(repos.ticketIntake) as typeof repos.ticketIntake, {
      add: async (...args: Parameters<typeof repos.ticketIntake.add>) => {
        await repos.ticketIntake.add(...args);
        if (which === 'outbox') throw new Error('the outbox write failed after writing');
      },
    }),
  });
  const handedOver: string[] = [];
  for (const which of ['rows', 'outbox'] as const) {
    const broken = failing(which);
    const intake = new TicketIntake({
      repos: broken,
      tickets: {
        occurred: (_ids, event) => {
          handedOver.push(event.key);
          return Promise.resolve('handed over');
        },
      },
      logger: captureLogger().logger,
      maxBacklog: 100,
    });
    const service = new EventService({
      repos: broken,
      integrations: { live: () => Promise.resolve({ id: suite.integrationId } as never) },
      tickets: {
        resolved: () => Promise.resolve(),
        resolvedIfRunning: () => Promise.resolve(false),
      },
      intake,
    });
    const key = `half-${which}`;
    const event = { ...api.event({ key }), severity: 'high' as const };
    await expect(service.accept('p1', [event])).rejects.toThrow(/write failed/);
    expect(await repos.ticketEvents.get(ids(), key)).toBeUndefined();
    expect(await repos.ticketIntake.waitingFor(ticketWorkflowId(suite.integrationId, key))).toBe(
      false,
    );
    await intake.stop();
  }
  expect(handedOver).toEqual([]);
});
