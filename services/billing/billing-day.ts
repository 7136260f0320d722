import { getSystemInfo, type ConnectWiseClient } from '../../connectwise';
import { billingDay, ianaZoneOf, isIanaZone } from '../../domain/billing/time-zone';

/**
 * The MSP's billing day (`yyyy-MM-dd`): in the billing settings' time zone, else in ConnectWise's
 * `serverTimeZone` (asked only then: one `/system/info`), else UTC.
 */
export async function billingDayOf(
  client: ConnectWiseClient,
  timeZone: string | null,
  now: Date,
  options: { signal?: AbortSignal } = {},
): Promise<{ zone: string; today: string }> {
  const server =
    timeZone !== null && isIanaZone(timeZone)
      ? undefined
      : (await getSystemInfo(client, options)).serverTimeZone;
  const zone = ianaZoneOf(timeZone, server);
  return { zone, today: billingDay(zone, now) };
}
