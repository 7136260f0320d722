import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import {
  generateWebhookSecret,
  looksLikeWebhookSecret,
  signWebhook,
  verifyWebhookSignature,
} from '../../security/webhook-signature';

/** The webhook signature (Stripe's scheme), and the README's receiver snippet checking it. */
const secret = generateWebhookSecret();
const body =
  '{"id":"evt_1","type":"ping","createdAt":"2026-06-01T00:00:00.000Z","partnerId":"p1","data":{}}';
const now = 1_780_000_000;

test('a secret is whsec_ and 256 random bits', () => {
  expect(looksLikeWebhookSecret(secret)).toBe(true);
  expect(generateWebhookSecret()).not.toBe(secret);
});

test('the signature is HMAC-SHA256 of "<t>.<body>" keyed by the secret, checked with a tolerance', () => {
  const header = signWebhook(secret, now, body);
  expect(header).toMatch(new RegExp(`^t=${now},v1=[0-9a-f]{64}$`));
  expect(verifyWebhookSignature(secret, header, body, { now })).toBe(true);
  expect(verifyWebhookSignature(secret, header, Buffer.from(body), { now: now + 300 })).toBe(true);
  expect(verifyWebhookSignature(secret, header, body, { now: now + 301 })).toBe(false);
  expect(verifyWebhookSignature(secret, header, `${body} `, { now })).toBe(false);
  expect(verifyWebhookSignature(generateWebhookSecret(), header, body, { now })).toBe(false);
  // The time is signed too: another t with the same v1 fails.
  expect(
    verifyWebhookSignature(secret, header.replace(`t=${now}`, `t=${now + 1}`), body, { now }),
  ).toBe(false);
  expect(verifyWebhookSignature(secret, undefined, body, { now })).toBe(false);
  expect(verifyWebhookSignature(secret, 'v1=abc', body, { now })).toBe(false);
});

test("the README's Node snippet verifies what the engine signs, and nothing else", () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Webhooks to the portal'));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  expect(code).toContain('function verifyDefensX');
  // Run as a receiver would paste it: a script of its own, with Node's require.
  const verifyDefensX = runInNewContext(`${code}\nverifyDefensX;`, { require, Buffer }) as (
    secret: string,
    header: string,
    rawBody: string,
  ) => boolean;
  const t = Math.floor(Date.now() / 1000);
  const header = signWebhook(secret, t, body);
  expect(verifyDefensX(secret, header, body)).toBe(true);
  expect(verifyDefensX(secret, header, body.replace('ping', 'pong'))).toBe(false);
  expect(verifyDefensX(generateWebhookSecret(), header, body)).toBe(false);
  expect(verifyDefensX(secret, signWebhook(secret, t - 600, body), body)).toBe(false);
});
