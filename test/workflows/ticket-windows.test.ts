import type { TicketSettings } from '../../db';
import { externalXRefOf } from '../../domain/tickets/text';
import { TicketClient, ticketWorkflowId } from '../../services/tickets/ticket-client';
import type { TicketProgress } from '../../workflows/ticket-messages';
import { startTimeSkippingEngine, type TimeSkippingEngine } from '../support/time-skipping-engine';
import { progressUntil, securityEvent, ticketIntegration, ticketSettings } from './ticket-support';

/**
 * An event's ticket workflow on the time-skipping server, with the real activities, FerretDB and
 * the simulator: the coalescing window, the reopen window and the maximum age pass in moments.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const PARTNER = 'p-ticket-windows';
let engine: TimeSkippingEngine;
let integrationId: string;
let tickets: TicketClient;

const settings = (over: Partial<TicketSettings> = {}) =>
  ticketSettings({ noteWindowMinutes: 15, reopenWindowHours: 24, ...over });

beforeAll(async () => {
  engine = await startTimeSkippingEngine('ticket-windows');
  const { client, taskQueue } = engine;
  integrationId = await ticketIntegration(engine, PARTNER, settings());
  tickets = new TicketClient(client, { TEMPORAL_TASK_QUEUE: taskQueue });
}, 120_000);
afterAll(() => engine?.stop());

const ids = () => ({ partnerId: PARTNER, integrationId });

const event = (key: string) => securityEvent(engine, key);

const handleOf = (key: string) =>
  engine.client.workflow.getHandle(ticketWorkflowId(integrationId, key));

const until = (key: string, done: (p: TicketProgress) => boolean) =>
  progressUntil(engine, integrationId, key, done);

async function occur(key: string, times = 1) {
  for (let i = 0; i < times; i++) await tickets.occurred(ids(), await event(key));
}

const notesOf = async (ticketId: number) =>
  (await engine.fx.sim.admin.state.notes(ticketId)).map((n) => n.text ?? '');

const ticketsOf = async (key: string, generation = 0) => {
  const xref = externalXRefOf({ integrationId, key, generation });
  return (await engine.fx.sim.admin.state.tickets()).filter((t) => t.externalXRef === xref);
};

test('repeats are coalesced into one note per window', async () => {
  await occur('coalesce');
  const { ticketId } = await until('coalesce', (p) => p.state === 'open');
  await occur('coalesce', 5);
  await engine.env.sleep(5 * MINUTE);
  // Inside the first window: nothing written yet.
  expect((await notesOf(ticketId!)).filter((t) => t.includes('more times'))).toEqual([]);
  await engine.env.sleep(11 * MINUTE);
  await until('coalesce', (p) => p.notes === 1);
  await occur('coalesce', 3);
  await engine.env.sleep(16 * MINUTE);
  await until('coalesce', (p) => p.notes === 2);
  const notes = (await notesOf(ticketId!)).filter((t) => t.includes('more times'));
  expect(notes).toEqual([
    expect.stringMatching(/^The event occurred 5 more times between /),
    expect.stringMatching(/^The event occurred 3 more times between /),
  ]);
}, 60_000);

test('an occurrence inside the reopen window reopens the same ticket; after it, a new ticket', async () => {
  await occur('reopen');
  const { ticketId } = await until('reopen', (p) => p.state === 'open');
  await tickets.resolved(ids(), await event('reopen'), { at: new Date().toISOString() });
  await until('reopen', (p) => p.state === 'resolved');
  expect((await ticketsOf('reopen'))[0]).toMatchObject({ status: { id: 203 } });

  await engine.env.sleep(2 * HOUR);
  await occur('reopen');
  await until('reopen', (p) => p.state === 'open');
  const [reopened] = await ticketsOf('reopen');
  expect(reopened).toMatchObject({ id: ticketId, status: { id: 201 } });
  expect(await notesOf(ticketId!)).toContainEqual(
    expect.stringMatching(/within the reopen window: ticket reopened/),
  );

  await tickets.resolved(ids(), await event('reopen'), { at: new Date().toISOString() });
  await until('reopen', (p) => p.state === 'resolved');
  // The window passes: the workflow ends, and the next report is a new ticket.
  expect(await handleOf('reopen').result()).toBe('resolved');
  await occur('reopen');
  const second = await until('reopen', (p) => p.state === 'open');
  expect(second).toMatchObject({ generation: 1 });
  const fresh = await ticketsOf('reopen', 1);
  expect(fresh).toHaveLength(1);
  expect(fresh[0]!.id).not.toBe(ticketId);
  expect(await ticketsOf('reopen')).toHaveLength(1);
}, 60_000);

test('an event held while the integration is paused expires after the maximum age, never created', async () => {
  await engine.db.repos.integrations.update(PARTNER, integrationId, {
    state: 'paused',
    ticketSettings: settings({ maxEventAgeHours: 2 }),
  });
  try {
    await engine.fx.sim.admin.journal.clear();
    await occur('held-long');
    const held = await until('held-long', (p) => p.reason !== undefined);
    expect(held).toMatchObject({ state: 'pending', reason: 'the integration is paused' });
    const issue = async (kind: 'events_held' | 'events_expired') =>
      (await engine.db.repos.healthIssues.page(ids(), { state: 'open', kind }, { limit: 5 })).items;
    expect(await issue('events_held')).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/the integration is paused/) }),
    ]);
    await engine.env.sleep(3 * HOUR);
    expect(await handleOf('held-long').result()).toBe('expired');
    const row = await engine.db.repos.ticketEvents.get(ids(), 'held-long');
    expect(row).toMatchObject({ state: 'expired' });
    expect(row!.reason).toMatch(/not seen for 2 h/);
    expect(await issue('events_expired')).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/the latest: held-long, not seen/),
      }),
    ]);
    const calls = await engine.fx.sim.admin.journal.list();
    expect(calls.filter((c) => c.template.startsWith('/service/tickets'))).toEqual([]);
  } finally {
    await engine.db.repos.integrations.update(PARTNER, integrationId, {
      state: 'active',
      ticketSettings: settings(),
    });
  }
}, 60_000);

test('an event repeating without end continues as new with its state: history stays small', async () => {
  const key = 'storm-long';
  const first = await event(key);
  const start = () =>
    engine.client.workflow.signalWithStart('ticketWorkflow', {
      taskQueue: engine.taskQueue,
      workflowId: ticketWorkflowId(integrationId, key),
      args: [{ ...ids(), event: first, historyLimit: 60 }],
      signal: 'eventOccurred',
      signalArgs: [{ at: first.occurredAt }],
    });
  const started = await start();
  await until(key, (p) => p.state === 'open');
  for (let i = 0; i < 120; i++) await start();
  const progress = await until(key, (p) => p.occurrences === 121);
  expect(progress.pendingOccurrences).toBe(120);
  const now = await handleOf(key).describe();
  expect(now.runId).not.toBe(started.signaledRunId);
  await tickets.resolved(ids(), first, { at: new Date().toISOString() });
  expect(await handleOf(key).result()).toBe('resolved');
  const [ticket, ...more] = await ticketsOf(key);
  expect(more).toEqual([]);
  expect(await notesOf(ticket!.id)).toContainEqual(
    expect.stringMatching(/^The event occurred 120 more times between /),
  );
  // The runs of the chain each stayed near the limit.
  for (const runId of [started.signaledRunId, now.runId]) {
    const history = await engine.client.workflow
      .getHandle(ticketWorkflowId(integrationId, key), runId)
      .fetchHistory();
    expect(history.events?.length).toBeLessThan(200);
  }
}, 90_000);
