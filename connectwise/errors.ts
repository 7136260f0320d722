import {
  classifyConnectWiseError,
  type ConnectWiseErrorDetail,
  type ConnectWiseErrorKind,
} from './classify';

export type { ConnectWiseErrorDetail };

/**
 * Codes the client itself assigns when there is no ConnectWise body to take a code from. Server
 * codes (`InvalidObject`, `Unauthorized`, `ConnectWiseApi`, ...) pass through unchanged.
 */
export const ClientErrorCode = {
  Network: 'NetworkError',
  Timeout: 'Timeout',
  Aborted: 'Aborted',
  /** A 2xx/4xx answer that is not JSON: typically the ConnectWise web UI host, not the API host. */
  NonJson: 'NonJsonResponse',
  /** JSON that does not match the shape the contract promises. */
  InvalidResponse: 'InvalidResponse',
  Redirect: 'Redirect',
  /** A body larger than the client's cap (`maxResponseBytes`); the rest is not read. */
  ResponseTooLarge: 'ResponseTooLarge',
  /** `listAll` passed its page or row cap: a paging loop, or a list too big to hold in memory. */
  ListTooLarge: 'ListTooLarge',
  CompanyNotFound: 'CompanyNotFound',
  InvalidSite: 'InvalidSite',
  InvalidRequest: 'InvalidRequest',
  InvalidCredentials: 'InvalidCredentials',
  HttpError: 'HttpError',
} as const;

export interface ConnectWiseErrorInit {
  /** HTTP status, or 0 when no answer arrived (network) or the client refused before sending. */
  status: number;
  code: string;
  message: string;
  /** The `message` of ConnectWise's own error body, as sent (our `message` wraps it). */
  serverMessage?: string;
  errors?: ConnectWiseErrorDetail[];
  retryAfterMs?: number;
  method?: string;
  /** API path without origin or query string: never carries credentials. */
  path?: string;
  cause?: unknown;
}

/**
 * The only error type the client throws. Its message and fields never contain the private key or
 * the Authorization header, so it is safe to log and to hand to Temporal as a failure message.
 */
export class ConnectWiseError extends Error {
  override readonly name = 'ConnectWiseError';
  readonly status: number;
  readonly code: string;
  readonly serverMessage: string | undefined;
  readonly errors: ConnectWiseErrorDetail[];
  readonly retryAfterMs: number | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly kind: ConnectWiseErrorKind;

  constructor(init: ConnectWiseErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.serverMessage = init.serverMessage;
    this.errors = init.errors ?? [];
    this.retryAfterMs = init.retryAfterMs;
    this.method = init.method;
    this.path = init.path;
    this.kind = classifyConnectWiseError(this);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      status: this.status,
      code: this.code,
      message: this.message,
      serverMessage: this.serverMessage,
      errors: this.errors,
      retryAfterMs: this.retryAfterMs,
      method: this.method,
      path: this.path,
    };
  }
}

export function isConnectWiseError(err: unknown): err is ConnectWiseError {
  return err instanceof ConnectWiseError;
}

/** Client-side refusal of a request we would otherwise send (bad id, pageSize, body...). */
export function invalidRequest(message: string): ConnectWiseError {
  return new ConnectWiseError({ status: 0, code: ClientErrorCode.InvalidRequest, message });
}

/**
 * ConnectWise's own words for a refusal: its message and each field error's
 * ("addition object is invalid: Product 1352 is inactive.").
 */
export function cwMessage(err: ConnectWiseError): string {
  const details = err.errors.map((e) => e.message).filter((m): m is string => Boolean(m));
  return [err.serverMessage ?? err.message, ...details].join(': ');
}
