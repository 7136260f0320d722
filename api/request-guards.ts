import type { Request, RequestHandler } from 'express';
import { HttpError } from './errors';

/**
 * A path that is not valid percent-encoding (`/v1/partners/%ZZ/customers`) is the caller's
 * mistake: 400 naming the segment, before routing, where Express would throw a URIError while
 * decoding a parameter and answer 500.
 */
export const rejectMalformedPath: RequestHandler = (req, _res, next) => {
  for (const segment of req.path.split('/')) {
    try {
      decodeURIComponent(segment);
    } catch {
      const message = `"${segment.slice(0, 100)}" is not valid percent-encoding`;
      next(
        new HttpError(400, 'invalid_path', `invalid request path: ${message}`, {
          fields: [{ field: 'path', message }],
        }),
      );
      return;
    }
  }
  next();
};

const hasBody = (req: Parameters<RequestHandler>[0]) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/**
 * Every body this API takes is JSON. A body of another (or no) content type would reach the
 * routes as "no body" and fail as "body: expected object", which hides the real mistake: answer
 * 415 instead. A request without a body (an empty POST to a route that takes none) passes.
 */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  if (hasBody(req) && !req.is('application/json')) {
    const sent = req.headers['content-type']?.slice(0, 100) ?? 'no Content-Type';
    next(
      new HttpError(
        415,
        'unsupported_media_type',
        `request bodies must be JSON, sent with Content-Type: application/json (got ${sent})`,
      ),
    );
    return;
  }
  next();
};

const bodyErrors = new WeakMap<Request, unknown>();

/**
 * Reads the body with `parse`, but keeps what is wrong with it (not JSON, unparseable, too large)
 * until a route has authorized the caller (`raiseBodyError` in api/route.ts): another partner's
 * path answers 404 whatever the body, as it does whatever exists there, and a path no route takes
 * answers its 404 or 405.
 */
export const deferBodyErrors =
  (parse: RequestHandler): RequestHandler =>
  (req, res, next) =>
    parse(req, res, (err?: unknown) => {
      if (err !== undefined && err !== null) bodyErrors.set(req, err);
      next();
    });

/** Throws what was wrong with the request's body, if anything (see `deferBodyErrors`). */
export function raiseBodyError(req: Request): void {
  if (bodyErrors.has(req)) throw bodyErrors.get(req);
}
