import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, as Stripe signs its webhooks: `t=<unix seconds>,v1=<hex>`, where the hex is
 * HMAC-SHA256 keyed by the subscription's secret (the whole `whsec_…` string, as UTF-8) over
 * `<t>.<the raw body>`. The time is signed with the body, so a receiver that refuses old
 * timestamps refuses replays too.
 */

const PREFIX = 'whsec_';

/** 256 random bits, shown once when the subscription is made, stored sealed. */
export const generateWebhookSecret = (): string =>
  `${PREFIX}${randomBytes(32).toString('base64url')}`;

export const looksLikeWebhookSecret = (value: string): boolean =>
  /^whsec_[A-Za-z0-9_-]{43}$/.test(value);

const hmacHex = (secret: string, timestamp: number, body: string | Buffer): string =>
  createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(body).digest('hex');

/** The signature header's value for `body` sent at `timestamp` (unix seconds). */
export const signWebhook = (secret: string, timestamp: number, body: string | Buffer): string =>
  `t=${timestamp},v1=${hmacHex(secret, timestamp, body)}`;

export interface VerifyOptions {
  /** Refuse a timestamp further than this from `now` (seconds; default 300). */
  toleranceSeconds?: number;
  /** Unix seconds; default the system clock. */
  now?: number;
}

/**
 * What a receiver does: true when one of the header's `v1` signatures is the body's under the
 * secret (compared in constant time) and its `t` is within the tolerance. The raw body, exactly
 * as received: parsing and printing the JSON again changes the bytes.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: string | Buffer,
  options: VerifyOptions = {},
): boolean {
  if (!header) return false;
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isSafeInteger(t)) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (options.toleranceSeconds ?? 300)) return false;
  const wanted = Buffer.from(hmacHex(secret, t, body), 'hex');
  return parts.some(([k, v]) => {
    if (k !== 'v1' || !v || !/^[0-9a-f]{64}$/.test(v)) return false;
    return timingSafeEqual(Buffer.from(v, 'hex'), wanted);
  });
}
