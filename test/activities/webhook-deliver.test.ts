import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliverWebhook } from '../../services/webhooks/deliver';
import { checkWebhookUrl } from '../../services/webhooks/url';

/**
 * One webhook delivery's HTTP step (services/webhooks/deliver.ts) against local servers: 2xx only,
 * no redirect followed, a bounded wait, a short reason; and the receivers' SSRF rules, at
 * subscription (services/webhooks/url.ts) and again at connect time.
 */
let server: Server;
let base: string;
let answer: (path: string) => { status: number; body?: string; location?: string } | 'hang';

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = answer(req.url ?? '/');
      if (a === 'hang') return;
      if (a.location) res.setHeader('location', a.location);
      res.statusCode = a.status;
      res.end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const payload = {
  id: 'evt_1',
  type: 'ping' as const,
  createdAt: '2026-06-01T00:00:00.000Z',
  partnerId: 'p1',
  data: {},
};
const local = { allowPrivateHosts: true, timestamp: 1_780_000_000 };

test('2xx is delivered; a redirect is a failure, never followed', async () => {
  answer = () => ({ status: 202 });
  expect(await deliverWebhook(`${base}/ok`, 'whsec_x', payload, local)).toEqual({
    ok: true,
    status: 202,
  });
  let followed = false;
  answer = (path) => {
    if (path === '/elsewhere') followed = true;
    return { status: 302, location: `${base}/elsewhere` };
  };
  expect(await deliverWebhook(`${base}/moved`, 'whsec_x', payload, local)).toEqual({
    ok: false,
    status: 302,
    error: 'HTTP 302: redirects are not followed; subscribe the final URL',
  });
  expect(followed).toBe(false);
});

test('a refusal keeps its status and the start of its body; silence and no listener say so', async () => {
  answer = () => ({ status: 500, body: `oops ${'x'.repeat(5000)}` });
  const refused = await deliverWebhook(`${base}/err`, 'whsec_x', payload, local);
  expect(refused).toMatchObject({ ok: false, status: 500 });
  expect(!refused.ok && refused.error).toMatch(/^HTTP 500: oops x+$/);
  expect(!refused.ok && refused.error.length).toBe('HTTP 500: '.length + 200);

  answer = () => 'hang';
  expect(
    await deliverWebhook(`${base}/slow`, 'whsec_x', payload, { ...local, timeoutMs: 200 }),
  ).toEqual({ ok: false, status: null, error: 'no answer within 0.2 s' });

  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  expect(await deliverWebhook(`http://127.0.0.1:${port}/`, 'whsec_x', payload, local)).toEqual({
    ok: false,
    status: null,
    error: 'could not connect (ECONNREFUSED)',
  });
});

test('without private hosts: plain http is refused, and a name that points here is refused as it connects', async () => {
  const strict = { ...local, allowPrivateHosts: false };
  expect(await deliverWebhook(`${base}/x`, 'whsec_x', payload, strict)).toMatchObject({
    ok: false,
    error: expect.stringMatching(/^the URL is refused: must start with https:\/\//),
  });
  let reached = false;
  answer = () => {
    reached = true;
    return { status: 204 };
  };
  const port = new URL(base).port;
  const guarded = await deliverWebhook(`https://localhost:${port}/x`, 'whsec_x', payload, strict);
  expect(guarded).toMatchObject({
    ok: false,
    status: null,
    error: expect.stringMatching(
      /^The webhook receiver localhost points to (127\.0\.0\.1|::1), a loopback address/,
    ),
  });
  expect(reached).toBe(false);
});

test('subscribing: a name with any non-public address is refused; one that does not resolve too', async () => {
  const rules = (addresses: string[] | Error) => ({
    allowPrivateHosts: false,
    lookup: (): Promise<string[]> =>
      addresses instanceof Error ? Promise.reject(addresses) : Promise.resolve(addresses),
  });
  await expect(
    checkWebhookUrl('https://portal.example.com/h', rules(['93.184.216.34'])),
  ).resolves.toBe('https://portal.example.com/h');
  await expect(
    checkWebhookUrl('https://portal.example.com/h', rules(['93.184.216.34', '10.0.0.7'])),
  ).rejects.toThrow(/portal\.example\.com points to 10\.0\.0\.7, a private network address/);
  await expect(checkWebhookUrl('https://portal.example.com/h', rules(['fd00::1']))).rejects.toThrow(
    /private network address/,
  );
  await expect(
    checkWebhookUrl('https://portal.example.com/h', rules(new Error('ENOTFOUND'))),
  ).rejects.toThrow(/could not be found/);
  await expect(checkWebhookUrl('https://portal.example.com/h', rules([]))).rejects.toThrow(
    /no address/,
  );
  // Private hosts allowed (local stacks): http and this machine, no lookup.
  await expect(
    checkWebhookUrl('http://127.0.0.1:8787/h', rules(new Error('not asked'))),
  ).rejects.toThrow(/https/);
  await expect(
    checkWebhookUrl('http://127.0.0.1:8787/h', {
      ...rules(new Error('not asked')),
      allowPrivateHosts: true,
    }),
  ).resolves.toBe('http://127.0.0.1:8787/h');
});
