import type { RequestHandler } from 'express';
import type { Principal } from '../db';
import type { ApiTokenRepository } from '../db/repositories/api-tokens';
import { HttpError } from './errors';

declare module 'express-serve-static-core' {
  interface Locals {
    principal?: Principal;
  }
}

const unauthenticated = (message: string) => new HttpError(401, 'unauthenticated', message);

/** Bearer tokens only; the token is never logged (pino redacts the authorization header). */
export function authenticate(tokens: ApiTokenRepository): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw unauthenticated('send an API token as "Authorization: Bearer <token>"');
    }
    const principal = await tokens.authenticate(match[1]!);
    if (!principal) {
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw unauthenticated('the API token is unknown or revoked');
    }
    res.locals.principal = principal;
    next();
  };
}

/**
 * A partner token reaches only its own partner. Another partner's resources answer 404, exactly
 * as a partner that does not exist, so ids cannot be probed.
 */
export const canActFor = (principal: Principal | undefined, partnerId: string): boolean =>
  principal !== undefined && (principal.kind === 'service' || principal.partnerId === partnerId);

export const partnerNotFound = () => new HttpError(404, 'not_found', 'partner not found');
