import { randomBytes } from 'node:crypto';
import { keyringFromConfig } from '../../security';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Express } from 'express';
import { createApp } from '../../api/app';
import { createV1Router } from '../../api/v1';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callbackRouter } from '../../api/connectwise-callbacks';
import { hostedRouter } from '../../api/hosted/connectwise-tab';
import { TicketWatchClient } from '../../services/tickets/watch-client';
import { TicketIntake } from '../../services/tickets/intake';
import { TicketClient } from '../../services/tickets/ticket-client';
import { loadConfig, type Config } from '../../config';
import { pingDatabase } from '../../db';
import type { Keyring } from '../../security';
import { createDataConverter } from '../../temporal/data-converter';
import { pingTemporal } from '../../temporal/connection';
import { DEMO_CREDENTIALS } from '../../simulator';
import { createWorkers } from '../../worker/worker';
import { openTestDatabase, type TestDatabase } from './db';
import { randomKey, testKeyring } from './keys';
import { captureLogger } from './logger';
import { shared } from './shared-env';

export interface Engine {
  app: Express;
  /** Where the app listens, when started with `listen` (ConnectWise's callbacks reach it there). */
  url?: string;
  db: TestDatabase;
  config: Config;
  client: Client;
  keyring: Keyring;
  /** The event intake's dispatcher (services/tickets/intake.ts). */
  intake: TicketIntake;
  /** A visibility query for this engine's workflows only: other files share the server. */
  workflowsQuery: string;
  logLines: string[];
  /** Bearer tokens of partners p1 and p2, and a service token that acts for any partner. */
  tokens: { p1: string; p2: string; service: string };
  stop(): Promise<void>;
}

/**
 * The engine in one process over real servers: the run's Temporal dev server (the real CLI,
 * search attributes registered; test/support/global-setup.ts) on task queues of its own,
 * FerretDB, workers with the real activities, and the API app. A test that needs a Temporal
 * server of its own (e.g. to stop it) starts one itself.
 */
export async function startEngine(
  label: string,
  env: NodeJS.ProcessEnv = {},
  options: { listen?: boolean } = {},
): Promise<Engine> {
  // Listening first: the engine's public address (PUBLIC_BASE_URL) is this server's.
  const server = options.listen ? createServer() : undefined;
  if (server) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = server ? `http://127.0.0.1:${(server.address() as AddressInfo).port}` : undefined;
  if (url) env = { PUBLIC_BASE_URL: url, ...env };
  const taskQueue = `tq-${label}-${randomBytes(4).toString('hex')}`;
  const [address, workflowBundlePath] = await Promise.all([
    shared('temporal'),
    shared('workflowBundle'),
  ]);
  const [db, connection, nativeConnection] = await Promise.all([
    openTestDatabase(label),
    Connection.connect({ address }),
    NativeConnection.connect({ address }),
  ]);
  const config = loadConfig({
    ENCRYPTION_KEY: randomKey(),
    CW_CLIENT_ID: DEMO_CREDENTIALS.clientId,
    CW_ALLOW_PRIVATE_HOSTS: 'true',
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    TEMPORAL_INTERACTIVE_TASK_QUEUE: `${taskQueue}-interactive`,
    TEMPORAL_TICKET_TASK_QUEUE: `${taskQueue}-tickets`,
    MONGODB_URI: db.uri,
    ...env,
  });
  // A key given (to share with an API process of its own): the engine seals with it.
  const keyring = env.ENCRYPTION_KEY ? keyringFromConfig(config) : testKeyring();
  const dataConverter = createDataConverter(keyring);
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  const { logger, lines } = captureLogger();
  const workers = await createWorkers({
    config,
    connection: nativeConnection,
    keyring,
    workflowBundlePath,
    deps: {
      repos: db.repos,
      keyring,
      cw: config,
      logger,
      ...(config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
    },
  });
  const workerRun = workers.run();
  const intake = new TicketIntake({
    repos: db.repos,
    tickets: new TicketClient(client, config),
    logger,
    maxBacklog: config.INTAKE_MAX_BACKLOG,
    maxInFlight: config.INTAKE_MAX_IN_FLIGHT,
  }).start();
  const app = createApp({
    logger,
    checks: [
      { name: 'temporal', check: () => pingTemporal(client) },
      { name: 'database', check: () => pingDatabase(db.conn) },
    ],
    v1: createV1Router({
      config,
      temporal: client,
      repos: db.repos,
      keyring,
      logger,
      intake,
      // Every response in every test must match its declared schema exactly.
      strictResponses: true,
    }),
    hosted: hostedRouter({ repos: db.repos, config }),
    callbacks: callbackRouter({
      repos: db.repos,
      watch: new TicketWatchClient(client, config),
      logger,
      allowPrivateHosts: true,
    }),
  });
  server?.on('request', app);
  const partnerToken = async (partnerId: string) =>
    (await db.repos.tokens.create({ kind: 'partner', partnerId, name: `test ${partnerId}` })).token;
  const tokens = {
    p1: await partnerToken('p1'),
    p2: await partnerToken('p2'),
    service: (await db.repos.tokens.create({ kind: 'service', name: 'portal' })).token,
  };
  return {
    app,
    db,
    config,
    client,
    keyring,
    intake,
    workflowsQuery: `TaskQueue IN ("${config.TEMPORAL_TASK_QUEUE}", "${config.TEMPORAL_INTERACTIVE_TASK_QUEUE}")`,
    logLines: lines,
    tokens,
    ...(url ? { url } : {}),
    stop: async () => {
      if (server) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      await intake.stop();
      workers.shutdown();
      await workerRun;
      await Promise.all([db.close(), connection.close(), nativeConnection.close()]);
    },
  };
}
