import { pollUntil } from './partner-stack';
import {
  CUSTOMERS,
  firstTicketXRef,
  securityEvent,
  startTicketsStack,
  ticketCreates,
  TICKET_SETTINGS,
  xrefLookups,
  type TicketsStack,
} from './tickets-stack';
import { STACK_SLOT_WAIT_MS } from '../support/stack-slot';

/**
 * Security events become ConnectWise tickets over the real local stack: the API and the worker
 * as processes of their own, the Temporal dev server, FerretDB and the simulator. The crash test
 * waits for the activity heartbeat timeout (a minute) before the killed creates are retried, so
 * this file takes about a minute and a half.
 */
jest.setTimeout(150_000);

let t: TicketsStack;
beforeAll(async () => {
  t = await startTicketsStack();
}, 150_000 + STACK_SLOT_WAIT_MS);
afterAll(() => t?.stop());
afterEach(async () => {
  await t.sim.faults.clear();
});

const companyOf = (customerId: string) =>
  CUSTOMERS.find((c) => c.customerId === customerId)!.companyId;

test('an event and its repeats become one ticket; resolving it closes the ticket with the repeats and the resolution noted', async () => {
  const key = 'e2e-phish-1';
  // Reported within the maximum event age (an older event would be expired, not ticketed).
  const first = Math.floor(Date.now() / 1000) * 1000 - 10 * 60_000;
  const at = (minutes: number) => new Date(first + minutes * 60_000).toISOString();
  const [accepted] = await t.post([securityEvent(key, { occurredAt: at(0) })]);
  expect(accepted).toMatchObject({ key, accepted: true, firstReport: true });
  // Three more reports of the same key, one request each.
  for (const minutes of [1, 2, 5]) {
    const [repeat] = await t.post([securityEvent(key, { occurredAt: at(minutes) })]);
    expect(repeat).toMatchObject({ key, accepted: true, firstReport: false });
  }

  const open = await t.waitForEvent(key, (e) => e.state === 'open');
  const tickets = await t.ticketsOf(key);
  expect(tickets).toHaveLength(1);
  const [ticket] = tickets;
  expect(ticket).toMatchObject({
    id: open.ticketId,
    externalXRef: expect.stringMatching(firstTicketXRef(key)),
    board: { id: TICKET_SETTINGS.boardId },
    status: { id: TICKET_SETTINGS.initialStatusId },
    company: { id: companyOf(CUSTOMERS[0].customerId) },
    summary: 'DefensX: High - Credential phishing page blocked (Acme Corporation)',
    closedFlag: false,
  });

  const resolved = await t.call('POST', `/connectwise/events/${key}/resolve`, {
    resolution: 'password reset, phishing domain blocked',
  });
  expect(resolved).toMatchObject({ key, ticketId: ticket!.id });
  const done = await t.waitForEvent(key, (e) => e.state === 'resolved');
  expect(done).toMatchObject({
    key,
    state: 'resolved',
    ticketId: ticket!.id,
    occurrences: 4,
    notes: 2,
    resolvedAt: expect.any(String),
  });
  expect(await t.ticketsOf(key)).toEqual([
    expect.objectContaining({
      id: ticket!.id,
      status: expect.objectContaining({ id: TICKET_SETTINGS.closingStatusId }),
      closedFlag: true,
    }),
  ]);
  const notes = await t.sim.state.notes(ticket!.id);
  expect(notes.map((n) => n.text)).toEqual([
    // ConnectWise keeps the initialDescription as the ticket's first note.
    expect.stringMatching(/^A user was stopped .*\nEvent key: e2e-phish-1\n/s),
    // From the first repeat to the last (the first report is the ticket itself).
    `The event occurred 3 more times between ${at(1)} and ${at(5)}.\n[dfx:evt:${key}#1]`,
    `Resolved in DefensX: password reset, phishing domain blocked\n[dfx:evt:${key}#2]`,
  ]);
});

test('the worker killed with SIGKILL while creates are in flight: after its restart, exactly one ticket per event', async () => {
  const EVENTS = 30;
  const keys = Array.from({ length: EVENTS }, (_, i) => `e2e-crash-${String(i).padStart(2, '0')}`);
  const customerOf = (i: number) => CUSTOMERS[i % CUSTOMERS.length]!.customerId;
  await t.sim.journal.clear();
  // Every create is slow, so most of the worker's activity slots hold one on the wire at the
  // kill. They alternate (the simulator fires the first live rule, each good for one request):
  // one commits in ConnectWise even once the worker is gone (the answer is lost: the retry must
  // adopt the ticket), the next is dropped with the connection (the retry creates it), and so on;
  // so any two creates cut off by the kill take both paths.
  const create = { method: 'POST', path: '/service/tickets', count: 1 };
  for (let i = 0; i < EVENTS; i++) {
    await t.sim.faults.add(
      i % 2 === 0
        ? { kind: 'slowCommit', ms: 2_000, ...create }
        : { kind: 'latency', ms: 2_000, ...create },
    );
  }

  const answers = await t.post(
    keys.map((key, i) => securityEvent(key, { customerId: customerOf(i), severity: 'medium' })),
  );
  expect(answers.map((a) => [a.key, a.accepted])).toEqual(keys.map((k) => [k, true]));

  // Kill once some creates have been answered and several others are on the wire: a look-up by
  // externalXRef was answered for a ticket whose create has not been (it follows at once).
  const IN_FLIGHT = 6;
  const before = await pollUntil(
    `some creates answered, ${IN_FLIGHT} others in flight`,
    async () => {
      const journal = await t.sim.journal.list();
      const creates = ticketCreates(journal).length;
      const inFlight = xrefLookups(journal).length - creates;
      return creates > 0 && inFlight >= IN_FLIGHT ? creates : undefined;
    },
    { timeoutMs: 60_000, everyMs: 20 },
  );
  expect(before).toBeLessThan(EVENTS);
  await t.stack.restartWorker('SIGKILL');
  const cutOff = ticketCreates(await t.sim.journal.list()).filter((e) => e.status === 0);
  // Some may have been answered between the last look and the kill; two suffice for both paths.
  expect(cutOff.length).toBeGreaterThanOrEqual(2);

  // Creates cut off by the kill are retried once their heartbeat times out (a minute).
  await pollUntil(
    `all ${EVENTS} events open`,
    async () => {
      const { tickets } = await t.call('GET', '/connectwise/tickets?state=open&pageSize=200');
      const open = new Set((tickets as Array<{ key: string }>).map((e) => e.key));
      return keys.every((k) => open.has(k)) ? true : undefined;
    },
    { timeoutMs: 120_000, everyMs: 1_000 },
  );

  // Of the creates cut off by the kill, some had committed in ConnectWise (their tickets were
  // adopted by the retry's look-up) and some had not (created by the retry): both paths ran.
  const answered = ticketCreates(await t.sim.journal.list()).filter((e) => e.status === 201);
  const committedUnanswered = EVENTS - answered.length;
  expect(committedUnanswered).toBeGreaterThan(0);
  expect(cutOff.length - committedUnanswered).toBeGreaterThan(0);

  const all = await t.sim.state.tickets();
  const ours = all.filter((tk) => /^dfx:[0-9a-f]{10}:e2e-crash-/.test(tk.externalXRef ?? ''));
  expect(ours.map((tk) => tk.externalXRef!.replace(/^dfx:[0-9a-f]{10}:/, '')).sort()).toEqual(
    [...keys].sort(),
  );
  for (const [i, key] of keys.entries()) {
    const ticket = ours.find((tk) => firstTicketXRef(key).test(tk.externalXRef ?? ''))!;
    expect(ticket).toMatchObject({
      board: { id: TICKET_SETTINGS.boardId },
      status: { id: TICKET_SETTINGS.initialStatusId },
      company: { id: companyOf(customerOf(i)) },
    });
    expect(await t.eventOf(key)).toMatchObject({ key, state: 'open', ticketId: ticket.id });
  }
});
