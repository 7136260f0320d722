import { startDemo, DEMO_HEADERS, type Cw } from './helpers';

const ticket = {
  summary: 'fault test',
  board: { id: 2 },
  company: { id: 250 },
  externalXRef: 'dfx:evt:fault',
};

async function post(cw: Cw, signal?: AbortSignal): Promise<Response> {
  return fetch(`${cw.base}/service/tickets`, {
    method: 'POST',
    headers: { ...DEMO_HEADERS, 'Content-Type': 'application/json' },
    body: JSON.stringify(ticket),
    signal,
  });
}

async function faultTickets(cw: Cw): Promise<number> {
  return (await cw.sim.admin.state.tickets()).filter((t) => t.externalXRef === 'dfx:evt:fault')
    .length;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault injection', () => {
  let cw: Cw;
  beforeAll(async () => {
    cw = await startDemo();
  });
  afterEach(() => cw.sim.admin.reset());
  afterAll(() => cw.sim.close());

  it('N× 429 with Retry-After, then normal service', async () => {
    await cw.sim.admin.faults.add({
      kind: 'rateLimit',
      count: 2,
      retryAfterSeconds: 7,
      path: '/company/companies',
    });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await cw.get<{ code: string }>('/company/companies');
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.headers.get('retry-after')).toBe('7');
        expect(res.body.code).toBe('TooManyRequests');
      }
    }
    expect(statuses).toEqual([429, 429, 200]);
    expect((await cw.get('/service/boards')).status).toBe(200);
  });

  it.each([500, 502, 503] as const)(
    '%d for a counted number of matching requests',
    async (status) => {
      await cw.sim.admin.faults.add({
        kind: 'serverError',
        status,
        count: 1,
        method: 'GET',
        path: '/service/tickets/{id}',
      });
      expect((await cw.get('/service/tickets/9000')).status).toBe(status);
      expect((await cw.get('/service/tickets/9000')).status).toBe(200);
    },
  );

  it('a probability fires by a seeded PRNG, so the pattern repeats', async () => {
    const pattern = async () => {
      await cw.sim.admin.faults.clear(7);
      await cw.sim.admin.faults.add({
        kind: 'serverError',
        status: 503,
        probability: 0.5,
        pathPattern: '^/service/',
      });
      const out: number[] = [];
      for (let i = 0; i < 24; i++) out.push((await cw.get('/service/sources')).status);
      return out;
    };
    const first = await pattern();
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(await pattern()).toEqual(first);
  });

  it('fixed and random latency', async () => {
    await cw.sim.admin.faults.add({ kind: 'latency', ms: 300, count: 1 });
    let t = Date.now();
    expect((await cw.get('/system/info')).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
    await cw.sim.admin.faults.add({ kind: 'latency', ms: 100, maxMs: 250, count: 1 });
    t = Date.now();
    await cw.get('/system/info');
    const took = Date.now() - t;
    expect(took).toBeGreaterThanOrEqual(95);
    expect(took).toBeLessThan(1000);
  });

  it('a latency the client gives up on is never processed', async () => {
    await cw.sim.admin.faults.add({ kind: 'latency', ms: 400, method: 'POST', count: 1 });
    await expect(post(cw, AbortSignal.timeout(100))).rejects.toThrow();
    await sleep(500);
    expect(await faultTickets(cw)).toBe(0);
  });

  it('drops the connection without a response', async () => {
    await cw.sim.admin.faults.add({ kind: 'drop', count: 1, path: '/system/info' });
    await expect(fetch(`${cw.base}/system/info`, { headers: DEMO_HEADERS })).rejects.toThrow();
    expect((await cw.get('/system/info')).status).toBe(200);
  });

  it('drop and 5xx after commit: the client sees a failure but the record exists', async () => {
    await cw.sim.admin.faults.add({ kind: 'drop', afterCommit: true, method: 'POST', count: 1 });
    await expect(post(cw)).rejects.toThrow();
    expect(await faultTickets(cw)).toBe(1);
    await cw.sim.admin.faults.add({
      kind: 'serverError',
      status: 502,
      afterCommit: true,
      method: 'POST',
      count: 1,
    });
    expect((await post(cw)).status).toBe(502);
    expect(await faultTickets(cw)).toBe(2);
  });

  it('slow POST commits after the delay even though the client disconnected', async () => {
    await cw.sim.admin.faults.add({
      kind: 'slowCommit',
      ms: 400,
      method: 'POST',
      path: '/service/tickets',
      count: 1,
    });
    await expect(post(cw, AbortSignal.timeout(100))).rejects.toThrow();
    expect(await faultTickets(cw)).toBe(0);
    await sleep(600);
    expect(await faultTickets(cw)).toBe(1);
    const lookup = await cw.get<unknown[]>(
      `/service/tickets?conditions=${encodeURIComponent('externalXRef="dfx:evt:fault"')}`,
    );
    expect(lookup.body).toHaveLength(1);
  });

  it('slow POST with commitAt start: the record exists while the response is still pending', async () => {
    await cw.sim.admin.faults.add({
      kind: 'slowCommit',
      ms: 400,
      commitAt: 'start',
      method: 'POST',
      count: 1,
    });
    const pending = post(cw);
    await sleep(150);
    expect(await faultTickets(cw)).toBe(1);
    expect((await pending).status).toBe(201);
  });

  it('refuses a malformed rule', async () => {
    await expect(
      cw.sim.admin.faults.add({ kind: 'rateLimit', count: -1 } as never),
    ).rejects.toThrow(/400/);
  });

  it('journals every request with its template, status and fault', async () => {
    await cw.sim.admin.journal.clear();
    await cw.sim.admin.faults.add({ kind: 'drop', count: 1, path: '/service/tickets/{id}' });
    await expect(
      fetch(`${cw.base}/service/tickets/9000`, { headers: DEMO_HEADERS }),
    ).rejects.toThrow();
    await cw.get('/service/tickets/9001');
    await cw.get('/service/tickets?pageSize=5');
    await cw.send('POST', '/service/tickets', ticket);
    await fetch(`${cw.sim.origin}/login/companyinfo/demomsp`);
    await sleep(50);
    expect(await cw.sim.admin.journal.counts()).toEqual({
      'GET /service/tickets/{id}': 2,
      'GET /service/tickets': 1,
      'POST /service/tickets': 1,
      'GET /login/companyinfo/{companyId}': 1,
    });
    const entries = await cw.sim.admin.journal.list();
    expect(entries[0]).toMatchObject({
      method: 'GET',
      path: '/v2025_1/apis/3.0/service/tickets/9000',
      status: 0,
      fault: 'drop',
    });
    expect(entries[1]).toMatchObject({
      path: '/v2025_1/apis/3.0/service/tickets/9001',
      status: 200,
    });
    expect(entries[2]).toMatchObject({ query: { pageSize: '5' }, status: 200 });
    expect(entries[3]?.status).toBe(201);
  });
});
