import type { Agent } from 'undici';
import { guardedAgent, undiciFetchImpl } from '../../connectwise/connect-guard';
import { NON_PUBLIC_ADDRESS } from '../../connectwise/host-guard';
import type { FetchLike } from '../../connectwise/transport';
import { SIGNATURE_HEADER, type WebhookPayload } from '../../domain/webhooks/events';
import { signWebhook } from '../../security/webhook-signature';
import { parseWebhookUrl, WebhookUrlError } from './url';

/** How long a receiver may take to answer. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** How much of a refusal's body the log keeps. */
const ERROR_BODY_CHARS = 200;

export type DeliveryResult =
  { ok: true; status: number } | { ok: false; status: number | null; error: string };

export interface DeliverOptions {
  /** CW_ALLOW_PRIVATE_HOSTS: no address check at connect time (local stacks and tests). */
  allowPrivateHosts: boolean;
  /** Unix seconds the signature is made at. */
  timestamp: number;
  timeoutMs?: number;
  /** Stops the request (the activity cancelled or timed out). */
  signal?: AbortSignal;
  /** Tests: another fetch (it receives the guarded dispatcher in its init). */
  fetchImpl?: FetchLike;
}

let receiverAgent: Agent | undefined;

/** Every connection to a receiver checks the address it is about to use (DNS rebinding). */
const guardedInit = (allowPrivateHosts: boolean): Record<string, unknown> =>
  allowPrivateHosts
    ? {}
    : { dispatcher: (receiverAgent ??= guardedAgent(undefined, 'The webhook receiver')) };

/** The first ERROR_BODY_CHARS of an answer's body, reading no more than a few KB of it. */
async function bodyStart(res: Response): Promise<string> {
  const body = res.body as unknown as AsyncIterable<Uint8Array> | null;
  if (!body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Leaving the loop early cancels the rest of the answer.
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size >= 4 * ERROR_BODY_CHARS) break;
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, ERROR_BODY_CHARS);
}

/** A failed request in a few words: timed out, refused, the address guard, … */
function describeFailure(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return `no answer within ${timeoutMs / 1000} s`;
  if (e.cause?.code === NON_PUBLIC_ADDRESS) return e.cause.message ?? 'a non-public address';
  if (e.cause?.code) return `could not connect (${e.cause.code})`;
  return `could not connect (${e.cause?.message ?? e.message ?? String(err)})`;
}

/**
 * One delivery: the payload POSTed as JSON with `Webhook-Id`, `Webhook-Timestamp` and the
 * signature over `<timestamp>.<body>`, within DELIVERY_TIMEOUT_MS, following no redirect. A 2xx
 * answer is delivered; anything else, or no answer, is a failure with a short reason.
 */
export async function deliverWebhook(
  url: string,
  secret: string,
  payload: WebhookPayload,
  options: DeliverOptions,
): Promise<DeliveryResult> {
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  let target: URL;
  try {
    target = parseWebhookUrl(url, { allowPrivateHosts: options.allowPrivateHosts });
  } catch (err) {
    if (err instanceof WebhookUrlError)
      return { ok: false, status: null, error: `the URL is refused: ${err.message}` };
    throw err;
  }
  const body = JSON.stringify(payload);
  const fetchImpl = options.fetchImpl ?? undiciFetchImpl;
  let res: Response;
  try {
    res = await fetchImpl(target.href, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'DefensX-Webhooks/1',
        'webhook-id': payload.id,
        'webhook-timestamp': String(options.timestamp),
        [SIGNATURE_HEADER.toLowerCase()]: signWebhook(secret, options.timestamp, body),
      },
      body,
      redirect: 'manual',
      signal: options.signal
        ? AbortSignal.any([AbortSignal.timeout(timeoutMs), options.signal])
        : AbortSignal.timeout(timeoutMs),
      ...guardedInit(options.allowPrivateHosts),
    });
  } catch (err) {
    return { ok: false, status: null, error: describeFailure(err, timeoutMs) };
  }
  if (res.status >= 200 && res.status < 300) {
    await res.body?.cancel().catch(() => undefined);
    return { ok: true, status: res.status };
  }
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel().catch(() => undefined);
    return {
      ok: false,
      status: res.status,
      error: `HTTP ${res.status}: redirects are not followed; subscribe the final URL`,
    };
  }
  const start = await bodyStart(res).catch(() => '');
  return { ok: false, status: res.status, error: `HTTP ${res.status}${start ? `: ${start}` : ''}` };
}
