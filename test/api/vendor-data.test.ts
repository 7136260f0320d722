import request from 'supertest';
import { startEngine, type Engine } from '../support/engine';

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine('vendor');
}, 120_000);
afterAll(async () => {
  await engine?.stop();
});

const as = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('vendor data intake', () => {
  test('customers upsert is idempotent and lists back', async () => {
    const body = {
      customers: [
        { customerId: 'c-1', name: 'Acme Corp' },
        { customerId: 'c-2', name: 'Globex' },
      ],
    };
    const first = await request(engine.app)
      .put('/v1/partners/p1/customers')
      .set(as(engine.tokens.p1))
      .send(body);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: 2, created: 2, updated: 0 });
    const again = await request(engine.app)
      .put('/v1/partners/p1/customers')
      .set(as(engine.tokens.p1))
      .send(body);
    expect(again.body).toEqual({ received: 2, created: 0, updated: 0 });
    const list = await request(engine.app)
      .get('/v1/partners/p1/customers')
      .set(as(engine.tokens.p1));
    expect(list.body).toEqual({ customers: body.customers, nextCursor: null });
    const first1 = await request(engine.app)
      .get('/v1/partners/p1/customers?pageSize=1')
      .set(as(engine.tokens.p1));
    expect(first1.body.customers).toEqual([body.customers[0]]);
    const second1 = await request(engine.app)
      .get('/v1/partners/p1/customers')
      .query({ pageSize: 1, cursor: first1.body.nextCursor })
      .set(as(engine.tokens.p1));
    expect(second1.body).toEqual({ customers: [body.customers[1]], nextCursor: null });
  });

  test('bad input is refused with each field named, and nothing is written', async () => {
    const res = await request(engine.app)
      .put('/v1/partners/p1/products')
      .set(as(engine.tokens.p1))
      .send({
        products: [
          { sku: 'ok-1', name: 'Seat', price: 3, cost: 1 },
          { sku: 'bad sku!', name: '', price: -1, cost: 1 },
        ],
      });
    expect(res.status).toBe(400);
    const fields = (res.body.error.fields as Array<{ field: string }>).map((f) => f.field).sort();
    expect(fields).toEqual([
      'body.products.1.name',
      'body.products.1.price',
      'body.products.1.sku',
    ]);
    const list = await request(engine.app)
      .get('/v1/partners/p1/products')
      .set(as(engine.tokens.p1));
    expect(list.body.products).toEqual([]);
  });

  test('usage for an unknown customer or sku is refused naming the field; known ones save', async () => {
    await request(engine.app)
      .put('/v1/partners/p1/customers')
      .set(as(engine.tokens.p1))
      .send({ customers: [{ customerId: 'c-9', name: 'Initech' }] });
    await request(engine.app)
      .put('/v1/partners/p1/products')
      .set(as(engine.tokens.p1))
      .send({ products: [{ sku: 'dfx-seat', name: 'DefensX seat', price: 4, cost: 2 }] });
    const unknownSku = await request(engine.app)
      .put('/v1/partners/p1/customers/c-9/usage')
      .set(as(engine.tokens.p1))
      .send({
        usage: [
          { sku: 'dfx-seat', quantity: 10 },
          { sku: 'nope', quantity: 1 },
        ],
      });
    expect(unknownSku.status).toBe(400);
    expect(unknownSku.body.error.fields).toEqual([
      { field: 'body.usage.1.sku', message: 'unknown sku nope' },
    ]);
    expect(await engine.db.repos.vendor.getUsage('p1', 'c-9')).toBeUndefined();

    const unknownCustomer = await request(engine.app)
      .put('/v1/partners/p1/customers/zzz/usage')
      .set(as(engine.tokens.p1))
      .send({ usage: [{ sku: 'dfx-seat', quantity: 10 }] });
    expect(unknownCustomer.status).toBe(400);
    expect(unknownCustomer.body.error.fields[0].field).toBe('params.customerId');

    const ok = await request(engine.app)
      .put('/v1/partners/p1/customers/c-9/usage')
      .set(as(engine.tokens.p1))
      .send({ usage: [{ sku: 'dfx-seat', quantity: 10, asOf: '2026-11-01T00:00:00Z' }] });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ applied: true, received: 1, asOf: '2026-11-01T00:00:00.000Z' });
    expect(await engine.db.repos.vendor.getUsage('p1', 'c-9')).toEqual({
      asOf: new Date('2026-11-01T00:00:00Z'),
      lines: [{ sku: 'dfx-seat', quantity: 10, asOf: new Date('2026-11-01T00:00:00Z') }],
    });
  });

  test('pushing the same 150 customers twice answers at once both times', async () => {
    const customers = Array.from({ length: 150 }, (_, i) => ({
      customerId: `bulk-${i}`,
      name: `Bulk ${i}`,
    }));
    const push = () =>
      request(engine.app)
        .put('/v1/partners/p2/customers')
        .set(as(engine.tokens.p2))
        .send({ customers })
        .timeout(20_000);
    expect((await push()).body).toEqual({ received: 150, created: 150, updated: 0 });
    expect((await push()).body).toEqual({ received: 150, created: 0, updated: 0 });
    const list = await request(engine.app)
      .get('/v1/partners/p2/customers')
      .set(as(engine.tokens.p2));
    expect(list.body.customers).toHaveLength(150);
  }, 30_000);
});

describe('usage intake', () => {
  const putUsage = (customerId: string, body: object) =>
    request(engine.app)
      .put(`/v1/partners/p1/customers/${customerId}/usage`)
      .set(as(engine.tokens.p1))
      .send(body);
  const stored = (customerId: string) => engine.db.repos.vendor.getUsage('p1', customerId);

  beforeAll(async () => {
    await engine.db.repos.vendor.upsertCustomers('p1', [{ customerId: 'u-1', name: 'Usage Co' }]);
    await engine.db.repos.vendor.upsertProducts('p1', [
      { sku: 'seat', name: 'Seat', description: '', price: 4, cost: 2 },
      { sku: 'dlp', name: 'DLP', description: '', price: 2, cost: 1 },
    ]);
  });

  test('a push replaces the whole set: a dropped product is gone, and an empty set is accepted', async () => {
    await putUsage('u-1', {
      asOf: '2026-11-01T00:00:00Z',
      usage: [
        { sku: 'seat', quantity: 10 },
        { sku: 'dlp', quantity: 4 },
      ],
    });
    const dropped = await putUsage('u-1', {
      asOf: '2026-11-02T00:00:00Z',
      usage: [{ sku: 'seat', quantity: 11 }],
    });
    expect(dropped.body).toEqual({ applied: true, received: 1, asOf: '2026-11-02T00:00:00.000Z' });
    expect((await stored('u-1'))?.lines.map((l) => l.sku)).toEqual(['seat']);
    const empty = await putUsage('u-1', { asOf: '2026-11-03T00:00:00Z', usage: [] });
    expect(empty.status).toBe(200);
    expect(await stored('u-1')).toEqual({ asOf: new Date('2026-11-03T00:00:00Z'), lines: [] });
  });

  test('an older set is ignored, and the answer says so', async () => {
    await putUsage('u-1', { asOf: '2026-11-10T00:00:00Z', usage: [{ sku: 'seat', quantity: 20 }] });
    const older = await putUsage('u-1', {
      usage: [{ sku: 'seat', quantity: 1, asOf: '2026-11-09T00:00:00Z' }],
    });
    expect(older.status).toBe(200);
    expect(older.body).toEqual({
      applied: false,
      received: 1,
      asOf: '2026-11-10T00:00:00.000Z',
      reason: "older than the stored set's asOf 2026-11-10T00:00:00.000Z",
    });
    expect((await stored('u-1'))?.lines).toEqual([
      { sku: 'seat', quantity: 20, asOf: new Date('2026-11-10T00:00:00Z') },
    ]);
  });

  test('each line keeps its own asOf; the set defaults to the newest line', async () => {
    const res = await putUsage('u-1', {
      usage: [
        { sku: 'seat', quantity: 21, asOf: '2026-11-12T00:00:00Z' },
        { sku: 'dlp', quantity: 2, asOf: '2026-11-11T00:00:00Z' },
      ],
    });
    expect(res.body.asOf).toBe('2026-11-12T00:00:00.000Z');
    expect(await stored('u-1')).toEqual({
      asOf: new Date('2026-11-12T00:00:00Z'),
      lines: [
        { sku: 'dlp', quantity: 2, asOf: new Date('2026-11-11T00:00:00Z') },
        { sku: 'seat', quantity: 21, asOf: new Date('2026-11-12T00:00:00Z') },
      ],
    });
  });

  test('a time in the future, or a line newer than its set, is refused naming the field', async () => {
    const future = await putUsage('u-1', { asOf: '2999-01-01T00:00:00Z', usage: [] });
    expect(future.status).toBe(400);
    expect(future.body.error.fields).toEqual([
      { field: 'body.asOf', message: 'must not be in the future' },
    ]);
    const lineAfterSet = await putUsage('u-1', {
      asOf: '2026-11-13T00:00:00Z',
      usage: [{ sku: 'seat', quantity: 1, asOf: '2026-11-14T00:00:00Z' }],
    });
    expect(lineAfterSet.status).toBe(400);
    expect(lineAfterSet.body.error.fields).toEqual([
      { field: 'body.usage.0.asOf', message: "must not be after the set's asOf" },
    ]);
  });
});

describe('authentication and tenancy', () => {
  test('401 without a token, and with an unknown one', async () => {
    const none = await request(engine.app).get('/v1/partners/p1/customers');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    const bad = await request(engine.app).get('/v1/partners/p1/customers').set(as('cwe_nope'));
    expect(bad.status).toBe(401);
  });

  test("another partner's resources answer 404, the service token reaches any partner", async () => {
    const cross = await request(engine.app)
      .get('/v1/partners/p1/customers')
      .set(as(engine.tokens.p2));
    expect(cross.status).toBe(404);
    expect(JSON.stringify(cross.body)).not.toMatch(/forbidden|p2/i);
    const service = await request(engine.app)
      .get('/v1/partners/p1/customers')
      .set(as(engine.tokens.service));
    expect(service.status).toBe(200);
  });

  test('a revoked token stops working', async () => {
    const { token, id } = await engine.db.repos.tokens.create({
      kind: 'partner',
      partnerId: 'p1',
      name: 'temp',
    });
    expect((await request(engine.app).get('/v1/partners/p1/customers').set(as(token))).status).toBe(
      200,
    );
    await engine.db.repos.tokens.revoke(id);
    expect((await request(engine.app).get('/v1/partners/p1/customers').set(as(token))).status).toBe(
      401,
    );
  });
});

describe('the app shell', () => {
  test('/healthz and /readyz answer while dependencies are up', async () => {
    expect((await request(engine.app).get('/healthz')).body).toEqual({
      status: 'ok',
      instance: expect.any(String),
    });
    const ready = await request(engine.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.dependencies).toEqual({ temporal: 'ok', database: 'ok' });
  });

  test('malformed JSON and unknown routes get JSON errors without internals', async () => {
    const bad = await request(engine.app)
      .put('/v1/partners/p1/customers')
      .set(as(engine.tokens.p1))
      .set('Content-Type', 'application/json')
      .send('{"customers": [');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      error: { code: 'invalid_json', message: 'request body is not valid JSON' },
    });
    const missing = await request(engine.app).get('/nope');
    expect(missing.status).toBe(404);
    expect(JSON.stringify(missing.body)).not.toMatch(/stack|at \//);
  });

  test('the NUL character, which the database cannot keep, is a 400 naming its field, in a body or a query', async () => {
    const put = await request(engine.app)
      .put('/v1/partners/p1/customers')
      .set(as(engine.tokens.p1))
      .set('Content-Type', 'application/json')
      .send('{"customers":[{"customerId":"nul-1","name":"Acme\\u0000 Corp"}]}');
    expect(put.status).toBe(400);
    expect(put.body.error.fields).toEqual([
      { field: 'body.customers.0.name', message: 'must not contain the NUL character (U+0000)' },
    ]);
    const get = await request(engine.app)
      .get('/v1/partners/p1/customers?cursor=ab%00cd')
      .set(as(engine.tokens.p1));
    expect(get.status).toBe(400);
    expect(get.body.error.fields.map((f: { field: string }) => f.field)).toEqual(['query.cursor']);
    // A cursor is a position: one whose key decodes to NUL characters is the start of the list.
    const zeros = await request(engine.app)
      .get(`/v1/partners/p1/customers?cursor=${Buffer.from('\0\0').toString('base64url')}`)
      .set(as(engine.tokens.p1));
    expect(zeros.status).toBe(200);
  });

  test("another partner's path is 404 whatever the body: what is wrong with it is told only to its owner", async () => {
    const bodies: Array<[string, string]> = [
      ['application/json', '{"customers": ['],
      ['text/plain', 'customers'],
      ['application/json; charset=latin1', '{"customers":[]}'],
    ];
    for (const [type, body] of bodies) {
      const send = (partnerId: string) =>
        request(engine.app)
          .put(`/v1/partners/${partnerId}/customers`)
          .set(as(engine.tokens.p1))
          .set('Content-Type', type)
          .send(body);
      expect((await send('p2')).status).toBe(404);
      expect((await send('p1')).status).toBeGreaterThanOrEqual(400);
      expect((await send('p1')).status).not.toBe(404);
    }
  });

  test('a body in a charset the API does not read gets a 4xx, not a 500', async () => {
    const res = await request(engine.app)
      .put('/v1/partners/p1/customers')
      .set(as(engine.tokens.p1))
      .set('Content-Type', 'application/json; charset=latin1')
      .send('{"customers":[]}');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('charset_unsupported');
  });

  test('/v1/openapi.json describes the routes', async () => {
    const doc = await request(engine.app).get('/v1/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toContain(
      '/partners/{partnerId}/customers/{customerId}/usage',
    );
  });
});
