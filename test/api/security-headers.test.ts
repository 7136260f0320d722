import request from 'supertest';
import { startApiOnly, type ApiOnly } from '../support/api-only';

let api: ApiOnly;
beforeAll(async () => {
  api = await startApiOnly('headers');
});
afterAll(async () => {
  await api.close();
});

/** `directive → sources` of a Content-Security-Policy header. */
function csp(header: string | undefined): Record<string, string[]> {
  return Object.fromEntries(
    (header ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name as string, sources]),
  );
}

test('authenticated data: nosniff, no-store and a CSP that allows nothing', async () => {
  const res = await request(api.app)
    .get('/v1/partners/p1/customers')
    .set('Authorization', `Bearer ${api.tokens.p1}`);
  expect(res.status).toBe(200);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['cache-control']).toBe('no-store');
  expect(csp(res.headers['content-security-policy'])).toEqual({
    'default-src': ["'none'"],
    'frame-ancestors': ["'none'"],
  });
});

test.each(['/healthz', '/v1/openapi.json', '/v1/partners/p1/customers'])(
  'public answers and refusals carry the same headers: %s',
  async (path) => {
    const res = await request(api.app).get(path);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
  },
);

test("the docs page has a CSP its own scripts and styles work under, and nothing else's", async () => {
  const page = await request(api.app).get('/v1/docs/');
  expect(page.status).toBe(200);
  expect(page.headers['x-content-type-options']).toBe('nosniff');
  const policy = csp(page.headers['content-security-policy']);
  expect(policy['default-src']).toEqual(["'none'"]);
  expect(policy['script-src']).toEqual(["'self'"]);
  expect(policy['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
  expect(policy['connect-src']).toEqual(["'self'"]);
  expect(policy['img-src']).toEqual(["'self'", 'data:']);
  expect(policy['frame-ancestors']).toEqual(["'none'"]);

  // Under script-src 'self' every script must be a file from this origin, none inline.
  const html = page.text;
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  expect(scripts.length).toBeGreaterThan(0);
  for (const [, attrs, body] of scripts) {
    expect(body?.trim()).toBe('');
    const src = /src=["']([^"']+)["']/.exec(attrs ?? '')?.[1];
    expect(src).toMatch(/^\.\/[\w.-]+\.js$/);
    const file = await request(api.app).get(new URL(src as string, 'http://x/v1/docs/').pathname);
    expect([src, file.status]).toEqual([src, 200]);
    expect(file.headers['content-type']).toMatch(/javascript/);
  }
  // Stylesheets and icons come from this origin too.
  for (const [, href] of html.matchAll(/<link\b[^>]*href=["']([^"']+)["']/g)) {
    expect(href).toMatch(/^\.\//);
  }
  // No inline event handlers (script-src-attr falls back to script-src 'self').
  expect(html).not.toMatch(/\son[a-z]+\s*=/i);
});
