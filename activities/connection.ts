import { getSystemInfo } from '../connectwise';
import type { ConnectionReport } from '../services/connection-report';
import { runConnectionTest, TransientConnectionError } from '../services/connection-test';
import type { CwCredentials } from '../services/cw-settings';
import { storedCredentials } from '../services/integration-client';
import { toActivityFailure } from './failures';
import { heartbeating } from './heartbeat';
import type { ActivityDeps } from './deps';
import { tenantKeyOfIntegration } from '../services/tenant';
import { liveIntegration, withConnectWise, type IntegrationRef } from './with-connectwise';

export type { IntegrationRef };

/** What a run learns before it starts: whether it may, and what the settings say now. */
export interface AccessCheck {
  state: string;
  billingEnabled?: boolean;
  /** The integration's own sync period, when it has one. */
  syncIntervalMinutes?: number;
}

export function createConnectionActivities(deps: ActivityDeps) {
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
      return await test(async () =>
        storedCredentials(deps.keyring, await liveIntegration(deps.repos, ref)),
      );
    },

    /**
     * One cheap authenticated call before a run. A 401 means the keys were revoked or rotated: the
     * integration moves to credentials_invalid at once, and nothing retries until a partner fixes it.
     */
    async checkAccess(ref: IntegrationRef): Promise<AccessCheck> {
      const integration = await liveIntegration(deps.repos, ref);
      // The schedule as the settings say now: the lifecycle reads it at every run.
      const period = integration.billingSettings?.syncIntervalMinutes;
      const schedule = typeof period === 'number' ? { syncIntervalMinutes: period } : {};
      if (integration.state !== 'active') return { state: integration.state, ...schedule };
      // Billing turned off with releaseAdditions still runs while the ledger holds additions to
      // release; then it stops.
      const billing = integration.billingSettings;
      const billingEnabled =
        billing?.enabled === true ||
        (billing?.releaseAdditions === true &&
          (
            await deps.repos.billingLedger.list({
              partnerId: integration.partnerId,
              integrationId: integration.id,
              tenantKey: tenantKeyOfIntegration(integration),
            })
          ).entries.some((e) => e.state !== 'kept_separate'));
      return await withConnectWise(deps, integration, async (client, signal) => {
        await getSystemInfo(client, { signal });
        return { state: 'active', billingEnabled, ...schedule };
      });
    },
  };
}
