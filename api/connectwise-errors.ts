import type { Response } from 'express';
import type { Logger } from '../config/logger';
import { ClientErrorCode, isConnectWiseError } from '../connectwise';
import type { IntegrationRecord, Repositories } from '../db';
import { CREDENTIALS_REJECTED, markCredentialsInvalid } from '../services/credentials-state';
import { IntegrationWithoutCredentialsError } from '../services/integration-client';
import { markRoleLineRefused, permissionMessage } from '../services/role-refusal';
import { HttpError } from './errors';

export { CREDENTIALS_REJECTED };

/** Without Retry-After from ConnectWise, the portal is told to wait this long. */
const DEFAULT_RETRY_AFTER_SECONDS = 30;

export interface ConnectWiseErrorContext {
  repos: Pick<Repositories, 'integrations' | 'healthIssues'>;
  integration: Pick<IntegrationRecord, 'id' | 'partnerId'> & {
    privateKey: IntegrationRecord['privateKey'];
  };
  /** Where Retry-After goes on a 503. */
  res: Pick<Response, 'setHeader'>;
  logger: Pick<Logger, 'warn'>;
  /** What a 404 from ConnectWise means here, in words ("ConnectWise has no service board 7"). */
  notFound?: string;
}

async function credentialsRejected(ctx: ConnectWiseErrorContext): Promise<HttpError> {
  await markCredentialsInvalid(ctx.repos, ctx.integration);
  return new HttpError(409, 'credentials_invalid', CREDENTIALS_REJECTED);
}

/**
 * The one translation of a ConnectWise failure into what the API answers. ConnectWise's own
 * message is logged, never returned: it can name hosts and paths the portal should not show.
 * Anything that is not a ConnectWise failure comes back unchanged (a 500 for the error handler).
 */
export async function connectWiseHttpError(
  err: unknown,
  ctx: ConnectWiseErrorContext,
): Promise<Error> {
  if (err instanceof IntegrationWithoutCredentialsError) {
    return new HttpError(409, 'no_credentials', 'enter the private key again');
  }
  if (!isConnectWiseError(err)) return err instanceof Error ? err : new Error(String(err));
  ctx.logger.warn(
    { cw: err.toJSON(), integrationId: ctx.integration.id },
    'ConnectWise call failed',
  );
  switch (err.kind) {
    case 'authentication':
      return await credentialsRejected(ctx);
    case 'permission':
      await markRoleLineRefused(ctx.repos, ctx.integration, err).catch(() => undefined);
      return new HttpError(502, 'connectwise_permission', permissionMessage(err));
    case 'not_found':
      if (err.code === ClientErrorCode.CompanyNotFound) {
        return new HttpError(
          409,
          'connectwise_company_not_found',
          'ConnectWise no longer knows the integration\u2019s login Company ID; check the site and Company ID.',
        );
      }
      return new HttpError(
        404,
        'connectwise_not_found',
        ctx.notFound ?? 'not found in ConnectWise',
      );
    case 'throttled': {
      const seconds =
        err.retryAfterMs === undefined
          ? DEFAULT_RETRY_AFTER_SECONDS
          : Math.max(1, Math.ceil(err.retryAfterMs / 1000));
      ctx.res.setHeader('Retry-After', String(seconds));
      return new HttpError(
        503,
        'connectwise_throttled',
        `ConnectWise asks us to slow down; try again in ${seconds} seconds.`,
      );
    }
    case 'network':
      return new HttpError(
        502,
        'connectwise_unreachable',
        'ConnectWise did not answer in time; try again in a minute.',
      );
    case 'unexpected_response':
      return new HttpError(
        502,
        'connectwise_unexpected_response',
        'ConnectWise answered with something other than its API; check the site address.',
      );
    case 'server':
      return new HttpError(
        502,
        'connectwise_unavailable',
        'ConnectWise answered with a server error; try again in a minute.',
      );
    case 'validation':
    case 'object_exists':
      // We only read here, so ConnectWise refusing a request is our fault, not the partner's.
      return new HttpError(
        502,
        'connectwise_rejected',
        'ConnectWise refused the engine\u2019s request; the problem has been logged.',
      );
  }
}
