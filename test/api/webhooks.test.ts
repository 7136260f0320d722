import request from 'supertest';
import { startApiOnly, type ApiOnly } from '../support/api-only';
import { as, fieldsOf, messageFor } from './setup-helpers';

/**
 * Webhook subscriptions over the API (issue 19), as production runs it: private hosts not allowed.
 * Subscribe, list, read, ping, read deliveries, unsubscribe; the secret is shown once and stored
 * sealed; receivers get the SSRF rules of ConnectWise sites; another partner's ids are not found.
 * Delivery itself is test/workflows/webhook-delivery.test.ts and test/api/webhooks-e2e.test.ts.
 */
let api: ApiOnly;
beforeAll(async () => {
  api = await startApiOnly(
    'webhooks-api',
    { CW_ALLOW_PRIVATE_HOSTS: 'false' },
    {
      strictResponses: true,
    },
  );
});
afterAll(() => api?.close());

const base = (partnerId = 'p1') => `/v1/partners/${partnerId}/webhooks`;
const PUBLIC_URL = 'https://93.184.216.34/defensx/hooks';
const p1 = () => as(api.tokens.p1);
const service = () => as(api.tokens.service);

const subscribe = (body: Record<string, unknown>, partnerId = 'p1', auth = p1()) =>
  request(api.app).post(base(partnerId)).set(auth).send(body);

test('subscribing answers the secret once; list and read never show it, nor does the database', async () => {
  const res = await subscribe({
    url: PUBLIC_URL,
    events: ['sync_run.completed', 'health_issue.opened'],
    description: 'portal',
  });
  expect(res.status).toBe(201);
  expect(res.body).toEqual({
    id: expect.stringMatching(/^wh_[0-9a-f]{24}$/),
    url: PUBLIC_URL,
    events: ['sync_run.completed', 'health_issue.opened'],
    description: 'portal',
    createdAt: expect.any(String),
    createdBy: 'p1',
    secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/),
  });
  const { id, secret } = res.body as { id: string; secret: string };

  const list = await request(api.app).get(base()).set(p1());
  expect(list.status).toBe(200);
  expect(list.body.webhooks).toEqual([
    expect.objectContaining({ id, url: PUBLIC_URL, createdBy: 'p1' }),
  ]);
  const one = await request(api.app).get(`${base()}/${id}`).set(p1());
  expect(one.status).toBe(200);
  expect(one.body).not.toHaveProperty('secret');
  expect(JSON.stringify([list.body, one.body])).not.toContain(secret);

  const stored = await api.db.conn.collection('webhooks').find({}).toArray();
  expect(JSON.stringify(stored)).not.toContain(secret);
  expect(stored[0]!.secret).toEqual({
    kid: expect.any(String),
    iv: expect.any(String),
    tag: expect.any(String),
    ct: expect.any(String),
  });
  expect(api.logLines.join('\n')).not.toContain(secret);

  expect((await request(api.app).delete(`${base()}/${id}`).set(p1())).status).toBe(204);
});

test.each([
  ['not a URL', 'portal.example.com/hooks', /absolute URL/],
  ['plain http', 'http://93.184.216.34/hooks', /must start with https:\/\//],
  ['another scheme', 'ftp://93.184.216.34/hooks', /must start with https:\/\//],
  ['credentials in it', 'https://portal:pw@93.184.216.34/hooks', /user name or password/],
  ['a fragment', 'https://93.184.216.34/hooks#x', /fragment/],
  ['a private address', 'https://10.1.2.3/hooks', /10\.1\.2\.3, a private network address/],
  ['the metadata service', 'http://169.254.169.254/latest', /https/],
  ['a link-local address', 'https://169.254.169.254/latest', /link-local/],
  ['an IPv6 loopback', 'https://[::1]:8443/hooks', /loopback/],
  ['a name for this machine', 'https://localhost:8443/hooks', /localhost points to .*loopback/],
  ['a name that does not resolve', 'https://nowhere.invalid/hooks', /could not be found/],
  ['too long', `https://93.184.216.34/${'a'.repeat(2100)}`, /2048/],
])('a receiver URL with %s is refused, naming body.url', async (_what, url, message) => {
  const res = await subscribe({ url, events: ['ticket.created'] });
  expect(res.status).toBe(400);
  expect(fieldsOf(res.body)).toEqual(['body.url']);
  expect(messageFor(res.body, 'body.url')).toMatch(message);
});

test('events must be known, given, and each once', async () => {
  const unknown = await subscribe({ url: PUBLIC_URL, events: ['ticket.created', 'ticket.eaten'] });
  expect(unknown.status).toBe(400);
  expect(fieldsOf(unknown.body)).toEqual(['body.events.1']);
  const none = await subscribe({ url: PUBLIC_URL, events: [] });
  expect(fieldsOf(none.body)).toEqual(['body.events']);
  const ping = await subscribe({ url: PUBLIC_URL, events: ['ping'] });
  expect(fieldsOf(ping.body)).toEqual(['body.events.0']);
  const twice = await subscribe({ url: PUBLIC_URL, events: ['ticket.closed', 'ticket.closed'] });
  expect(fieldsOf(twice.body)).toEqual(['body.events.1']);
  const missing = await subscribe({ events: ['ticket.closed'] });
  expect(fieldsOf(missing.body)).toEqual(['body.url']);
  const long = await subscribe({
    url: PUBLIC_URL,
    events: ['ticket.closed'],
    description: 'x'.repeat(201),
  });
  expect(fieldsOf(long.body)).toEqual(['body.description']);
});

test('a partner may have ten subscriptions; the eleventh is refused until one is removed', async () => {
  const made = await Promise.all(
    Array.from({ length: 11 }, () =>
      subscribe({ url: PUBLIC_URL, events: ['ticket.created'] }, 'p-many', service()),
    ),
  );
  expect(made.map((r) => r.status).sort()).toEqual([...Array(10).fill(201), 400]);
  const refused = made.find((r) => r.status === 400)!;
  expect(fieldsOf(refused.body)).toEqual(['body']);
  expect(messageFor(refused.body, 'body')).toMatch(/at most 10 webhook subscriptions/);
  const first = made.find((r) => r.status === 201)!.body as { id: string };
  expect(
    (
      await request(api.app)
        .delete(`${base('p-many')}/${first.id}`)
        .set(service())
    ).status,
  ).toBe(204);
  const again = await subscribe(
    { url: PUBLIC_URL, events: ['ticket.created'] },
    'p-many',
    service(),
  );
  expect(again.status).toBe(201);
});

test("another partner's webhook is not found by id, whatever the route", async () => {
  const theirs = await subscribe({ url: PUBLIC_URL, events: ['ticket.created'] }, 'p2', service());
  expect(theirs.status).toBe(201);
  const id = (theirs.body as { id: string }).id;
  const probes = [
    request(api.app).get(`${base()}/${id}`),
    request(api.app).delete(`${base()}/${id}`),
    request(api.app).post(`${base()}/${id}/ping`),
    request(api.app).get(`${base()}/${id}/deliveries`),
  ];
  for (const probe of probes) {
    const res = await probe.set(p1());
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  }
  // p1's token on p2's path: the same 404 as for any path not its own.
  expect((await request(api.app).get(base('p2')).set(p1())).status).toBe(404);
  // Still there for p2.
  expect(
    (
      await request(api.app)
        .get(`${base('p2')}/${id}`)
        .set(service())
    ).status,
  ).toBe(200);
  const malformed = await request(api.app).get(`${base()}/not-an-id`).set(p1());
  expect(malformed.status).toBe(400);
  expect(fieldsOf(malformed.body)).toEqual(['params.webhookId']);
});

test('a ping is queued for that subscription only, and the log pages newest first', async () => {
  const a = (await subscribe({ url: PUBLIC_URL, events: ['ticket.created'] })).body as {
    id: string;
  };
  const b = (await subscribe({ url: PUBLIC_URL, events: ['ticket.created'] })).body as {
    id: string;
  };
  const pings: string[] = [];
  const res = await request(api.app).post(`${base()}/${a.id}/ping`).set(p1());
  expect(res.status).toBe(202);
  expect(res.body).toEqual({ eventId: expect.stringMatching(/^evt_[0-9a-f]{32}$/) });
  pings.push(res.body.eventId as string);
  // Again at once: too soon (a ping skips the retry wait of a receiver that is down).
  const again = await request(api.app).post(`${base()}/${a.id}/ping`).set(p1());
  expect(again.status).toBe(429);
  expect(Number(again.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(again.body.error.code).toBe('ping_too_soon');
  // Two more queued as a ping queues them, for the paging.
  for (let i = 0; i < 2; i++) {
    const { eventId } = await api.db.repos.webhookDeliveries.enqueue('p1', [a.id], {
      type: 'ping',
      key: `${a.id}/paging-${i}`,
      data: { webhookId: a.id, message: 'A test delivery, sent on request.' },
    });
    pings.push(eventId);
  }
  const first = await request(api.app).get(`${base()}/${a.id}/deliveries?pageSize=2`).set(p1());
  expect(first.status).toBe(200);
  expect(first.body.deliveries).toEqual([
    expect.objectContaining({ eventId: pings[2], type: 'ping', state: 'pending', attempts: 0 }),
    expect.objectContaining({ eventId: pings[1] }),
  ]);
  expect(first.body.deliveries[0]).toEqual({
    eventId: pings[2],
    type: 'ping',
    state: 'pending',
    attempts: 0,
    createdAt: expect.any(String),
    lastAttemptAt: null,
    lastStatus: null,
    lastError: null,
    deliveredAt: null,
    missedAt: null,
    data: { webhookId: a.id, message: expect.any(String) },
  });
  const second = await request(api.app)
    .get(`${base()}/${a.id}/deliveries?pageSize=2&cursor=${first.body.nextCursor as string}`)
    .set(p1());
  expect(second.body.deliveries.map((d: { eventId: string }) => d.eventId)).toEqual([pings[0]]);
  expect(second.body.nextCursor).toBeNull();
  const delivered = await request(api.app)
    .get(`${base()}/${a.id}/deliveries?state=delivered`)
    .set(p1());
  expect(delivered.body.deliveries).toEqual([]);
  const other = await request(api.app).get(`${base()}/${b.id}/deliveries`).set(p1());
  expect(other.body.deliveries).toEqual([]);
  const badCursor = await request(api.app).get(`${base()}/${a.id}/deliveries?cursor=abc`).set(p1());
  expect(fieldsOf(badCursor.body)).toEqual(['query.cursor']);
  const badState = await request(api.app).get(`${base()}/${a.id}/deliveries?state=lost`).set(p1());
  expect(fieldsOf(badState.body)).toEqual(['query.state']);

  // Unsubscribed: gone, and nothing of it stays pending.
  expect((await request(api.app).delete(`${base()}/${a.id}`).set(p1())).status).toBe(204);
  expect((await request(api.app).get(`${base()}/${a.id}`).set(p1())).status).toBe(404);
  expect((await request(api.app).delete(`${base()}/${a.id}`).set(p1())).status).toBe(404);
  expect(
    await api.db.conn.collection('webhookDeliveries').countDocuments({ webhookId: a.id }),
  ).toBe(0);
  await request(api.app).delete(`${base()}/${b.id}`).set(p1());
});
