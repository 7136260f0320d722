import { getSystemInfo } from '../../connectwise';
import type { IntegrationRecord } from '../../db';
import { effectiveZoneOf, isIanaZone, type ZoneSource } from '../../domain/billing/time-zone';
import type { ConnectionReport } from '../connection-report';
import { openIntegrationClient, type IntegrationClientDeps } from '../integration-client';

/**
 * The zone a billing run would count its day in, and where it comes from; `unknown` (zone null)
 * when it depends on ConnectWise's server zone and ConnectWise could not be asked.
 */
export interface EffectiveTimeZone {
  zone: string | null;
  source: ZoneSource | 'unknown';
}

/** How long a settings view waits for ConnectWise's server zone before answering `unknown`. */
const ASK_TIMEOUT_MS = 3000;

/**
 * ConnectWise's `serverTimeZone` as the last Test Connection saw it (null: ConnectWise did not
 * say); undefined when that report did not record it (saved before it was).
 */
export function recordedServerTimeZone(
  integration: Pick<IntegrationRecord, 'lastValidation'>,
): string | null | undefined {
  const report = integration.lastValidation as Partial<ConnectionReport> | undefined;
  return report?.server?.timeZone;
}

/**
 * The effective billing zone for settings whose `timeZone` is `timeZone` (null: derived), by the
 * rule a run follows (domain/billing/time-zone.ts). ConnectWise's server zone is taken from the
 * integration's last Test Connection; only when that did not record it is ConnectWise asked (one
 * `/system/info`, bounded), and any failure there answers `unknown` instead of failing.
 */
export async function effectiveTimeZoneOf(
  deps: IntegrationClientDeps & { timeoutMs?: number },
  integration: IntegrationRecord,
  timeZone: string | null,
): Promise<EffectiveTimeZone> {
  if (timeZone !== null && isIanaZone(timeZone)) return effectiveZoneOf(timeZone, undefined);
  const recorded = recordedServerTimeZone(integration);
  if (recorded !== undefined) return effectiveZoneOf(null, recorded);
  const unknown: EffectiveTimeZone = { zone: null, source: 'unknown' };
  // Keys ConnectWise refused are not tried again from a read.
  if (integration.state === 'credentials_invalid' || !integration.privateKey) return unknown;
  try {
    const signal = AbortSignal.timeout(deps.timeoutMs ?? ASK_TIMEOUT_MS);
    const client = await openIntegrationClient(deps, integration, { signal });
    const info = await getSystemInfo(client, { signal });
    return effectiveZoneOf(null, info.serverTimeZone ?? null);
  } catch {
    return unknown;
  }
}
