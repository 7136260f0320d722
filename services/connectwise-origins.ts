import { CLOUD_REGIONS, parseSite } from '../connectwise';
import type { IntegrationRecord } from '../db';
import type { ConnectionReport } from './connection-report';

const CLOUD_API_ORIGINS = new Set<string>(Object.values(CLOUD_REGIONS));

/**
 * The browser origins of an integration's ConnectWise: its API origin as last validated (the
 * site as entered otherwise), and for a cloud region also the web UI's (`api-na.…` serves the
 * API, `na.…` the screens people use). What may frame the hosted tab.
 */
export function connectWiseOriginsOf(
  integration: Pick<IntegrationRecord, 'site' | 'lastValidation'>,
): string[] {
  const report = integration.lastValidation as Partial<ConnectionReport> | undefined;
  let api: string;
  try {
    api = new URL(
      report?.site?.apiOrigin ?? parseSite(integration.site, { allowPrivateHosts: true }),
    ).origin;
  } catch {
    return [];
  }
  if (!CLOUD_API_ORIGINS.has(api)) return [api];
  return [api, api.replace('://api-', '://')];
}
