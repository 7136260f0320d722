import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection as TemporalConnection } from '@temporalio/client';
import type { Express } from 'express';
import type { Connection } from 'mongoose';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createV1Router } from '../../api/v1';
import { loadConfig } from '../../config';
import { connectDatabase, createRepositories, pingDatabase } from '../../db';
import { discardLines } from '../../dev/managed';
import { freePort, startFerretDb, type FerretDb } from '../../dev/processes';
import { DEMO_CREDENTIALS } from '../../simulator';
import { randomKey, testKeyring } from '../support/keys';
import { captureLogger } from '../support/logger';

// The API over a FerretDB of its own, which the test stops and starts again: a request must get
// a 503 within a few seconds (supertest's timeout is the failure), never hang or answer 500.
const FEW_SECONDS = 8000;

let dataDir: string;
let ferret: FerretDb;
let conn: Connection;
let app: Express;
let logLines: string[];
let token: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cw-db-down-'));
  ferret = await startFerretDb({ dataDir, log: discardLines });
  conn = await connectDatabase({ uri: ferret.uri });
  const repos = await createRepositories(conn);
  const config = loadConfig({
    ENCRYPTION_KEY: randomKey(),
    CW_CLIENT_ID: DEMO_CREDENTIALS.clientId,
    MONGODB_URI: ferret.uri,
  });
  // The vendor routes do not use Temporal; nothing listens here.
  const temporal = new Client({
    connection: TemporalConnection.lazy({ address: `127.0.0.1:${await freePort()}` }),
  });
  const { logger, lines } = captureLogger();
  logLines = lines;
  app = createApp({
    logger,
    checks: [{ name: 'database', check: () => pingDatabase(conn) }],
    v1: createV1Router({ config, temporal, repos, keyring: testKeyring(), logger }),
  });
  token = (await repos.tokens.create({ kind: 'partner', partnerId: 'p1', name: 't' })).token;
}, 60_000);
afterAll(async () => {
  await conn?.close();
  await ferret?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const customers = () =>
  request(app)
    .get('/v1/partners/p1/customers')
    .set('Authorization', `Bearer ${token}`)
    .timeout(FEW_SECONDS);
const push = () =>
  request(app)
    .put('/v1/partners/p1/customers')
    .set('Authorization', `Bearer ${token}`)
    .send({ customers: [{ customerId: 'c-1', name: 'Acme' }] })
    .timeout(FEW_SECONDS);
const readyz = () => request(app).get('/readyz').timeout(FEW_SECONDS);

test('with the database stopped, /readyz and authenticated routes answer 503 in seconds; restarted, they recover', async () => {
  expect((await push()).status).toBe(200);
  expect((await readyz()).status).toBe(200);
  const { port } = ferret;
  await ferret.stop();

  const ready = await readyz();
  expect(ready.status).toBe(503);
  expect(ready.body.dependencies).toEqual({ database: 'unreachable' });
  for (const res of [await customers(), await push()]) {
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: { code: 'database_unavailable', message: 'the database is unavailable; try again' },
    });
  }
  expect(logLines.join('\n')).not.toMatch(/unhandled error/);
  expect(logLines.join('\n')).not.toContain(token);

  ferret = await startFerretDb({ dataDir, port, log: discardLines });
  const back = await customers();
  expect(back.status).toBe(200);
  expect(back.body.customers).toEqual([{ customerId: 'c-1', name: 'Acme' }]);
  expect((await readyz()).status).toBe(200);
}, 60_000);

test('readiness is a real query on the tokens collection with a deadline, not only a ping', async () => {
  const calls: Array<{ collection: string; method: string; options: unknown }> = [];
  conn.set('debug', (collection: string, method: string, ...args: unknown[]) => {
    calls.push({ collection, method, options: args[args.length - 1] });
  });
  try {
    await pingDatabase(conn, 1500);
  } finally {
    conn.set('debug', false);
  }
  expect(calls).toEqual([
    {
      collection: 'apitokens',
      method: 'findOne',
      options: expect.objectContaining({ maxTimeMS: 1500 }),
    },
  ]);
});
