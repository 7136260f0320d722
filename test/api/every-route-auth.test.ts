import request from 'supertest';
import { as, pushCustomers, useSetupStack } from './setup-helpers';

/**
 * Partner p1 has everything a partner can have (an integration, customers, products, usage,
 * settings); p2 probes it. Every documented route must answer p2 exactly as it answers for a
 * partner that does not exist, and never with p1's data.
 */
const suite = useSetupStack('every-route', [{ customerId: 'c1', name: 'Acme Corp' }]);
/** p1's billing run in the sync history, with a customer's result and an audited change. */
let syncRunId = '';

async function seedSyncHistory() {
  const { repos } = suite.engine.db;
  const ref = {
    partnerId: 'p1',
    integrationId: suite.integrationId,
    runKey: `billing-run:${suite.integrationId}:a.1`,
  };
  const at = new Date();
  const run = await repos.syncRuns.record({
    ...ref,
    kind: 'billing',
    trigger: 'manual',
    workflowId: ref.runKey,
    runId: 'r1',
    startedAt: at,
    outcome: 'succeeded',
    summary: '1 agreements: 1 in sync; 1 create',
  });
  syncRunId = run.id;
  await repos.billingResults.record(ref, [
    { customerId: 'c1', agreementId: 300, outcome: 'succeeded', counts: { create: 1 } },
  ]);
  await repos.billingChanges.record(
    {
      ...ref,
      trigger: 'manual',
      customerId: 'c1',
      agreementId: 300,
      sku: 'dx-seat',
      additionId: 7001,
      action: 'create',
      from: null,
      to: { quantity: 12 },
      outcome: 'applied',
      message: null,
      at,
    },
    { slot: 'x' },
  );
}

beforeAll(async () => {
  const app = suite.engine.app;
  const service = as(suite.engine.tokens.service);
  await pushCustomers(suite, 'p2', [{ customerId: 'c2', name: 'Other Co' }]);
  const products = await request(app)
    .put('/v1/partners/p1/products')
    .set(service)
    .send({ products: [{ sku: 'dx-seat', name: 'DefensX seat', price: 3, cost: 1 }] });
  expect(products.status).toBe(200);
  const usage = await request(app)
    .put('/v1/partners/p1/customers/c1/usage')
    .set(service)
    .send({ usage: [{ sku: 'dx-seat', quantity: 12 }] });
  expect(usage.status).toBe(200);
  const settings = await request(app)
    .put('/v1/partners/p1/connectwise/ticket-settings')
    .set(service)
    .send({ enabled: false });
  expect(settings.status).toBe(200);
  await seedSyncHistory();
});

interface Operation {
  method: string;
  template: string;
}

async function documentedOperations(): Promise<Operation[]> {
  const doc = await request(suite.engine.app).get('/v1/openapi.json');
  const paths = doc.body.paths as Record<string, Record<string, { security?: unknown[] }>>;
  return Object.entries(paths).flatMap(([template, methods]) =>
    Object.keys(methods).map((method) => ({ method, template })),
  );
}

/** The operation's path for a partner, with every other parameter filled with real p1 ids. */
const pathFor = (op: Operation, partnerId: string) =>
  `/v1${op.template
    .replace('{partnerId}', partnerId)
    .replace('{customerId}', 'c1')
    .replace('{id}', syncRunId)
    .replace(/\{[A-Za-z]+\}/g, '1')}`;

const send = (method: string, path: string) =>
  (request(suite.engine.app) as unknown as Record<string, (p: string) => request.Test>)[method]!(
    path,
  );

test('the API documents a few dozen operations, each with a security requirement', async () => {
  const ops = await documentedOperations();
  expect(ops.length).toBeGreaterThan(20);
  const doc = await request(suite.engine.app).get('/v1/openapi.json');
  for (const { method, template } of ops) {
    expect([method, template, doc.body.paths[template][method].security]).toEqual([
      method,
      template,
      [{ bearerAuth: [] }],
    ]);
  }
});

test('every documented route answers 401 without a token', async () => {
  for (const op of await documentedOperations()) {
    const path = pathFor(op, 'p1');
    const res = await send(op.method, path).send({});
    expect(`${op.method} ${path} ${res.status}`).toBe(`${op.method} ${path} 401`);
  }
});

test("another partner's token gets exactly what a partner that does not exist gives, whatever p1 holds", async () => {
  const p2 = as(suite.engine.tokens.p2);
  for (const op of await documentedOperations()) {
    const probe = await send(op.method, pathFor(op, 'p1')).set(p2).send({});
    const nobody = await send(op.method, pathFor(op, 'nobody')).set(p2).send({});
    const line = (r: request.Response) =>
      `${op.method} ${op.template} ${r.status} ${JSON.stringify(r.body)}`;
    expect(line(probe)).toBe(line(nobody));
    expect(probe.status).toBe(404);
    expect(JSON.stringify(probe.body)).not.toMatch(/Acme|dx-seat|c1|integration/i);
  }
});

test('p1 itself still reaches its data through the same routes', async () => {
  const res = await request(suite.engine.app)
    .get('/v1/partners/p1/customers')
    .set(as(suite.engine.tokens.p1));
  expect(res.status).toBe(200);
  expect(res.body.customers).toEqual([{ customerId: 'c1', name: 'Acme Corp' }]);
});

test("p1 itself reaches its sync history (what p2's probes must not see)", async () => {
  const p1 = as(suite.engine.tokens.p1);
  const base = '/v1/partners/p1/connectwise';
  const detail = await request(suite.engine.app).get(`${base}/sync-runs/${syncRunId}`).set(p1);
  expect(detail.status).toBe(200);
  expect(detail.body.results).toMatchObject([{ customerId: 'c1' }]);
  expect(detail.body.changes).toMatchObject([{ customerId: 'c1', sku: 'dx-seat' }]);
  const changes = await request(suite.engine.app).get(`${base}/billing/changes`).set(p1);
  expect(changes.body.changes).toMatchObject([{ sku: 'dx-seat' }]);
});

test('the docs page is served', async () => {
  const res = await request(suite.engine.app).get('/v1/docs/');
  expect(res.status).toBe(200);
  expect(res.text).toContain('swagger-ui');
});
