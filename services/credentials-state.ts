import { noteHealth } from './health';
import type { IntegrationRecord, Repositories } from '../db';
import { credentialsRejected, TICKET_HOLD_KINDS } from '../domain/health/issues';

export const CREDENTIALS_REJECTED =
  'ConnectWise no longer accepts the API keys: they were revoked, rotated or the API member was deactivated. Enter new keys.';

/**
 * A 401 from ConnectWise, wherever it happens (a run, a look-up): the integration stops trying
 * until a partner enters new keys or re-validates.
 */
export async function markCredentialsInvalid(
  repos: Pick<Repositories, 'integrations' | 'healthIssues'>,
  // privateKey is required here (possibly undefined): the check below must see the key used.
  integration: Pick<IntegrationRecord, 'id' | 'partnerId'> & {
    privateKey: IntegrationRecord['privateKey'];
  },
): Promise<void> {
  // Only if the refused key is still the stored one: a 401 that arrives after the partner saved
  // new keys says nothing about them.
  if (!integration.privateKey) return;
  const marked = await repos.integrations.update(
    integration.partnerId,
    integration.id,
    { state: 'credentials_invalid', stateReason: CREDENTIALS_REJECTED },
    [],
    { privateKeyCt: integration.privateKey.ct },
  );
  if (marked)
    await noteHealth(
      repos,
      { partnerId: integration.partnerId, integrationId: integration.id },
      { kinds: ['credentials_rejected'], by: 'a ConnectWise call' },
      [credentialsRejected()],
    );
}

/**
 * Keys that pass Test Connection (new, or the stored ones again; every role line granted)
 * resolve the rejected-keys and refused-role-line issues.
 */
export async function credentialsAccepted(
  repos: Pick<Repositories, 'healthIssues'>,
  ids: { partnerId: string; integrationId: string },
  /** Nothing else holds ticket work now (active, ticket settings sound): held events go too. */
  ticketsFree: boolean,
): Promise<void> {
  await noteHealth(
    repos,
    ids,
    {
      kinds: [
        'credentials_rejected',
        'role_line_missing',
        ...(ticketsFree ? TICKET_HOLD_KINDS : []),
      ],
      by: 'Test Connection passed',
    },
    [],
  );
}
