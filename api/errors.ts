import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../config/logger';
import { fromServiceError } from './service-errors';
import { isDatabaseUnavailable } from '../db/unavailable';

export interface FieldError {
  field: string;
  message: string;
}

/** An error whose status, code and message are safe to show to the caller as they are. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: { fields?: FieldError[]; [key: string]: unknown },
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

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

/** JSON errors only; never a stack trace or an internal message. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (thrown: unknown, req, res, _next) => {
    const err = fromServiceError(thrown);
    let http: HttpError;
    if (err instanceof HttpError) {
      http = err;
    } else if (err instanceof ZodError) {
      http = validationError(fieldErrors(err));
    } else if ((err as BodyParserError).type === 'entity.parse.failed') {
      http = new HttpError(400, 'invalid_json', 'request body is not valid JSON');
    } else if ((err as BodyParserError).type === 'entity.too.large') {
      http = new HttpError(413, 'payload_too_large', 'request body is too large');
    } else if (isClientBodyError(err as BodyParserError)) {
      const e = err as Required<Pick<BodyParserError, 'status' | 'message'>> & BodyParserError;
      http = new HttpError(e.status, e.type?.replace(/\W+/g, '_') ?? 'bad_request', e.message);
    } else if (isDatabaseUnavailable(err)) {
      // Down, unreachable or too slow: the caller may retry. The driver's error names the cause.
      logger.warn({ cause: (err as Error).name, path: req.path }, 'database unavailable');
      http = new HttpError(503, 'database_unavailable', 'the database is unavailable; try again');
    } else {
      logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
      http = new HttpError(500, 'internal_error', 'internal error');
    }
    if (http.status >= 500 && err instanceof HttpError)
      logger.error({ err, path: req.path }, http.message);
    res
      .status(http.status)
      .json({ error: { code: http.code, message: http.message, ...http.details } });
  };
}
