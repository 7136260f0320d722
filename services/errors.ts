import { isTemporalUnavailable } from '../temporal/unavailable';
import type { FieldProblem } from './field-problem';

/**
 * What went wrong, in words every caller (the API, a hosted tab, the console) can translate into
 * its own terms. The API maps each kind to one HTTP status (api/service-errors.ts).
 */
export type ServiceErrorKind =
  /** The request itself is wrong. */
  | 'invalid'
  | 'not_found'
  /** The current state does not allow it (exists already, changed meanwhile, wrong state). */
  | 'conflict'
  /** A check against ConnectWise ran and did not pass. */
  | 'check_failed'
  /** ConnectWise failed or refused. */
  | 'upstream'
  /** ConnectWise did not answer in time. */
  | 'upstream_timeout'
  /** A service the engine needs (Temporal, the database) is down: try again later. */
  | 'unavailable'
  /** Too much is waiting already: send again after `details.retryAfterSeconds`. */
  | 'busy';

export interface ServiceErrorDetails {
  fields?: FieldProblem[];
  [key: string]: unknown;
}

/** An error whose code, message and details are safe to show to the caller as they are. */
export class ServiceError extends Error {
  constructor(
    readonly kind: ServiceErrorKind,
    readonly code: string,
    message: string,
    readonly details?: ServiceErrorDetails,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export const notFound = (what: string): ServiceError =>
  new ServiceError('not_found', 'not_found', `${what} not found`);

export const invalidFields = (fields: FieldProblem[]): ServiceError =>
  new ServiceError(
    'invalid',
    'validation_failed',
    `invalid request: ${fields.map((f) => f.field).join(', ')}`,
    { fields },
  );

/** The caller should send again in `retryAfterSeconds` (the API answers 429 with Retry-After). */
export const busy = (code: string, message: string, retryAfterSeconds: number): ServiceError =>
  new ServiceError('busy', code, message, {
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)),
  });

export const temporalUnavailable = (
  message = 'the workflow service (Temporal) is unavailable; try again in a minute',
): ServiceError => new ServiceError('unavailable', 'temporal_unavailable', message);

/**
 * Failures of the layers below in service terms: the one mapping of a Temporal that is down
 * (whoever called it: a service, or a route through the lifecycle client). Others unchanged.
 */
export const asServiceError = (err: unknown): unknown =>
  !(err instanceof ServiceError) && isTemporalUnavailable(err) ? temporalUnavailable() : err;
