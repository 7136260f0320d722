import type { Request, RequestHandler, Response } from 'express';
import type { Principal } from '../db';
import type { ApiTokenRepository } from '../db/repositories/api-tokens';
import { HttpError } from './errors';

declare module 'express-serve-static-core' {
  interface Locals {
    principal?: Principal;
  }
}

const unauthenticated = (message: string) => new HttpError(401, 'unauthenticated', message);

/** The token's principal, or a 401. The token is never logged (pino redacts the header). */
export async function principalOf(
  tokens: ApiTokenRepository,
  req: Request,
  res: Response,
): Promise<Principal> {
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
  return principal;
}

/** Operator-only endpoints: a valid service token, never a partner's. */
export function requireServiceToken(tokens: ApiTokenRepository): RequestHandler {
  return async (req, res, next) => {
    const principal = await principalOf(tokens, req, res);
    if (principal.kind !== 'service')
      throw new HttpError(403, 'forbidden', 'a service token is required');
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
