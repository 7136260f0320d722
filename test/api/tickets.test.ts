import request from 'supertest';
import { as, cwBase, cwCallsOf, fieldsOf, useSetupStack } from './setup-helpers';
import { ticketWorkflowId } from '../../services/tickets/ticket-client';
import { ticketsApi } from './ticket-helpers';

const suite = useSetupStack('tickets', [
  { customerId: 'c-acme', name: 'Acme Corp' },
  { customerId: 'c-globex', name: 'Globex Inc' },
  { customerId: 'c-loose', name: 'Not Mapped Ltd' },
]);
const api = ticketsApi(suite);

beforeEach(async () => {
  await api.mapCompanies();
});

test('an event becomes one ticket on the chosen board, status, source and priority', async () => {
  await api.enableTickets({ priorityBySeverity: { high: 2 } });
  const posted = await api.post({ key: 'evt-1', severity: 'high' });
  expect(posted.status).toBe(202);
  expect(posted.body.events).toEqual([
    expect.objectContaining({ key: 'evt-1', accepted: true, firstReport: true }),
  ]);
  const event = await api.waitState('evt-1', 'open');
  const [ticket] = await api.ticketsFor('evt-1');
  expect(ticket).toMatchObject({
    id: event.ticketId,
    summary: 'DefensX: High - Phishing site blocked (Acme Corp)',
    board: { id: 2 },
    status: { id: 201 },
    company: { id: 250 },
    source: { id: 4 },
    priority: { id: 2 },
    externalXRef: api.xrefOf('evt-1'),
  });
  expect(event).toMatchObject({ summary: ticket!.summary, occurrences: 1, state: 'open' });
  // The idempotency look-up, then the create: nothing else (the lifecycle's access check, run
  // for the settings change, counts tickets: that is not the event's).
  const calls = (await cwCallsOf(suite, '/service/tickets')).filter(
    (e) => !e.template.endsWith('/count'),
  );
  expect(calls.map((e) => `${e.method} ${e.template}`)).toEqual([
    'GET /service/tickets',
    'POST /service/tickets',
  ]);
}, 60_000);

test('100 concurrent reports of one new event: one ticket, repeats in one note, closed on resolve', async () => {
  await api.enableTickets();
  // Past INTAKE_MAX_IN_FLIGHT at once, some are told to send again: a portal does.
  const posts = await Promise.all(
    Array.from({ length: 100 }, (_, i) =>
      api.postPatiently({
        key: 'storm',
        occurredAt: new Date(Date.UTC(2026, 11, 3, 1, 0, i)).toISOString(),
      }),
    ),
  );
  expect(posts.every((p) => p.status === 202)).toBe(true);
  expect(posts.filter((p) => p.body.events[0].firstReport === true).length).toBe(1);
  await api.waitState('storm', 'open');
  // The row counts occurrences as of the event's last step; the workflow counts every report.
  await api.waitForWorkflow('storm', (p) => p.occurrences === 100);
  const resolved = await request(suite.engine.app)
    .post(`${cwBase('p1')}/events/storm/resolve`)
    .set(as(suite.engine.tokens.p1))
    .send({ resolution: 'blocked by policy' });
  expect(resolved.status).toBe(202);
  const done = await api.waitState('storm', 'resolved');
  const tickets = await api.ticketsFor('storm');
  expect(tickets).toHaveLength(1);
  expect(tickets[0]).toMatchObject({ status: { id: 203 }, closedFlag: true });
  const notes = await suite.fx.sim.admin.state.notes(tickets[0]!.id);
  expect(notes.map((n) => n.text)).toEqual([
    // ConnectWise keeps the initialDescription as the ticket's first note.
    expect.stringMatching(/^A user opened a known phishing page.*Event key: storm\n/s),
    expect.stringMatching(/^The event occurred 99 more times between .*\n\[dfx:evt:storm#1\]$/s),
    expect.stringMatching(/^Resolved in DefensX: blocked by policy\n\[dfx:evt:storm#2\]$/),
  ]);
  expect(done).toMatchObject({ notes: 2, occurrences: 100 });
}, 90_000);

test('a create whose answer is lost (committed, then the connection dropped) still gives one ticket', async () => {
  await api.enableTickets();
  await suite.fx.sim.admin.faults.add({
    kind: 'drop',
    afterCommit: true,
    method: 'POST',
    path: '/service/tickets',
    count: 1,
  });
  await api.post({ key: 'lost-answer' });
  const event = await api.waitState('lost-answer', 'open');
  const tickets = await api.ticketsFor('lost-answer');
  expect(tickets.map((t) => t.id)).toEqual([event.ticketId]);
  const posts = (await cwCallsOf(suite, '/service/tickets')).filter((e) => e.method === 'POST');
  expect(posts).toHaveLength(1); // the retry found it by its externalXRef
}, 90_000);

test('a ticket a technician closed first is left alone on resolve', async () => {
  await api.enableTickets();
  await api.post({ key: 'closed-first' });
  await api.waitState('closed-first', 'open');
  const [ticket] = await api.ticketsFor('closed-first');
  await suite.fx.sim.admin.state.put('tickets', { ...ticket!, status: { id: 204 } });
  await suite.fx.sim.admin.journal.clear();
  await api.resolve('closed-first');
  const event = await api.waitState('closed-first', 'closed_in_connectwise');
  expect(event.reason).toMatch(/closed in ConnectWise/);
  const writes = (await cwCallsOf(suite, '/service/tickets')).filter((e) => e.method !== 'GET');
  expect(writes).toEqual([]);
  expect((await api.ticketsFor('closed-first'))[0]).toMatchObject({ status: { id: 204 } });
}, 60_000);

test('a resolve sent right after a report that begins the next ticket is not dropped', async () => {
  // Found by the chaos suite (test/chaos/ticket-chaos.test.ts): the row still said resolved when
  // the resolve came, so it was dropped, and the ticket the report began stayed open.
  await api.enableTickets();
  await api.post({ key: 'renewed' });
  const first = await api.waitState('renewed', 'open');
  await api.resolve('renewed');
  await api.waitState('renewed', 'resolved');
  // An occurrence after the resolve (with no reopen window: a new ticket), resolved at once.
  const again = await api.post({ key: 'renewed', occurredAt: new Date().toISOString() });
  expect(again.status).toBe(202);
  await api.resolve('renewed');
  const done = await api.waitFor(
    'renewed',
    (e) => e.generation === 1 && e.state !== 'pending' && e.state !== 'open',
  );
  expect(done).toMatchObject({ state: 'resolved' });
  const tickets = [
    ...(await api.ticketsFor('renewed', 0)),
    ...(await api.ticketsFor('renewed', 1)),
  ];
  expect(tickets.find((t) => t.id === first.ticketId)).toMatchObject({ status: { id: 203 } });
  expect(tickets.filter((t) => !t.closedFlag)).toEqual([]);
}, 60_000);

test('a failed event that has a ticket still closes it on resolve, its workflow long gone', async () => {
  await api.enableTickets();
  await api.post({ key: 'failed-open' });
  const open = await api.waitState('failed-open', 'open');
  // As an event ended `failed` before (a step refused) while its ticket stayed open: the
  // workflow is gone, the row says failed and still names the ticket.
  const handle = suite.engine.client.workflow.getHandle(
    ticketWorkflowId(suite.integrationId, 'failed-open'),
  );
  await handle.terminate('ended as failed');
  const ids = { partnerId: 'p1', integrationId: suite.integrationId };
  const row = await suite.engine.db.repos.ticketEvents.get(ids, 'failed-open');
  await suite.engine.db.repos.ticketEvents.record(
    ids,
    {
      ...row!,
      description: '',
      occurredAt: row!.lastSeen.toISOString(),
      category: undefined,
      url: undefined,
    },
    { state: 'failed', reason: 'ConnectWise refused it: test' },
  );
  await api.resolve('failed-open');
  await api.waitState('failed-open', 'resolved');
  expect((await api.ticketsFor('failed-open'))[0]).toMatchObject({
    id: open.ticketId,
    status: { id: 203 },
  });
}, 60_000);

test('ticket integration off, or the customer unmapped: skipped with the reason, 0 ConnectWise calls', async () => {
  await api.setTickets({ enabled: false });
  await suite.fx.sim.admin.journal.clear();
  await api.post({ key: 'while-off' });
  await api.post({ key: 'unmapped', customerId: 'c-loose' });
  expect(await api.waitState('while-off', 'skipped')).toMatchObject({
    reason: 'ticket integration is turned off',
  });
  await api.enableTickets();
  await suite.fx.sim.admin.journal.clear();
  await api.post({ key: 'unmapped-2', customerId: 'c-loose' });
  expect(await api.waitState('unmapped-2', 'skipped')).toMatchObject({
    reason: 'customer c-loose is not mapped to a ConnectWise company',
  });
  expect(await suite.fx.sim.admin.journal.list()).toEqual([]);
}, 60_000);

test('bad events are refused whole, naming the field; nothing is accepted', async () => {
  await api.enableTickets();
  const res = await request(suite.engine.app)
    .post(`${cwBase('p1')}/events`)
    .set(as(suite.engine.tokens.p1))
    .send({
      events: [
        api.event({ key: 'ok-1' }),
        api.event({ key: 'bad-sev', severity: 'urgent' }),
        api.event({ key: 'bad key!' }),
        api.event({ key: 'long', title: 'x'.repeat(201) }),
      ],
    });
  expect(res.status).toBe(400);
  expect(fieldsOf(res.body)).toEqual([
    'body.events.1.severity',
    'body.events.2.key',
    'body.events.3.title',
  ]);
  const unknown = await api.post({ key: 'ok-2', customerId: 'c-nobody' });
  expect(unknown.status).toBe(400);
  expect(fieldsOf(unknown.body)).toEqual(['body.events.0.customerId']);
  for (const key of ['ok-1', 'ok-2']) {
    const got = await request(suite.engine.app)
      .get(`${cwBase('p1')}/events/${key}`)
      .set(as(suite.engine.tokens.p1));
    expect(got.status).toBe(404);
  }
}, 30_000);

test('GET tickets pages events with their state, filtered by state and customer', async () => {
  await api.enableTickets();
  await api.post({ key: 'list-a' });
  await api.post({ key: 'list-b', customerId: 'c-globex' });
  await api.waitState('list-a', 'open');
  await api.waitState('list-b', 'open');
  const page = await request(suite.engine.app)
    .get(`${cwBase('p1')}/tickets?customerId=c-globex&state=open`)
    .set(as(suite.engine.tokens.p1));
  expect(page.status).toBe(200);
  const rows = page.body.tickets as Array<{ key: string; customerId: string; state: string }>;
  expect(rows.map((t) => t.key)).toContain('list-b');
  expect(rows.map((t) => t.key)).not.toContain('list-a');
  expect(rows.every((t) => t.customerId === 'c-globex' && t.state === 'open')).toBe(true);
  const other = await request(suite.engine.app)
    .get(`${cwBase('p2')}/tickets`)
    .set(as(suite.engine.tokens.p1));
  expect(other.status).toBe(404);
}, 60_000);

test('a status made inactive in ConnectWise: the settings are marked invalid, events held until they are saved again', async () => {
  await api.enableTickets();
  const [initial] = (await suite.fx.sim.admin.state.collection('boardStatuses', 2)).filter(
    (st) => st.id === 201,
  );
  await suite.fx.sim.admin.state.put('boardStatuses', { ...initial!, inactive: true });
  await api.post({ key: 'bad-settings' });
  const held = await api.waitFor('bad-settings', (e) => e.reason !== null);
  expect(held.state).toBe('pending');
  expect(held.reason).toMatch(
    /ticket settings are invalid: ticketSettings\.initialStatusId: .*inactive/,
  );
  const status = await request(suite.engine.app)
    .get(`${cwBase('p1')}/status`)
    .set(as(suite.engine.tokens.p1));
  expect(status.body.ticketSettingsProblem).toMatch(/initialStatusId/);
  expect(status.body.healthIssues.byKind.ticket_setting_unusable).toBe(1);
  const issues = async (state: string) =>
    (
      await request(suite.engine.app)
        .get(`${cwBase('p1')}/health-issues?kind=ticket_setting_unusable&state=${state}`)
        .set(as(suite.engine.tokens.p1))
    ).body.issues as Array<{ message: string; fix: string; resolvedBy?: string }>;
  expect(await issues('open')).toEqual([
    expect.objectContaining({
      message: expect.stringMatching(/initialStatusId.*events are held/),
      fix: expect.stringMatching(/^Open Tickets/),
    }),
  ]);
  expect(await api.ticketsFor('bad-settings')).toEqual([]);

  // The partner picks an active status (here: the same one, made active again) and saves.
  await suite.fx.sim.admin.state.put('boardStatuses', { ...initial!, inactive: false });
  await api.enableTickets();
  await api.waitState('bad-settings', 'open');
  expect(await api.ticketsFor('bad-settings')).toHaveLength(1);
  const after = await request(suite.engine.app)
    .get(`${cwBase('p1')}/status`)
    .set(as(suite.engine.tokens.p1));
  expect(after.body.ticketSettingsProblem).toBeNull();
  expect(await issues('open')).toEqual([]);
  expect(await issues('resolved')).toEqual([
    expect.objectContaining({ resolvedBy: 'ticket settings saved' }),
  ]);
}, 90_000);

// Last: the simulator's reset after it brings back keys the integration no longer has.
test('keys revoked mid-stream: events are held, then all go once the integration is validated again', async () => {
  await api.enableTickets();
  const keys = await suite.fx.sim.admin.keys.rotate();
  await api.post({ key: 'held-1' });
  await api.post({ key: 'held-2', customerId: 'c-globex' });
  const held = await api.waitFor('held-1', (e) => e.reason !== null);
  expect(held).toMatchObject({ state: 'pending' });
  expect(held.reason).toMatch(/API keys/);
  // A step tried again while the keys are rejected holds the events: an issue says so.
  const heldIssues = async () =>
    (
      await request(suite.engine.app)
        .get(`${cwBase('p1')}/health-issues?kind=events_held`)
        .set(as(suite.engine.tokens.p1))
    ).body.issues as Array<{ state: string; message: string; resolvedBy?: string }>;
  for (let i = 0; i < 300; i++) {
    if ((await heldIssues()).some((h) => h.state === 'open')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(await heldIssues()).toEqual([expect.objectContaining({ state: 'open' })]);
  const fixed = await request(suite.engine.app)
    .patch(`${cwBase('p1')}/integration`)
    .set(as(suite.engine.tokens.p1))
    .send({ publicKey: keys.publicKey, privateKey: keys.privateKey });
  expect(fixed.status).toBe(200);
  // The held events were an issue; keys that pass resolve it.
  expect(await heldIssues()).toEqual([
    expect.objectContaining({
      state: 'resolved',
      message: expect.stringMatching(/API keys/),
      resolvedBy: 'Test Connection passed',
    }),
  ]);
  for (const key of ['held-1', 'held-2']) {
    await api.waitState(key, 'open', 60_000);
    expect(await api.ticketsFor(key)).toHaveLength(1);
  }
}, 120_000);
