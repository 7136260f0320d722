import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from '../../api/app';
import { consoleDistDir, consoleRouter } from '../../api/console';
import { captureLogger } from '../support/logger';

/** A built console's shape (index.html and a hashed asset), in a folder of its own. */
const dist = mkdtempSync(join(tmpdir(), 'console-dist-'));
mkdirSync(join(dist, 'assets'));
writeFileSync(
  join(dist, 'index.html'),
  '<!doctype html><script type="module" src="/console/assets/app-1a2b.js"></script>',
);
writeFileSync(join(dist, 'assets', 'app-1a2b.js'), 'console.log(1)');
afterAll(() => rmSync(dist, { recursive: true, force: true }));

const appWith = (distDir: string, frameableCustomerPages = false) =>
  createApp({
    logger: captureLogger().logger,
    checks: [],
    console: consoleRouter({ distDir, frameableCustomerPages }),
  });

test('every console path is the app page, with a CSP of its own files and this API only', async () => {
  const app = appWith(dist);
  for (const path of ['/console/', '/console/billing', '/console/status?x=1']) {
    const res = await request(app).get(path);
    expect([path, res.status, res.type]).toEqual([path, 200, 'text/html']);
    expect(res.text).toContain('/console/assets/app-1a2b.js');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['cache-control']).toBe('no-store');
  }
});

test('/console redirects to /console/; assets are cached for good; a missing asset is a 404', async () => {
  const app = appWith(dist);
  const bare = await request(app).get('/console');
  expect([bare.status, bare.headers.location]).toEqual([301, '/console/']);
  const asset = await request(app).get('/console/assets/app-1a2b.js');
  expect(asset.status).toBe(200);
  expect(asset.headers['cache-control']).toContain('immutable');
  expect((await request(app).get('/console/assets/nope.js')).status).toBe(404);
});

test("the customer page may be framed by ConnectWise only where it stands in for the vendor's", async () => {
  const local = await request(appWith(dist, true)).get('/console/customers/c-acme');
  expect(local.headers['content-security-policy']).toContain('frame-ancestors *');
  expect(local.headers['x-frame-options']).toBeUndefined();
  const production = await request(appWith(dist, false)).get('/console/customers/c-acme');
  expect(production.headers['content-security-policy']).toContain("frame-ancestors 'none'");
});

test('an unbuilt console says how to build it', async () => {
  const res = await request(appWith(join(dist, 'nothing-here'))).get('/console/');
  expect(res.status).toBe(503);
  expect(res.text).toContain('npm run build:console');
});

test('the API finds the built console beside itself, from the sources and from dist/', () => {
  expect(consoleDistDir()).toBe(join(__dirname, '..', '..', 'dist', 'console'));
});
