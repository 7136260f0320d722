import { ApplicationFailure } from '@temporalio/activity';
import { getSystemInfo, isConnectWiseError } from '../connectwise';
import type { IntegrationRecord } from '../db';
import type { ConnectionReport } from '../services/connection-report';
import { runConnectionTest, TransientConnectionError } from '../services/connection-test';
import type { CwCredentials } from '../services/cw-settings';
import { markCredentialsInvalid } from '../services/credentials-state';
import { openIntegrationClient, storedCredentials } from '../services/integration-client';
import { FailureType, toActivityFailure } from './failures';
import { heartbeating } from './heartbeat';
import type { ActivityDeps } from './index';

export interface IntegrationRef {
  partnerId: string;
  integrationId: string;
}

export function createConnectionActivities(deps: ActivityDeps) {
  /** The live integration, or a failure no retry can fix. */
  const liveIntegration = async ({
    partnerId,
    integrationId,
  }: IntegrationRef): Promise<IntegrationRecord> => {
    const integration = await deps.repos.integrations.get(partnerId, integrationId);
    if (!integration || integration.state === 'deleted') {
      throw ApplicationFailure.nonRetryable(
        'integration not found',
        FailureType.integrationNotFound,
      );
    }
    return integration;
  };

  const test = (creds: () => Promise<CwCredentials>): Promise<ConnectionReport> =>
    heartbeating(async (signal) => {
      try {
        return await runConnectionTest(await creds(), deps.cw, { signal });
      } catch (err) {
        throw toActivityFailure(err instanceof TransientConnectionError ? err.cause : err);
      }
    });

  return {
    /**
     * Test Connection of keys a person just typed (not stored yet). Its input holds the private
     * key: the payload codec keeps it out of history, and nothing here logs it.
     */
    async testConnection(creds: CwCredentials): Promise<ConnectionReport> {
      return await test(() => Promise.resolve(creds));
    },

    /** Test Connection of a saved integration: its sealed key is opened here, never sent. */
    async testStoredConnection(ref: IntegrationRef): Promise<ConnectionReport> {
      return await test(async () => storedCredentials(deps.keyring, await liveIntegration(ref)));
    },

    /**
     * One cheap authenticated call before a run. A 401 means the keys were revoked or rotated: the
     * integration moves to credentials_invalid at once, and nothing retries until a partner fixes it.
     */
    async checkAccess(ref: IntegrationRef): Promise<{ state: string; billingEnabled?: boolean }> {
      const integration = await liveIntegration(ref);
      if (integration.state !== 'active') return { state: integration.state };
      const billingEnabled = integration.billingSettings?.enabled === true;
      return await heartbeating(async (signal) => {
        try {
          const client = await openIntegrationClient(deps, integration, { signal });
          await getSystemInfo(client, { signal });
          return { state: 'active', billingEnabled };
        } catch (err) {
          if (isConnectWiseError(err) && err.kind === 'authentication') {
            await markCredentialsInvalid(deps.repos, integration);
            deps.logger.warn(
              { integrationId: ref.integrationId },
              'credentials rejected by ConnectWise',
            );
            throw ApplicationFailure.nonRetryable(err.message, FailureType.credentialsInvalid);
          }
          throw toActivityFailure(err);
        }
      });
    },
  };
}
