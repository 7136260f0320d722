import type { IncomingHttpHeaders } from 'node:http';
import { CwError } from './errors';
import { modelVersion } from './openapi';
import type { Store } from './store';

function unauthorized(message: string): CwError {
  return new CwError(401, 'Unauthorized', message);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * `Authorization: Basic base64(companyId+publicKey:privateKey)` plus the `clientId` header, both
 * required since 2019.3. The company part is compared case-insensitively (it is what people type at
 * the login screen); keys exactly. Messages differ so a client can tell the cases apart (verify the
 * wording against a real tenant).
 */
export function authenticate(store: Store, headers: IncomingHttpHeaders): void {
  const clientId = header(headers, 'clientId');
  if (!clientId) throw unauthorized('clientId header is required.');
  if (!store.clientIds.some((c) => c.toLowerCase() === clientId.toLowerCase())) {
    throw unauthorized(`clientId '${clientId}' is not valid.`);
  }
  const auth = header(headers, 'authorization') ?? '';
  const m = /^Basic\s+(\S+)$/i.exec(auth);
  const decoded = m?.[1] ? Buffer.from(m[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const user = colon >= 0 ? decoded.slice(0, colon) : '';
  const privateKey = colon >= 0 ? decoded.slice(colon + 1) : '';
  const plus = user.indexOf('+');
  const companyId = plus >= 0 ? user.slice(0, plus) : '';
  const publicKey = plus >= 0 ? user.slice(plus + 1) : '';
  const ok =
    companyId.toLowerCase() === store.site.companyId.toLowerCase() &&
    publicKey === store.credentials.publicKey &&
    privateKey === store.credentials.privateKey;
  if (!ok) throw unauthorized('The supplied authentication is incorrect.');
}

const OLDEST_SUPPORTED = [2019, 1];

function parseVersion(v: string): [number, number] | undefined {
  const m = /^(\d{4})\.(\d+)$/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function cmp(a: number[], b: number[]): number {
  return (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0);
}

/**
 * The `Accept: application/vnd.connectwise.com+json; version=YYYY.N` pin. No version means "latest";
 * one outside 2019.1..(the spec's model) is refused with CW's own wording (connectwise-rest#35).
 */
export function checkApiVersion(headers: IncomingHttpHeaders, requestUrl: string): void {
  const accept = header(headers, 'accept') ?? '';
  const m = /version\s*=\s*"?([^;,"\s]+)/i.exec(accept);
  if (!m?.[1]) return;
  const requested = m[1];
  const v = parseVersion(requested);
  const newest = parseVersion(modelVersion()) ?? [0, 0];
  if (!v || cmp(v, OLDEST_SUPPORTED) < 0 || cmp(v, newest) > 0) {
    throw new CwError(
      400,
      'ConnectWiseApi',
      `The HTTP resource that matches the request URI '${requestUrl}' does not support the API version '${requested}'.`,
    );
  }
}
