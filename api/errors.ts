import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../config/logger';
import { fromServiceError } from './service-errors';
import { isDatabaseUnavailable } from '../db/unavailable';
import { HttpError, type FieldError } from './http-error';

export { HttpError, type FieldError };

export const notFound = (what = 'resource'): HttpError =>
  new HttpError(404, 'not_found', `${what} not found`);

export function fieldErrors(err: ZodError, prefix?: string): FieldError[] {
  return err.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
  }));
}

export const validationError = (fields: FieldError[]): HttpError =>
  new HttpError(
    400,
    'validation_failed',
    `invalid request: ${fields.map((f) => f.field).join(', ')}`,
    {
      fields,
    },
  );

export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
  message?: string;
}

/** body-parser marks errors that describe the request (bad charset, encoding…) as exposable 4xx. */
const isClientBodyError = (err: BodyParserError) =>
  err.expose === true && typeof err.status === 'number' && err.status >= 400 && err.status < 500;

/**
 * The answer an error gets: its HttpError, or undefined for an error nobody anticipated (a 500).
 * Database outages are 503s; every known kind of client mistake a 4xx.
 */
export function toHttpError(thrown: unknown): HttpError | undefined {
  const err = fromServiceError(thrown);
  if (err instanceof HttpError) return err;
  if (err instanceof ZodError) return validationError(fieldErrors(err));
  if ((err as BodyParserError).type === 'entity.parse.failed')
    return new HttpError(400, 'invalid_json', 'request body is not valid JSON');
  if ((err as BodyParserError).type === 'entity.too.large')
    return new HttpError(413, 'payload_too_large', 'request body is too large');
  if (isClientBodyError(err as BodyParserError)) {
    const e = err as Required<Pick<BodyParserError, 'status' | 'message'>> & BodyParserError;
    return new HttpError(e.status, e.type?.replace(/\W+/g, '_') ?? 'bad_request', e.message);
  }
  if (isDatabaseUnavailable(err))
    return new HttpError(503, 'database_unavailable', 'the database is unavailable; try again');
  return undefined;
}

/** JSON errors only; never a stack trace or an internal message. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (thrown: unknown, req, res, _next) => {
    const known = toHttpError(thrown);
    let http: HttpError;
    if (known?.code === 'database_unavailable') {
      // Down, unreachable or too slow: the caller may retry. The driver's error names the cause.
      logger.warn({ cause: (thrown as Error).name, path: req.path }, 'database unavailable');
      http = known;
    } else if (known) {
      http = known;
      if (http.status >= 500) logger.error({ err: http, path: req.path }, http.message);
    } else {
      logger.error({ err: thrown, method: req.method, path: req.path }, 'unhandled error');
      http = new HttpError(500, 'internal_error', 'internal error');
    }
    const retryAfter = http.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    res
      .status(http.status)
      .json({ error: { code: http.code, message: http.message, ...http.details } });
  };
}
