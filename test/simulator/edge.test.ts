import { retryAfterHeader } from '../../simulator/edge';
import { client, DEMO_HEADERS, startDemo, type Cw } from './helpers';

/** A raw GET: the bodies here may be HTML, which the JSON helper cannot read. */
async function rawGet(url: string): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(url, { headers: DEMO_HEADERS });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('edge-style responses (Cloudflare, IIS) on request', () => {
  let cw: Cw;
  beforeAll(async () => {
    cw = await startDemo();
  });
  afterEach(() => cw.sim.admin.reset());
  afterAll(() => cw.sim.close());

  it('429 as an HTML page with an HTTP-date Retry-After', async () => {
    await cw.sim.admin.faults.add({
      kind: 'rateLimit',
      count: 1,
      retryAfterSeconds: 30,
      retryAfter: 'httpDate',
      body: 'html',
    });
    const before = Date.now();
    const res = await rawGet(`${cw.base}/company/companies`);
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toMatch(/^<!DOCTYPE html>[\s\S]*rate limited/);
    const retryAfter = res.headers.get('retry-after') ?? '';
    expect(retryAfter).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    const waitMs = Date.parse(retryAfter) - before;
    expect(waitMs).toBeGreaterThanOrEqual(29_000);
    expect(waitMs).toBeLessThanOrEqual(32_000);
    expect((await rawGet(`${cw.base}/company/companies`)).status).toBe(200);
  });

  it('429 as plain text without Retry-After', async () => {
    await cw.sim.admin.faults.add({
      kind: 'rateLimit',
      count: 1,
      retryAfter: 'none',
      body: 'text',
    });
    const res = await rawGet(`${cw.base}/company/companies`);
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toBe('error code: 1015');
    expect(res.headers.get('retry-after')).toBeNull();
  });

  it('by default 429 stays CW JSON with Retry-After in seconds', async () => {
    await cw.sim.admin.faults.add({ kind: 'rateLimit', count: 1, retryAfterSeconds: 4 });
    const res = await cw.get<{ code: string }>('/company/companies');
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('TooManyRequests');
    expect(res.headers.get('retry-after')).toBe('4');
  });

  it('502 as the edge’s HTML page', async () => {
    await cw.sim.admin.faults.add({ kind: 'serverError', status: 502, count: 1, body: 'html' });
    const res = await rawGet(`${cw.base}/system/info`);
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toMatch(/502 Bad Gateway/);
  });

  it.each([
    ['html', /^text\/html/, /404 - File or directory not found/],
    ['text', /^text\/plain/, /^404 - File or directory not found\.$/],
  ] as const)('the old codebase’s 404 as %s', async (format, type, body) => {
    await cw.sim.admin.codebase.set('v2025_2', { oldCodebaseBody: format });
    const res = await rawGet(`${cw.base}/company/companies/count`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(type);
    expect(res.text).toMatch(body);
    expect((await client(cw.sim, 'v2025_2/').get('/company/companies/count')).status).toBe(200);
  });

  it('the old codebase’s 404 is JSON again after a reset', async () => {
    await cw.sim.admin.codebase.set('v2025_2', { oldCodebaseBody: 'html' });
    await cw.sim.admin.reset();
    await cw.sim.admin.codebase.set('v2025_2');
    const res = await cw.get<{ code: string }>('/company/companies/count');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NotFound');
  });

  it('refuses an unknown body format', async () => {
    await expect(
      cw.sim.admin.faults.add({ kind: 'rateLimit', body: 'xml' as 'html' }),
    ).rejects.toThrow();
  });

  it('rounds an HTTP-date up to the next whole second', () => {
    const now = Date.UTC(2025, 0, 1, 0, 0, 0, 400);
    expect(retryAfterHeader(5, 'httpDate', now)).toEqual({
      'Retry-After': 'Wed, 01 Jan 2025 00:00:06 GMT',
    });
    expect(retryAfterHeader(5, 'seconds', now)).toEqual({ 'Retry-After': '5' });
    expect(retryAfterHeader(5, 'none', now)).toEqual({});
  });
});
