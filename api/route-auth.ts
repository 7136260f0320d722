import type { Request, Response } from 'express';
import type { Principal } from '../db';
import { canActFor, partnerNotFound } from './auth';
import { HttpError } from './errors';

/** How a route lets callers in; every route declares one (api/route.ts). */
export type AuthStrategy = 'partner' | 'service' | 'public';

/** The bearer token's principal, or a 401 (api/auth.ts). */
export type Authenticator = (req: Request, res: Response) => Promise<Principal>;

/**
 * Lets the caller in by the route's strategy, before anything of the request is parsed: a partner
 * token on another partner's path gets the same 404 whatever exists there, so ids cannot be probed.
 */
export async function authorizeRoute(
  strategy: AuthStrategy,
  req: Request,
  res: Response,
  authenticate: Authenticator,
): Promise<Principal | undefined> {
  switch (strategy) {
    case 'public':
      return undefined;
    case 'service': {
      const principal = await authenticate(req, res);
      if (principal.kind !== 'service')
        throw new HttpError(403, 'forbidden', 'a service token is required');
      return principal;
    }
    case 'partner': {
      const principal = await authenticate(req, res);
      const partnerId: unknown = req.params.partnerId;
      if (typeof partnerId !== 'string' || !canActFor(principal, partnerId))
        throw partnerNotFound();
      return principal;
    }
  }
}
