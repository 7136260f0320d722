import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { guardedFetch } from './connect-guard';
import type { FetchLike } from './transport';

/**
 * ConnectWise's callback signature (docs/connectwise.md §7b): `x-content-signature` is the base64 of
 * HMAC-SHA256 over the body exactly as received, keyed by the SHA-256 digest of the signing key
 * that the payload's `Metadata.key_url` serves as `{"signing_key": "…"}`. Compared in constant
 * time; the body is parsed only once this holds.
 */
export function callbackSignatureMatches(
  rawBody: Buffer,
  signatureHeader: string | undefined,
  signingKey: string,
): boolean {
  if (!signatureHeader || !/^[A-Za-z0-9+/]+=*$/.test(signatureHeader.trim())) return false;
  const given = Buffer.from(signatureHeader.trim(), 'base64');
  const key = createHash('sha256').update(signingKey).digest();
  const wanted = createHmac('sha256', key).update(rawBody).digest();
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** Why a signing key was not fetched: the URL is not the integration's, or the answer was bad. */
export class SigningKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

export interface SigningKeyOptions {
  /** The integration's ConnectWise origins: a key URL elsewhere is refused, never fetched. */
  allowedOrigins: readonly string[];
  /** Local stacks and tests (CW_ALLOW_PRIVATE_HOSTS): no public-address check at connect time. */
  allowPrivateHosts: boolean;
  fetchImpl?: FetchLike;
  timeoutMs?: number;
  /** The answer's size cap in bytes. */
  maxBytes?: number;
}

/**
 * The key a callback's `key_url` serves, fetched only from the integration's own ConnectWise
 * origin (the URL arrives in an unverified body: an open fetch would be a server-side request
 * forgery, and would let a forger supply its own key), with no redirects, a timeout and a size cap,
 * through the connect-time address guard unless private hosts are allowed.
 */
export async function fetchSigningKey(keyUrl: string, options: SigningKeyOptions): Promise<string> {
  let url: URL;
  try {
    url = new URL(keyUrl);
  } catch {
    throw new SigningKeyError('the key URL is not a URL');
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password)
    throw new SigningKeyError('the key URL is not a plain http(s) URL');
  if (!options.allowedOrigins.includes(url.origin))
    throw new SigningKeyError(
      `the key URL's origin ${url.origin} is not the integration's ConnectWise`,
    );
  const fetchImpl = options.allowPrivateHosts
    ? (options.fetchImpl ?? fetch)
    : guardedFetch(options.fetchImpl);
  const res = await fetchImpl(url.href, {
    method: 'GET',
    headers: { accept: 'application/json' },
    redirect: 'error',
    signal: AbortSignal.timeout(options.timeoutMs ?? 2_000),
  }).catch((err: unknown) => {
    throw new SigningKeyError(
      `the key URL did not answer (${err instanceof Error ? err.message : String(err)})`,
    );
  });
  if (res.status !== 200) throw new SigningKeyError(`the key URL answered ${res.status}`);
  const text = await readCapped(res, options.maxBytes ?? 16_384);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new SigningKeyError('the key URL did not answer JSON');
  }
  const key = (body as { signing_key?: unknown } | null)?.signing_key;
  if (typeof key !== 'string' || key.length === 0 || key.length > 1024)
    throw new SigningKeyError('the key URL answered no signing_key');
  return key;
}

async function readCapped(res: Awaited<ReturnType<FetchLike>>, maxBytes: number): Promise<string> {
  const body = res.body as unknown as AsyncIterable<Uint8Array> | null;
  if (!body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Leaving the loop early cancels the rest of the answer.
  for await (const value of body) {
    size += value.byteLength;
    if (size > maxBytes)
      throw new SigningKeyError(`the key URL answered more than ${maxBytes} bytes`);
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Signing keys by key URL, kept for `ttlMs` (ConnectWise rotates keys under new URLs). */
export class SigningKeyCache {
  private readonly keys = new Map<string, { key: string; at: number }>();

  constructor(
    private readonly ttlMs = 3_600_000,
    private readonly max = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(keyUrl: string, fetchKey: () => Promise<string>): Promise<string> {
    const hit = this.keys.get(keyUrl);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.key;
    const key = await fetchKey();
    if (this.keys.size >= this.max) this.keys.delete(this.keys.keys().next().value!);
    this.keys.set(keyUrl, { key, at: this.now() });
    return key;
  }

  /** Cached for over a minute: worth fetching again once when a signature does not match. */
  stale(keyUrl: string): boolean {
    const hit = this.keys.get(keyUrl);
    return hit !== undefined && this.now() - hit.at > 60_000;
  }

  /** A signature did not match with the cached key: it may have rotated, fetch it again. */
  forget(keyUrl: string): void {
    this.keys.delete(keyUrl);
  }
}
