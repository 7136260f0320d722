import { ApplicationFailure } from '@temporalio/activity';
import { getSystemInfo, isConnectWiseError } from '../connectwise';
import type { ConnectionReport } from '../services/connection-report';
import { runConnectionTest, TransientConnectionError } from '../services/connection-test';
import type { CwCredentials } from '../services/cw-settings';
import { markCredentialsInvalid } from '../services/credentials-state';
import { openIntegrationClient } from '../services/integration-client';
import { FailureType, toActivityFailure } from './failures';
import type { ActivityDeps } from './index';

export function createConnectionActivities(deps: ActivityDeps) {
  return {
    /** Test Connection. Its input holds the private key: the payload codec keeps it out of history. */
    async testConnection(creds: CwCredentials): Promise<ConnectionReport> {
      try {
        return await runConnectionTest(creds, deps.cw);
      } catch (err) {
        throw toActivityFailure(err instanceof TransientConnectionError ? err.cause : err);
      }
    },

    /**
     * One cheap authenticated call before a run. A 401 means the keys were revoked or rotated: the
     * integration moves to credentials_invalid at once, and nothing retries until a partner fixes it.
     */
    async checkAccess(input: {
      partnerId: string;
      integrationId: string;
    }): Promise<{ state: string }> {
      const integration = await deps.repos.integrations.get(input.partnerId, input.integrationId);
      if (!integration || integration.state === 'deleted') {
        throw ApplicationFailure.nonRetryable(
          'integration not found',
          FailureType.integrationNotFound,
        );
      }
      if (integration.state !== 'active') return { state: integration.state };
      try {
        const client = await openIntegrationClient(deps, integration);
        await getSystemInfo(client);
        return { state: 'active' };
      } catch (err) {
        if (isConnectWiseError(err) && err.kind === 'authentication') {
          await markCredentialsInvalid(deps.repos, integration);
          deps.logger.warn(
            { integrationId: input.integrationId },
            'credentials rejected by ConnectWise',
          );
          throw ApplicationFailure.nonRetryable(err.message, FailureType.credentialsInvalid);
        }
        throw toActivityFailure(err);
      }
    },
  };
}
