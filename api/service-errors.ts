import { asServiceError, ServiceError, type ServiceErrorKind } from '../services/errors';
import { HttpError } from './http-error';

/** The one HTTP status of each kind of service error. */
export const STATUS_OF: Record<ServiceErrorKind, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  check_failed: 422,
  upstream: 502,
  unavailable: 503,
  upstream_timeout: 504,
  busy: 429,
};

/** A service error (or a Temporal that is down) as the API answers it; others unchanged. */
export function fromServiceError(thrown: unknown): unknown {
  const err = asServiceError(thrown);
  if (!(err instanceof ServiceError)) return err;
  return new HttpError(STATUS_OF[err.kind], err.code, err.message, err.details);
}
