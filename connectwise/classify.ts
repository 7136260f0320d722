/** One entry of the `errors[]` array in a ConnectWise error body. */
export interface ConnectWiseErrorDetail {
  code?: string;
  message?: string;
  resource?: string;
  field?: string;
  details?: unknown;
}

/**
 * What an activity needs to decide about a failure. `unexpected_response` is our addition to the
 * HTTP-derived classes: the server answered, but not with ConnectWise API JSON we can trust (HTML
 * from the web UI host or an edge/WAF, a redirect, a body that breaks the contract or is too big).
 * It is never retryable; a `NonJsonResponse` code means "wrong host".
 */
export type ConnectWiseErrorKind =
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'validation'
  | 'object_exists'
  | 'throttled'
  | 'server'
  | 'network'
  | 'unexpected_response';

export interface ClassifiableError {
  status: number;
  code: string;
  errors?: readonly ConnectWiseErrorDetail[];
}

const CLIENT_CODE_KINDS: Record<string, ConnectWiseErrorKind> = {
  NetworkError: 'network',
  Timeout: 'network',
  Aborted: 'network',
  InvalidSite: 'validation',
  InvalidRequest: 'validation',
  InvalidCredentials: 'authentication',
  CompanyNotFound: 'not_found',
  InvalidResponse: 'unexpected_response',
  Redirect: 'unexpected_response',
  ResponseTooLarge: 'unexpected_response',
  ListTooLarge: 'unexpected_response',
};

// Codes ConnectWise puts in its body that say more than the status does (a cloud 404 can be an
// authentication failure, see docs/connectwise.md §3).
const AUTH_CODES = new Set(['Unauthorized', 'UserNotAuthenticated']);
const PERMISSION_CODES = new Set(['Security']);

/** The single place that turns status + code into a class. Order matters: first match wins. */
export function classifyConnectWiseError(err: ClassifiableError): ConnectWiseErrorKind {
  const byClientCode = CLIENT_CODE_KINDS[err.code];
  if (byClientCode) return byClientCode;
  const codes = [err.code, ...(err.errors ?? []).map((e) => e.code)];
  if (err.status === 429) return 'throttled';
  // 408: the server (or a proxy) gave up waiting; as transient as a 5xx.
  if (err.status >= 500 || err.status === 408) return 'server';
  // ConnectWise's own 403 is JSON naming the role; an HTML 403 comes from an edge or WAF in front
  // of it and says nothing about the security role.
  if (err.status === 403 && err.code === 'NonJsonResponse') return 'unexpected_response';
  if (err.status === 401 || codes.some((c) => c !== undefined && AUTH_CODES.has(c))) {
    return 'authentication';
  }
  if (err.status === 403 || codes.some((c) => c !== undefined && PERMISSION_CODES.has(c))) {
    return 'permission';
  }
  if (err.code === 'NonJsonResponse') return 'unexpected_response';
  if (err.status === 404) return 'not_found';
  // "Record in use": transient, so it is retried like a server error (docs/connectwise.md §3, verify).
  if (err.status === 409) return 'server';
  if (codes.includes('ObjectExists')) return 'object_exists';
  if (err.status >= 400) return 'validation';
  return 'unexpected_response';
}
