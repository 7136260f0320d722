import { Client, Connection } from '@temporalio/client';
import type { Express } from 'express';
import { createApp } from '../../api/app';
import { createV1Router } from '../../api/v1';
import { loadConfig } from '../../config';
import { freePort } from '../../dev/processes';
import { DEMO_CREDENTIALS } from '../../simulator';
import { openTestDatabase, type TestDatabase } from './db';
import { randomKey, testKeyring } from './keys';
import { captureLogger } from './logger';

export interface ApiOnly {
  app: Express;
  db: TestDatabase;
  logLines: string[];
  /** Bearer tokens of partner p1 and of a service that acts for any partner. */
  tokens: { p1: string; service: string };
  close(): Promise<void>;
}

/**
 * The API over the real database with a Temporal client that never connects: for requests the
 * API answers itself (validation, headers, auth). Much lighter than `startEngine`.
 */
export async function startApiOnly(
  label: string,
  /** Configuration over the defaults (e.g. CW_ALLOW_PRIVATE_HOSTS: 'false'). */
  env: NodeJS.ProcessEnv = {},
  /** Every answer must match its declared schema exactly (test/support/engine.ts does so). */
  options: { strictResponses?: boolean } = {},
): Promise<ApiOnly> {
  const db = await openTestDatabase(label);
  const config = loadConfig({
    ENCRYPTION_KEY: randomKey(),
    CW_CLIENT_ID: DEMO_CREDENTIALS.clientId,
    CW_ALLOW_PRIVATE_HOSTS: 'true',
    MONGODB_URI: db.uri,
    ...env,
  });
  const temporal = new Client({
    connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}` }),
  });
  const { logger, lines } = captureLogger();
  const v1 = createV1Router({
    config,
    temporal,
    repos: db.repos,
    keyring: testKeyring(),
    logger,
    strictResponses: options.strictResponses,
  });
  const app = createApp({ logger, checks: [], v1 });
  const tokens = {
    p1: (await db.repos.tokens.create({ kind: 'partner', partnerId: 'p1', name: 'p1' })).token,
    service: (await db.repos.tokens.create({ kind: 'service', name: 'portal' })).token,
  };
  return { app, db, logLines: lines, tokens, close: () => db.close() };
}
