import { TicketClient, ticketWorkflowId } from '../../services/tickets/ticket-client';
import { TicketWatchClient } from '../../services/tickets/watch-client';
import type { TicketProgress } from '../../workflows/ticket-messages';
import { ticketWatchWorkflowId } from '../../workflows/ticket-watch';
import { startTimeSkippingEngine, type TimeSkippingEngine } from '../support/time-skipping-engine';
import { progressUntil, securityEvent, ticketIntegration, ticketSettings } from './ticket-support';

/**
 * The backstop: with no callback (here the engine has no public address, as when callbacks are
 * lost), the ticket watch's poll finds what a technician did within the poll period, and the
 * event's workflow follows the reopen rules from there. On the time-skipping server with the real
 * activities, FerretDB and the simulator.
 */
const MINUTE = 60_000;
const PARTNER = 'p-ticket-watch';
let engine: TimeSkippingEngine;
let integrationId: string;
let tickets: TicketClient;
let watch: TicketWatchClient;

const settings = ticketSettings({ reopenWindowHours: 24 });

beforeAll(async () => {
  engine = await startTimeSkippingEngine('ticket-watch');
  const { client, taskQueue } = engine;
  integrationId = await ticketIntegration(engine, PARTNER, settings);
  tickets = new TicketClient(client, { TEMPORAL_TASK_QUEUE: taskQueue });
  watch = new TicketWatchClient(client, { TEMPORAL_TASK_QUEUE: taskQueue });
}, 120_000);
afterAll(() => engine?.stop());

const ids = () => ({ partnerId: PARTNER, integrationId });

const event = (key: string) => securityEvent(engine, key);
const handleOf = (key: string) =>
  engine.client.workflow.getHandle(ticketWorkflowId(integrationId, key));
const until = (key: string, done: (p: TicketProgress) => boolean) =>
  progressUntil(engine, integrationId, key, done);

async function rowUntil(key: string, state: string) {
  for (let i = 0; i < 300; i++) {
    const row = await engine.db.repos.ticketEvents.get(ids(), key);
    if (row?.state === state) return row;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the row of ${key} never became ${state}`);
}

test('the poll finds a technician reopening, then deleting, a ticket they closed', async () => {
  // Found by the chaos suite (test/chaos/ticket-chaos.test.ts): the poll read only the tickets
  // open as far as the engine knew, so a lost callback of these never showed.
  await watch.settingsChanged(ids());
  await tickets.occurred(ids(), await event('reclosed'));
  const { ticketId } = await until('reclosed', (p) => p.state === 'open');
  await engine.fx.sim.admin.technician.close(ticketId!);
  await engine.env.sleep(16 * MINUTE);
  await rowUntil('reclosed', 'closed_in_connectwise');
  await engine.fx.sim.admin.technician.reopen(ticketId!);
  await engine.env.sleep(16 * MINUTE);
  await rowUntil('reclosed', 'open');
  await until('reclosed', (p) => p.state === 'open');
  await engine.fx.sim.admin.technician.close(ticketId!);
  await engine.env.sleep(16 * MINUTE);
  await rowUntil('reclosed', 'closed_in_connectwise');
  await engine.fx.sim.admin.state.remove('tickets', ticketId!);
  await engine.env.sleep(16 * MINUTE);
  expect(await rowUntil('reclosed', 'deleted_in_connectwise')).toMatchObject({ ticketId });
}, 90_000);

test('the poll finds a technician close, delete and reassignment; the reopen rules follow', async () => {
  await tickets.occurred(ids(), await event('polled'));
  const { ticketId } = await until('polled', (p) => p.state === 'open');
  await watch.settingsChanged(ids());
  const integration = async () => engine.db.repos.integrations.get(PARTNER, integrationId);
  for (let i = 0; i < 100 && !(await integration())?.ticketCallbackProblem; i++)
    await new Promise((r) => setTimeout(r, 100));
  expect((await integration())?.ticketCallbackProblem).toMatch(/PUBLIC_BASE_URL is not set/);
  // …and a health issue says so, with the fix.
  const issues = await engine.db.repos.healthIssues.page(
    ids(),
    { state: 'open', kind: 'callback_missing' },
    { limit: 5 },
  );
  expect(issues.items).toEqual([
    expect.objectContaining({
      object: { type: 'callback', id: 'tickets' },
      message: expect.stringMatching(/PUBLIC_BASE_URL is not set/),
      fix: expect.stringMatching(/^Set PUBLIC_BASE_URL/),
    }),
  ]);

  await engine.fx.sim.admin.technician.reassign(ticketId!, 'jsmith');
  await engine.fx.sim.admin.technician.close(ticketId!);
  await engine.env.sleep(16 * MINUTE);
  const closed = await rowUntil('polled', 'closed_in_connectwise');
  expect(closed.connectWise).toMatchObject({
    closed: true,
    closedBy: 'tmorris',
    owner: { identifier: 'jsmith' },
  });
  await until('polled', (p) => p.state === 'closed_in_connectwise');

  // Within the reopen window, the next occurrence reopens the same ticket.
  await tickets.occurred(ids(), await event('polled'));
  await until('polled', (p) => p.state === 'open');
  const reopened = (await engine.fx.sim.admin.state.tickets()).find((t) => t.id === ticketId);
  expect(reopened).toMatchObject({ status: { id: 201 } });

  await engine.fx.sim.admin.state.remove('tickets', ticketId!);
  await engine.env.sleep(16 * MINUTE);
  await rowUntil('polled', 'deleted_in_connectwise');
  expect(await handleOf('polled').result()).toBe('deleted_in_connectwise');

  // Ticket integration off: the watch removes its callback (none here) and ends.
  await engine.db.repos.integrations.update(PARTNER, integrationId, {
    ticketSettings: { ...settings, enabled: false },
  });
  await watch.settingsChanged(ids());
  await engine.client.workflow.getHandle(ticketWatchWorkflowId(integrationId)).result();
}, 90_000);
