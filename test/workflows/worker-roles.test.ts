import { NativeConnection } from '@temporalio/worker';
import { createWorkers, type EngineWorkers } from '../../worker/worker';
import { captureLogger } from '../support/logger';
import { shared } from '../support/shared-env';
import { useSetupStack } from '../api/setup-helpers';
import { ticketsApi } from '../api/ticket-helpers';

/**
 * WORKER_ROLES: a worker process without the ticket role never runs a ticket (the ticket
 * workflows and their steps are on the ticket queue), and a process with only that role runs
 * them all, its own workflow worker included (a ticket worker scaled apart).
 */
const suite = useSetupStack(
  'worker-roles',
  [
    { customerId: 'c-acme', name: 'Acme Corp' },
    { customerId: 'c-globex', name: 'Globex Inc' },
  ],
  { WORKER_ROLES: 'sync,interactive,webhooks' },
);
const api = ticketsApi(suite);

let ticketWorkers: EngineWorkers | undefined;
let ticketRun: Promise<void> | undefined;
afterAll(async () => {
  ticketWorkers?.shutdown();
  await ticketRun;
});

test('the ticket role runs apart: nothing without it, the ticket with it', async () => {
  expect(suite.engine.config.WORKER_ROLES).toEqual(['sync', 'interactive', 'webhooks']);
  await api.mapCompanies();
  await api.enableTickets();
  expect((await api.post({ key: 'roles-1' })).status).toBe(202);
  // The sync worker polls its own queue only: 3 s later the event still has no ticket.
  await new Promise((r) => setTimeout(r, 3_000));
  const before = await suite.engine.db.repos.ticketEvents.get(
    { partnerId: 'p1', integrationId: suite.integrationId },
    'roles-1',
  );
  expect(before?.ticketId ?? null).toBeNull();

  // A process with the ticket role only (its own connection, as another process would have).
  const { config, db, keyring } = suite.engine;
  ticketWorkers = await createWorkers({
    config: { ...config, WORKER_ROLES: ['tickets'] },
    connection: await NativeConnection.connect({ address: await shared('temporal') }),
    keyring,
    workflowBundlePath: await shared('workflowBundle'),
    deps: { repos: db.repos, keyring, cw: config, logger: captureLogger().logger },
  });
  expect(ticketWorkers.sync).toBeUndefined();
  expect(ticketWorkers.interactive).toBeUndefined();
  expect(ticketWorkers.webhooks).toBeUndefined();
  expect(ticketWorkers.tickets).toBeDefined();
  ticketRun = ticketWorkers.run();
  const opened = await api.waitFor('roles-1', (e) => e.ticketId !== null);
  expect(opened.state).toBe('open');
  expect(await api.ticketsFor('roles-1')).toHaveLength(1);
}, 60_000);
