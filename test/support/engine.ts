import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Express } from 'express';
import { createApp } from '../../api/app';
import { createV1Router } from '../../api/v1';
import { loadConfig, type Config } from '../../config';
import { pingDatabase } from '../../db';
import type { Keyring } from '../../security';
import { createDataConverter } from '../../temporal/data-converter';
import { pingTemporal } from '../../temporal/connection';
import { requireTool } from '../../dev/tools';
import { DEMO_CREDENTIALS } from '../../simulator';
import { createWorkers } from '../../worker/worker';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { openTestDatabase, type TestDatabase } from './db';
import { randomKey, testKeyring } from './keys';
import { captureLogger } from './logger';

export interface Engine {
  app: Express;
  db: TestDatabase;
  config: Config;
  client: Client;
  keyring: Keyring;
  env: TestWorkflowEnvironment;
  logLines: string[];
  /** Bearer tokens of partners p1 and p2, and a service token that acts for any partner. */
  tokens: { p1: string; p2: string; service: string };
  stop(): Promise<void>;
}

/**
 * The engine in one process over real servers: a Temporal dev server (the real CLI, search
 * attributes registered), FerretDB, a worker with the real activities, and the API app.
 */
export async function startEngine(label: string, env: NodeJS.ProcessEnv = {}): Promise<Engine> {
  const taskQueue = `tq-${label}`;
  const db = await openTestDatabase(label);
  const temporalEnv = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: requireTool('temporal') },
      searchAttributes: SEARCH_ATTRIBUTES,
      ui: false,
      log: { format: 'json', level: 'error' },
    },
  });
  const config = loadConfig({
    ENCRYPTION_KEY: randomKey(),
    CW_CLIENT_ID: DEMO_CREDENTIALS.clientId,
    CW_ALLOW_PRIVATE_HOSTS: 'true',
    TEMPORAL_TASK_QUEUE: taskQueue,
    TEMPORAL_INTERACTIVE_TASK_QUEUE: `${taskQueue}-interactive`,
    MONGODB_URI: db.uri,
    ...env,
  });
  const keyring = testKeyring();
  const dataConverter = createDataConverter(keyring);
  const client = new Client({
    connection: temporalEnv.connection,
    namespace: temporalEnv.namespace,
    dataConverter,
  });
  const { logger, lines } = captureLogger();
  const workers = await createWorkers({
    config,
    connection: temporalEnv.nativeConnection,
    keyring,
    deps: { repos: db.repos, keyring, cw: config, logger },
  });
  const workerRun = workers.run();
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
      // Every response in every test must match its declared schema exactly.
      strictResponses: true,
    }),
  });
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
    env: temporalEnv,
    logLines: lines,
    tokens,
    stop: async () => {
      workers.shutdown();
      await workerRun;
      await db.close();
      await temporalEnv.teardown();
    },
  };
}
