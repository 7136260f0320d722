import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discardLines } from '../../dev/managed';
import { startFerretDb, type FerretDb } from '../../dev/processes';
import { connectDatabase, createRepositories } from '../../db';
import { TicketClient, ticketWorkflowId } from '../../services/tickets/ticket-client';
import type { TicketProgress } from '../../workflows/ticket-messages';
import type { TestDatabase } from '../support/db';
import { startTimeSkippingEngine, type TimeSkippingEngine } from '../support/time-skipping-engine';
import { progressUntil, securityEvent, ticketIntegration, ticketSettings } from './ticket-support';

/**
 * The engine's database down for a while (FerretDB and its PostgreSQL stopped, then started
 * again on the same data and port) while events wait for their tickets: the steps are held like
 * a ConnectWise outage, nothing ends `failed`, and every ticket is made and closed once it is
 * back. On the time-skipping server with the real activities and the simulator.
 */
const PARTNER = 'p-db-outage';
let dataDir: string;
let ferret: FerretDb;
let engine: TimeSkippingEngine;
let integrationId: string;
let tickets: TicketClient;

/** The database, with a short server selection so each step fails fast while it is down. */
async function ownDatabase(uri: string): Promise<TestDatabase> {
  const conn = await connectDatabase({ uri, serverSelectionTimeoutMS: 1_000 });
  const repos = await createRepositories(conn);
  return { uri, conn, repos, close: () => conn.close() };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cw-db-outage-'));
  ferret = await startFerretDb({ dataDir, log: discardLines, ephemeral: true, database: 'outage' });
  engine = await startTimeSkippingEngine('db-outage', undefined, await ownDatabase(ferret.uri));
  integrationId = await ticketIntegration(
    engine,
    PARTNER,
    ticketSettings({ noteWindowMinutes: 15, reopenWindowHours: 0 }),
  );
  tickets = new TicketClient(engine.client, { TEMPORAL_TASK_QUEUE: engine.taskQueue });
}, 120_000);
afterAll(async () => {
  await engine?.stop();
  await ferret?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const ids = () => ({ partnerId: PARTNER, integrationId });

const event = (key: string) => securityEvent(engine, key);
const handleOf = (key: string) =>
  engine.client.workflow.getHandle(ticketWorkflowId(integrationId, key));
const until = (key: string, done: (p: TicketProgress) => boolean) =>
  progressUntil(engine, integrationId, key, done, 600);

test('steps wait while the database is down; tickets are made and closed once it is back', async () => {
  await tickets.occurred(ids(), await event('before'));
  const { ticketId } = await until('before', (p) => p.state === 'open');

  await ferret.stop();
  const downSince = Date.now();
  try {
    // A resolve of the open ticket and a new event, both while the database is down.
    await tickets.resolved(ids(), await event('before'), { at: new Date().toISOString() });
    await tickets.occurred(ids(), await event('during'));
    const held = await until('during', (p) => p.reason !== undefined);
    expect(held.reason).toMatch(/database did not answer/);
    // Let it stay down for a while: the steps keep being held, none ends the event.
    while (Date.now() - downSince < 15_000) {
      expect((await handleOf('before').describe()).status.name).toBe('RUNNING');
      expect((await handleOf('during').describe()).status.name).toBe('RUNNING');
      await new Promise((r) => setTimeout(r, 1_000));
    }
  } finally {
    ferret = await startFerretDb({
      dataDir,
      port: ferret.port,
      log: discardLines,
      ephemeral: true,
      database: 'outage',
    });
  }
  await Promise.all(['before', 'during'].map((key) => handleOf(key).signal('wake')));
  expect(await handleOf('before').result()).toBe('resolved');
  const during = await until('during', (p) => p.state === 'open');
  const sim = await engine.fx.sim.admin.state.tickets();
  expect(sim.find((t) => t.id === ticketId)).toMatchObject({ status: { id: 203 } });
  expect(sim.find((t) => t.id === during.ticketId)).toMatchObject({ status: { id: 201 } });
  expect(await engine.db.repos.ticketEvents.get(ids(), 'before')).toMatchObject({
    state: 'resolved',
  });
  expect(await engine.db.repos.ticketEvents.get(ids(), 'during')).toMatchObject({
    state: 'open',
    ticketId: during.ticketId,
  });
}, 120_000);
