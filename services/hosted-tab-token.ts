import type { IntegrationRecord, Repositories } from '../db';
import type { HostedTabTokenRecord } from '../db/repositories/hosted-tab-tokens';
import { parseHostedToken, verifierMatches } from '../security/hosted-token';

type TokenRepos = Pick<Repositories, 'hostedTabTokens'>;

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

/** Whether `token` is a live install token of this integration. */
export async function isCurrentToken(
  repos: TokenRepos,
  integration: Pick<IntegrationRecord, 'id' | 'partnerId'>,
  token: string | undefined,
): Promise<boolean> {
  const stored = await verifiedToken(repos, token);
  return stored?.partnerId === integration.partnerId && stored.integrationId === integration.id;
}

/** The integration an install token opens the tab of; a deleted integration's tokens open nothing. */
export async function integrationOfToken(
  repos: TokenRepos & Pick<Repositories, 'integrations'>,
  token: string,
): Promise<IntegrationRecord | undefined> {
  const stored = await verifiedToken(repos, token);
  if (!stored) return undefined;
  const integration = await repos.integrations.get(stored.partnerId, stored.integrationId);
  return integration && integration.state !== 'deleted' ? integration : undefined;
}
