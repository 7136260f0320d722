import { hostname } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import mongoose from 'mongoose';
import request from 'supertest';
import { createApp } from '../../api/app';
import { freePort } from '../../dev/processes';
import { pingDatabase } from '../../db';
import { pingTemporal } from '../../temporal/connection';
import { captureLogger } from '../support/logger';
import { openTestDatabase, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase('health');
});
afterAll(async () => {
  await db.close();
});

test('/readyz answers 503 naming each unreachable dependency, without internals', async () => {
  const deadPort = await freePort();
  const temporal = new Client({
    connection: Connection.lazy({ address: `127.0.0.1:${deadPort}` }),
  });
  const deadDb = mongoose.createConnection(`mongodb://127.0.0.1:${deadPort}/x`, {
    serverSelectionTimeoutMS: 300,
  });
  deadDb.asPromise().catch(() => undefined);
  const { logger } = captureLogger();
  const app = createApp({
    logger,
    checks: [
      { name: 'temporal', check: () => pingTemporal(temporal) },
      { name: 'database', check: () => pingDatabase(deadDb) },
    ],
  });
  const res = await request(app).get('/readyz');
  expect(res.status).toBe(503);
  expect(res.body).toEqual({
    status: 'unavailable',
    instance: `${hostname()}:${process.pid}`,
    failing: ['temporal', 'database'],
    dependencies: { temporal: 'unreachable', database: 'unreachable' },
  });
  expect((await request(app).get('/healthz')).status).toBe(200);
  await deadDb.close();
}, 20_000);

test('/readyz names only the dependency that is down', async () => {
  const deadPort = await freePort();
  const temporal = new Client({
    connection: Connection.lazy({ address: `127.0.0.1:${deadPort}` }),
  });
  const app = createApp({
    logger: captureLogger().logger,
    checks: [
      { name: 'temporal', check: () => pingTemporal(temporal) },
      { name: 'database', check: () => pingDatabase(db.conn) },
    ],
  });
  const res = await request(app).get('/readyz');
  expect(res.status).toBe(503);
  expect(res.body.failing).toEqual(['temporal']);
  expect(res.body.dependencies.database).toBe('ok');
}, 20_000);

test('/healthz and /readyz name the process: INSTANCE_ID when set (the local stack checks it)', async () => {
  const app = createApp({ logger: captureLogger().logger, checks: [], instance: 'api-7' });
  expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok', instance: 'api-7' });
  expect((await request(app).get('/readyz')).body).toEqual({
    status: 'ready',
    instance: 'api-7',
    dependencies: {},
  });
});
