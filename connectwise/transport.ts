import { formatCwDateTime } from './dates';
import {
  ClientErrorCode,
  ConnectWiseError,
  invalidRequest,
  type ConnectWiseErrorDetail,
} from './errors';
import { NON_PUBLIC_ADDRESS } from './host-guard';
import { parseRetryAfter } from './retry-after';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';
export type FetchLike = typeof fetch;

export interface TransportRequest {
  method: HttpMethod;
  url: string;
  /** What error messages show instead of the URL: the API path, no origin, no query. */
  path: string;
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Largest body read; beyond it the exchange fails and the rest is not read. Default 32 MiB. */
  maxResponseBytes?: number;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export interface TransportResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON; undefined for an empty body (204). */
  body: unknown;
}

// Dates in request bodies go out in ConnectWise's form: seconds precision, no milliseconds.
function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  return original instanceof Date ? formatCwDateTime(original) : value;
}

const NETWORK_WORDS: Record<string, string> = {
  ENOTFOUND: 'the host name could not be found',
  EAI_AGAIN: 'the host name could not be looked up',
  ECONNREFUSED: 'the server refused the connection',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the connection was closed unexpectedly',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  CERT_HAS_EXPIRED: 'the server certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is self-signed',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the server certificate does not match the host name',
};

/** The first error in the cause chain that has a string `code` (fetch wraps the real one). */
function codedCause(err: unknown): { code: string; message: string } | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return { code, message: String((e as Error).message) };
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function networkError(req: TransportRequest, err: unknown, timedOut: boolean): ConnectWiseError {
  const where = `${req.method} ${req.path}`;
  if (timedOut) {
    return new ConnectWiseError({
      status: 0,
      code: ClientErrorCode.Timeout,
      message: `ConnectWise did not answer ${where} within ${Math.round(req.timeoutMs / 1000)} s`,
      method: req.method,
      path: req.path,
    });
  }
  if (req.signal?.aborted) {
    return new ConnectWiseError({
      status: 0,
      code: ClientErrorCode.Aborted,
      message: `${where} was cancelled`,
      method: req.method,
      path: req.path,
    });
  }
  const cause = codedCause(err);
  if (cause?.code === NON_PUBLIC_ADDRESS) {
    // The connection guard refused the address DNS gave at connect time (DNS rebinding, or a
    // host moved to a private address): as final as the same refusal when the client was created.
    return new ConnectWiseError({
      status: 0,
      code: ClientErrorCode.InvalidSite,
      message: cause.message,
      method: req.method,
      path: req.path,
    });
  }
  const code = cause?.code;
  const words = (code && NETWORK_WORDS[code]) ?? 'the request failed';
  return new ConnectWiseError({
    status: 0,
    code: ClientErrorCode.Network,
    message: `Could not reach ConnectWise for ${where}: ${words}${code ? ` (${code})` : ''}`,
    method: req.method,
    path: req.path,
    cause: err,
  });
}

function asDetails(value: unknown): ConnectWiseErrorDetail[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
    .map((e) => ({
      code: typeof e.code === 'string' ? e.code : undefined,
      message: typeof e.message === 'string' ? e.message : undefined,
      resource: typeof e.resource === 'string' ? e.resource : undefined,
      field: typeof e.field === 'string' ? e.field : undefined,
      details: e.details,
    }));
}

function httpError(req: TransportRequest, res: Response, body: unknown): ConnectWiseError {
  const obj = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const errors = asDetails(obj.errors);
  const cwMessage = typeof obj.message === 'string' ? obj.message : res.statusText || 'error';
  const detail = errors
    .map((e) => [e.field, e.message ?? e.code].filter(Boolean).join(': '))
    .filter(Boolean)
    .join('; ');
  return new ConnectWiseError({
    status: res.status,
    code: typeof obj.code === 'string' ? obj.code : ClientErrorCode.HttpError,
    serverMessage: typeof obj.message === 'string' ? obj.message : undefined,
    message: `ConnectWise ${req.method} ${req.path} failed (${res.status}): ${cwMessage}${detail ? ` (${detail})` : ''}`,
    errors,
    retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
    method: req.method,
    path: req.path,
  });
}

function describeLocation(location: string | null, base: string): string {
  if (!location) return '';
  try {
    return ` to ${new URL(location, base).origin}`;
  } catch {
    return '';
  }
}

function nonJsonError(req: TransportRequest, res: Response): ConnectWiseError {
  const type = res.headers.get('content-type') ?? 'no content type';
  return new ConnectWiseError({
    status: res.status,
    code: ClientErrorCode.NonJson,
    message:
      `ConnectWise ${req.method} ${req.path} answered ${res.status} with ${type}, not API JSON. ` +
      'This looks like the ConnectWise web UI or another web server, not the ConnectWise API: check the site address.',
    retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
    method: req.method,
    path: req.path,
  });
}

function tooLarge(req: TransportRequest, status: number, max: number): ConnectWiseError {
  return new ConnectWiseError({
    status,
    code: ClientErrorCode.ResponseTooLarge,
    message: `ConnectWise ${req.method} ${req.path} answered with more than ${max} bytes; the rest was not read. Narrow the request (fields, conditions, pageSize).`,
    method: req.method,
    path: req.path,
  });
}

/**
 * Reads the body as UTF-8 text, at most `max` bytes: a declared Content-Length over the cap fails
 * before reading, and a body that grows past it is cancelled mid-stream rather than buffered.
 */
async function readCapped(req: TransportRequest, res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (res.body === null) return '';
  if (declared > max) {
    await res.body.cancel().catch(() => undefined);
    throw tooLarge(req, res.status, max);
  }
  const reader: ReadableStreamDefaultReader<Uint8Array> = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(req, res.status, max);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/**
 * One HTTP exchange, no retries. Redirects are never followed (a redirect off the API host is how
 * SSRF guards get bypassed). Every failure becomes a ConnectWiseError; the request headers, which
 * hold the credentials, never go into one.
 */
export async function send(
  fetchImpl: FetchLike,
  req: TransportRequest,
): Promise<TransportResponse> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
  const headers = { ...req.headers };
  const init: RequestInit = { method: req.method, headers, redirect: 'manual', signal };
  if (req.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    try {
      init.body = JSON.stringify(req.body, replacer);
    } catch (err) {
      throw invalidRequest(
        `The ${req.method} ${req.path} body cannot be sent: ${(err as Error).message}`,
      );
    }
  }
  let res: Response;
  let text: string;
  try {
    res = await fetchImpl(req.url, init);
    text = await readCapped(req, res, req.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
  } catch (err) {
    if (err instanceof ConnectWiseError) throw err;
    throw networkError(req, err, timeout.aborted);
  }
  if (res.status >= 300 && res.status < 400) {
    const location = res.headers.get('location');
    throw new ConnectWiseError({
      status: res.status,
      code: ClientErrorCode.Redirect,
      message: `ConnectWise ${req.method} ${req.path} redirected${describeLocation(location, req.url)}; redirects are not followed. Check the site address.`,
      method: req.method,
      path: req.path,
    });
  }
  let body: unknown;
  if (text.trim() !== '') {
    const type = res.headers.get('content-type') ?? '';
    try {
      if (/html|xml/i.test(type)) throw new Error('markup');
      body = JSON.parse(text);
    } catch {
      throw nonJsonError(req, res);
    }
  }
  if (!res.ok) throw httpError(req, res, body);
  return { status: res.status, headers: res.headers, body };
}
