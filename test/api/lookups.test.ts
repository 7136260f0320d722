import request from 'supertest';
import {
  as,
  createIntegration,
  cwBase,
  fieldsOf,
  useSetupStack,
  cwCallsOf,
  getAs,
} from './setup-helpers';

const stack = useSetupStack('lookups');

const get = getAs(stack);

const cwCalls = (prefix: string) => cwCallsOf(stack, prefix);

describe('companies', () => {
  test('searches by name, leaves deleted companies out, pages', async () => {
    const res = await get('/companies?search=acme');
    expect(res.status).toBe(200);
    const ids = (res.body.companies as Array<{ id: number }>).map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining([250, 251, 252]));
    expect(ids).not.toContain(253);
    expect(res.body.companies).toContainEqual({
      id: 250,
      identifier: 'AcmeCorp',
      name: 'Acme Corp',
      status: 'Active',
    });
    expect(res.body).toMatchObject({ page: 1, pageSize: 25, hasMore: false });

    const first = await get('/companies?pageSize=2');
    expect(first.body.companies).toHaveLength(2);
    expect(first.body.hasMore).toBe(true);
    const second = await get('/companies?pageSize=2&page=2');
    expect(second.body.companies).toHaveLength(2);
    const seen = [...first.body.companies, ...second.body.companies].map(
      (c: { id: number }) => c.id,
    );
    expect(new Set(seen).size).toBe(4);
  });

  test('a search with quotes and % is sent safely', async () => {
    const res = await get(`/companies?search=${encodeURIComponent('"Plumbing"')}`);
    expect(res.status).toBe(200);
    expect(res.body.companies.map((c: { id: number }) => c.id)).toEqual([260]);
    expect((await get(`/companies?search=${encodeURIComponent('50% off\\')}`)).status).toBe(200);
    expect((await get('/companies?search=nothing-like-this')).body.companies).toEqual([]);
  });

  test('400 names the bad query fields', async () => {
    const res = await get('/companies?page=0&pageSize=500');
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(['query.page', 'query.pageSize']);
    const control = await get(`/companies?search=${encodeURIComponent('a\nb')}`);
    expect(fieldsOf(control.body)).toEqual(['query.search']);
  });
});

describe('boards, statuses, sources, priorities', () => {
  test('boards: only active service boards', async () => {
    const res = await get('/boards');
    expect(res.status).toBe(200);
    expect(res.body.boards).toEqual([
      { id: 1, name: 'Help Desk' },
      { id: 2, name: 'Security Alerts' },
    ]);
  });

  test('statuses of a board, in order, with their flags', async () => {
    const res = await get('/boards/1/statuses');
    expect(res.status).toBe(200);
    expect(res.body.statuses.map((s: { id: number }) => s.id)).toEqual([
      101, 102, 103, 104, 105, 106,
    ]);
    expect(res.body.statuses[0]).toEqual({
      id: 101,
      name: 'New',
      closedStatus: false,
      inactive: false,
      defaultFlag: true,
      sortOrder: 0,
    });
    expect(res.body.statuses[5]).toMatchObject({ id: 106, closedStatus: true, inactive: true });
  });

  test('statuses of a board ConnectWise does not have: 404; a bad id: 400', async () => {
    const missing = await get('/boards/999/statuses');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({
      code: 'connectwise_not_found',
      message: 'ConnectWise has no service board 999',
    });
    const bad = await get('/boards/abc/statuses');
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(['params.boardId']);
  });

  test('sources and priorities', async () => {
    const sources = await get('/sources');
    expect(sources.status).toBe(200);
    expect(sources.body.sources).toContainEqual({ id: 2, name: 'Phone', defaultFlag: true });
    expect(sources.body.sources).toHaveLength(4);
    const priorities = await get('/priorities');
    expect(priorities.body.priorities).toContainEqual({
      id: 3,
      name: 'Priority 3 - Normal Response',
      defaultFlag: true,
      sortOrder: 3,
      level: 'Medium',
    });
  });
});

describe('agreements of a company', () => {
  test('each says whether it can be billed through, and why', async () => {
    const res = await get('/companies/250/agreements');
    expect(res.status).toBe(200);
    const byId = new Map(
      (res.body.agreements as Array<{ id: number }>).map((a) => [a.id, a] as const),
    );
    expect([...byId.keys()]).toEqual([300, 301]);
    expect(byId.get(300)).toMatchObject({
      eligible: true,
      recurring: true,
      billingCycle: 'Monthly',
    });
    expect(byId.get(301)).toMatchObject({
      eligible: false,
      recurring: false,
      reason: expect.stringMatching(/one time/i),
    });
  });

  test('cancelled ones on request; expired ones with their end date', async () => {
    const acme = await get('/companies/250/agreements?includeCancelled=true');
    const cancelled = acme.body.agreements.find((a: { id: number }) => a.id === 302);
    expect(cancelled).toMatchObject({ eligible: false, reason: 'This agreement is cancelled.' });
    const globex = await get('/companies/254/agreements');
    expect(globex.body.agreements.map((a: { id: number }) => a.id)).toEqual([303, 304]);
    expect(globex.body.agreements[1]).toMatchObject({
      eligible: false,
      reason: "This agreement's status is Expired, not Active.",
    });
  });

  test('400 names the bad fields', async () => {
    const id = await get('/companies/-1/agreements');
    expect(id.status).toBe(400);
    expect(fieldsOf(id.body)).toEqual(['params.companyId']);
    const flag = await get('/companies/250/agreements?includeCancelled=yes');
    expect(fieldsOf(flag.body)).toEqual(['query.includeCancelled']);
  });
});

describe('access', () => {
  test.each([
    '/companies',
    '/boards',
    '/boards/1/statuses',
    '/sources',
    '/priorities',
    '/companies/250/agreements',
  ])(
    '%s: 401 without a token, 404 for another partner, 404 without an integration',
    async (path) => {
      const anonymous = await request(stack.engine.app).get(`${cwBase('p1')}${path}`);
      expect(anonymous.status).toBe(401);
      const cross = await get(path, stack.engine.tokens.p2, 'p1');
      expect(cross.status).toBe(404);
      const none = await get(path, stack.engine.tokens.p2, 'p2');
      expect(none.status).toBe(404);
      expect(none.body.error.message).toBe('ConnectWise integration not found');
    },
  );

  test('every look-up is in the OpenAPI document', async () => {
    const doc = await request(stack.engine.app).get('/v1/openapi.json');
    const paths = Object.keys(doc.body.paths as object);
    for (const p of [
      'companies',
      'boards',
      'boards/{boardId}/statuses',
      'sources',
      'priorities',
      'companies/{companyId}/agreements',
    ]) {
      expect(paths).toContain(`/partners/{partnerId}/connectwise/${p}`);
    }
  });
});

describe('ConnectWise failures', () => {
  test('a refused permission names what to grant', async () => {
    await stack.fx.sim.admin.security.revoke('System/TableSetup');
    const res = await get('/boards');
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('connectwise_permission');
    expect(res.body.error.message).toMatch(/System → Table Setup Inquire/);
  });

  test('throttling answers 503 with Retry-After', async () => {
    await stack.fx.sim.admin.faults.add({
      kind: 'rateLimit',
      count: 1,
      retryAfterSeconds: 7,
      path: '/service/sources',
    });
    const res = await get('/sources');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.body.error.code).toBe('connectwise_throttled');
  });

  test('a server error answers 502 without ConnectWise internals', async () => {
    await stack.fx.sim.admin.faults.add({
      kind: 'serverError',
      status: 500,
      count: 1,
      path: '/service/priorities',
    });
    const res = await get('/priorities');
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('connectwise_unavailable');
    expect(JSON.stringify(res.body)).not.toMatch(/apis\/3\.0|service\/priorities|127\.0\.0\.1/);
  });

  test('rotated keys: the integration moves to credentials_invalid and is not tried again', async () => {
    await createIntegration(stack, 'p3');
    const service = stack.engine.tokens.service;
    await stack.fx.sim.admin.keys.rotate();
    await stack.fx.sim.admin.journal.clear();
    const first = await get('/boards', service, 'p3');
    expect(first.status).toBe(409);
    expect(first.body.error.code).toBe('credentials_invalid');
    const status = await get('/status', service, 'p3');
    expect(status.body.state).toBe('credentials_invalid');
    expect(status.body.stateReason).toMatch(/no longer accepts the API keys/);
    expect((await cwCalls('/service/boards')).map((c) => c.status)).toEqual([401]);

    await stack.fx.sim.admin.journal.clear();
    const again = await get('/sources', service, 'p3');
    expect(again.status).toBe(409);
    expect(await cwCalls('/service/')).toEqual([]);
    // p1's integration is untouched.
    const p1 = await get('/status');
    expect(p1.body.state).toBe('active');
    await request(stack.engine.app)
      .delete(`${cwBase('p3')}/integration`)
      .set(as(service));
  });
});
