import type { IntegrationRecord, Repositories } from '../db';
import type { HostedTabTokenRecord } from '../db/repositories/hosted-tab-tokens';
import { parseHostedToken, verifierMatches } from '../security/hosted-token';

type TokenRepos = Pick<Repositories, 'hostedTabTokens'>;
export type TabIntegration = Pick<IntegrationRecord, 'id' | 'partnerId' | 'tenantChanges'>;

/**
 * When the integration last moved to another ConnectWise tenant ('' never). A token installed
 * before such a move opens nothing: the old tenant's company ids mean other companies now.
 */
export const tenantEpochOf = (integration: Pick<IntegrationRecord, 'tenantChanges'>): string =>
  integration.tenantChanges.filter((c) => c.action === 'reset').at(-1)?.at ?? '';

/** The stored record of an install token whose verifier matches (compared in constant time). */
async function verifiedToken(
  repos: TokenRepos,
  token: string | undefined,
): Promise<HostedTabTokenRecord | undefined> {
  const parts = token === undefined ? undefined : parseHostedToken(token);
  if (!parts) return undefined;
  const stored = await repos.hostedTabTokens.find(parts.selector);
  return stored && verifierMatches(parts.verifier, stored.verifierHash) ? stored : undefined;
}

const belongsTo = (stored: HostedTabTokenRecord | undefined, integration: TabIntegration) =>
  stored?.partnerId === integration.partnerId &&
  stored.integrationId === integration.id &&
  stored.tenantEpoch === tenantEpochOf(integration);

/** Whether `token` is a live install token of this integration in its current tenant. */
export async function isCurrentToken(
  repos: TokenRepos,
  integration: TabIntegration,
  token: string | undefined,
): Promise<boolean> {
  return belongsTo(await verifiedToken(repos, token), integration);
}

/** The integration an install token opens the tab of; a deleted integration's tokens open nothing. */
export async function integrationOfToken(
  repos: TokenRepos & Pick<Repositories, 'integrations'>,
  token: string,
): Promise<IntegrationRecord | undefined> {
  const stored = await verifiedToken(repos, token);
  if (!stored) return undefined;
  const integration = await repos.integrations.get(stored.partnerId, stored.integrationId);
  if (!integration || integration.state === 'deleted') return undefined;
  return belongsTo(stored, integration) ? integration : undefined;
}
