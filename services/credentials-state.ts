import type { IntegrationRecord, Repositories } from '../db';

export const CREDENTIALS_REJECTED =
  'ConnectWise no longer accepts the API keys: they were revoked, rotated or the API member was deactivated. Enter new keys.';

/**
 * A 401 from ConnectWise, wherever it happens (a run, a look-up): the integration stops trying
 * until a partner enters new keys or re-validates.
 */
export async function markCredentialsInvalid(
  repos: Pick<Repositories, 'integrations'>,
  integration: Pick<IntegrationRecord, 'id' | 'partnerId'>,
): Promise<void> {
  await repos.integrations.update(integration.partnerId, integration.id, {
    state: 'credentials_invalid',
    stateReason: CREDENTIALS_REJECTED,
  });
}
