import type { IntegrationRecord, Repositories } from '../db';

export const CREDENTIALS_REJECTED =
  'ConnectWise no longer accepts the API keys: they were revoked, rotated or the API member was deactivated. Enter new keys.';

/**
 * A 401 from ConnectWise, wherever it happens (a run, a look-up): the integration stops trying
 * until a partner enters new keys or re-validates.
 */
export async function markCredentialsInvalid(
  repos: Pick<Repositories, 'integrations'>,
  // privateKey is required here (possibly undefined): the check below must see the key used.
  integration: Pick<IntegrationRecord, 'id' | 'partnerId'> & {
    privateKey: IntegrationRecord['privateKey'];
  },
): Promise<void> {
  // Only if the refused key is still the stored one: a 401 that arrives after the partner saved
  // new keys says nothing about them.
  if (!integration.privateKey) return;
  await repos.integrations.update(
    integration.partnerId,
    integration.id,
    { state: 'credentials_invalid', stateReason: CREDENTIALS_REJECTED },
    [],
    { privateKeyCt: integration.privateKey.ct },
  );
}
