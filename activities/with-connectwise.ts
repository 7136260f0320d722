import { ApplicationFailure } from '@temporalio/activity';
import { isConnectWiseError, type ConnectWiseClient } from '../connectwise';
import type { IntegrationRecord, Repositories } from '../db';
import { markCredentialsInvalid } from '../services/credentials-state';
import { openIntegrationClient } from '../services/integration-client';
import { markRoleLineRefused } from '../services/role-refusal';
import { FailureType, toActivityFailure } from './failures';
import { heartbeating } from './heartbeat';
import type { ActivityDeps } from './deps';

export interface IntegrationRef {
  partnerId: string;
  integrationId: string;
}

/** The integration an activity works for, or a failure no retry can fix. */
export async function liveIntegration(
  repos: Pick<Repositories, 'integrations' | 'healthIssues'>,
  { partnerId, integrationId }: IntegrationRef,
): Promise<IntegrationRecord> {
  const integration = await repos.integrations.get(partnerId, integrationId);
  if (!integration || integration.state === 'deleted') {
    throw ApplicationFailure.nonRetryable('integration not found', FailureType.integrationNotFound);
  }
  return integration;
}

/**
 * Runs a step with the integration's ConnectWise client, heartbeating, with Temporal's
 * cancellation signal for every call. A 401 means the keys were revoked or rotated: the
 * integration moves to credentials_invalid at once and the activity fails without retrying;
 * every other error goes through toActivityFailure.
 */
export async function withConnectWise<T>(
  deps: ActivityDeps,
  integration: IntegrationRecord,
  step: (client: ConnectWiseClient, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  return await heartbeating(async (signal) => {
    try {
      return await step(await openIntegrationClient(deps, integration, { signal }), signal);
    } catch (err) {
      if (isConnectWiseError(err) && err.kind === 'authentication') {
        await markCredentialsInvalid(deps.repos, integration);
        deps.logger.warn({ integrationId: integration.id }, 'credentials rejected by ConnectWise');
        throw ApplicationFailure.nonRetryable(err.message, FailureType.credentialsInvalid);
      }
      if (isConnectWiseError(err) && err.kind === 'permission')
        await markRoleLineRefused(deps.repos, integration, err).catch(() => undefined);
      throw toActivityFailure(err);
    }
  });
}
