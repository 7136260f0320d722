import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Express } from 'express';
import request from 'supertest';
import { TicketIntake } from '../../services/tickets/intake';
import { TicketClient } from '../../services/tickets/ticket-client';
import { createApp } from '../../api/app';
import { createV1Router } from '../../api/v1';
import { loadConfig } from '../../config';
import { requireTool } from '../../dev/tools';
import { DEMO_CREDENTIALS } from '../../simulator';
import { sealPrivateKey } from '../../services/integration-client';
import { createDataConverter } from '../../temporal/data-converter';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { randomKey, testKeyring } from '../support/keys';
import { captureLogger } from '../support/logger';

// Every route that needs Temporal, with a Temporal client whose server was stopped: one 503 shape.
let db: TestDatabase;
let app: Express;
let connection: Connection;
let service: string;
let intake: TicketIntake | undefined;
const keyring = testKeyring();
const credentials = { site: 'https://cw.example', companyId: 'acme', publicKey: 'pub' };

beforeAll(async () => {
  db = await openTestDatabase('temporal-down');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: requireTool('temporal') },
      ui: false,
      log: { format: 'json', level: 'error' },
    },
  });
  connection = await Connection.connect({ address: env.address });
  const temporal = new Client({ connection, dataConverter: createDataConverter(keyring) });
  await temporal.workflowService.getSystemInfo({}); // it was up, and connected
  await env.teardown();

  const config = loadConfig({
    ENCRYPTION_KEY: randomKey(),
    CW_CLIENT_ID: DEMO_CREDENTIALS.clientId,
    MONGODB_URI: db.uri,
  });
  const { logger } = captureLogger();
  // Stopped before the connection closes (it keeps trying to hand the events over).
  intake = new TicketIntake({
    repos: db.repos,
    tickets: new TicketClient(temporal, config),
    logger,
    maxBacklog: config.INTAKE_MAX_BACKLOG,
    maxInFlight: config.INTAKE_MAX_IN_FLIGHT,
  }).start();
  app = createApp({
    logger,
    checks: [],
    v1: createV1Router({ config, temporal, repos: db.repos, keyring, logger, intake }),
  });
  service = (await db.repos.tokens.create({ kind: 'service', name: 'portal' })).token;
  for (const [partnerId, state] of [
    ['active', 'active'],
    ['to-pause', 'active'],
    ['paused', 'paused'],
    ['to-sync', 'active'],
    ['to-delete', 'active'],
  ] as const) {
    const { id } = await db.repos.integrations.create({
      ...credentials,
      partnerId,
      sealPrivateKey: (integrationId) => sealPrivateKey(keyring, integrationId, 'private'),
    });
    if (state === 'paused') await db.repos.integrations.update(partnerId, id, { state });
  }
}, 120_000);
afterAll(async () => {
  await intake?.stop();
  await connection?.close();
  await db?.close();
});

const call = (
  method: 'post' | 'patch' | 'delete',
  partnerId: string,
  path: string,
  body?: object,
) => {
  const url = `/v1/partners/${partnerId}/connectwise${path}`;
  return request(app)[method](url).set('Authorization', `Bearer ${service}`).send(body);
};

test('every route that needs Temporal answers 503 temporal_unavailable, and changes nothing', async () => {
  const typed = { ...credentials, privateKey: 'private' };
  const routes = {
    'test connection': call('post', 'new', '/test-connection', typed),
    create: call('post', 'new', '/integration', typed),
    'change keys': call('patch', 'active', '/integration', { privateKey: 'new-private' }),
    validate: call('post', 'active', '/integration/validate'),
    pause: call('post', 'to-pause', '/integration/pause'),
    resume: call('post', 'paused', '/integration/resume'),
    synchronize: call('post', 'to-sync', '/synchronize'),
    delete: call('delete', 'to-delete', '/integration'),
  };
  const answers = await Promise.all(
    Object.entries(routes).map(async ([route, answer]) => {
      const res = await answer;
      return { route, status: res.status, body: res.body as unknown };
    }),
  );
  expect(answers).toEqual(
    Object.keys(routes).map((route) => ({
      route,
      status: 503,
      body: { error: { code: 'temporal_unavailable', message: expect.any(String) } },
    })),
  );
  // A pause the workflow could not be told of is undone; a delete did not happen.
  expect((await db.repos.integrations.findForPartner('to-pause'))?.state).toBe('active');
  expect((await db.repos.integrations.findForPartner('paused'))?.state).toBe('paused');
  expect((await db.repos.integrations.findForPartner('to-delete'))?.state).toBe('active');
  expect(await db.repos.integrations.findForPartner('new')).toBeUndefined();
}, 60_000);

test('security events are still accepted: answered 202, the reports wait in the outbox', async () => {
  const integration = await db.repos.integrations.findForPartner('active');
  const pushed = await request(app)
    .put('/v1/partners/active/customers')
    .set('Authorization', `Bearer ${service}`)
    .send({ customers: [{ customerId: 'c-1', name: 'One' }] });
  expect(pushed.status).toBe(200);
  const event = (key: string) => ({
    key,
    customerId: 'c-1',
    title: 'Phishing site blocked',
    severity: 'high',
    description: '',
    occurredAt: new Date().toISOString(),
  });
  const res = await call('post', 'active', '/events', { events: [event('e-1'), event('e-2')] });
  expect(res.status).toBe(202);
  const scope = { partnerId: 'active', integrationId: integration!.id };
  expect((await db.repos.ticketEvents.get(scope, 'e-1'))?.state).toBe('pending');
  expect(await db.repos.ticketIntake.count()).toBe(2);
}, 60_000);
