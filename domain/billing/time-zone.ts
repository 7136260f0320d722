/**
 * The MSP's calendar day (docs/connectwise.md §8.5): creates start and cancels end on the day it is in the
 * MSP's time zone, which is the billing settings' IANA zone or else ConnectWise's
 * `serverTimeZone`, a Windows zone name mapped with CLDR's table (windows-iana). Pure.
 */
import { findIana } from 'windows-iana';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A day formatter for the zone; throws a RangeError for a zone this runtime does not know. */
function dayFormatter(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/**
 * Whether `name` is an IANA zone name the runtime knows (`America/New_York`, `UTC`). Offsets
 * (`+02:00`), which newer runtimes also accept, and Windows names are not.
 */
export function isIanaZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) return false;
  try {
    dayFormatter(name);
    return true;
  } catch {
    return false;
  }
}

/** CLDR's zone for a Windows zone name ("Eastern Standard Time" → America/New_York), if any. */
function zoneOfWindowsName(windowsName: string): string | undefined {
  // The world territory ("001") gives CLDR's primary zone; any territory is the fallback.
  const candidates = [...findIana(windowsName, '001'), ...findIana(windowsName)];
  return candidates.find(isIanaZone);
}

/** Where the billing zone came from: the settings, ConnectWise's server zone, or neither (UTC). */
export type ZoneSource = 'setting' | 'connectwise' | 'utc';

/**
 * The zone billing days are counted in, and where it came from: the settings' zone when set,
 * else ConnectWise's `serverTimeZone` mapped to IANA, else UTC.
 */
export function effectiveZoneOf(
  settingsTimeZone: string | null,
  serverTimeZone: string | null | undefined,
): { zone: string; source: ZoneSource } {
  if (settingsTimeZone !== null && isIanaZone(settingsTimeZone))
    return { zone: settingsTimeZone, source: 'setting' };
  const server = serverTimeZone ? zoneOfWindowsName(serverTimeZone.trim()) : undefined;
  return server ? { zone: server, source: 'connectwise' } : { zone: 'UTC', source: 'utc' };
}

/**
 * The zone billing days are counted in: the settings' zone when set, else ConnectWise's
 * `serverTimeZone` mapped to IANA, else UTC.
 */
export function ianaZoneOf(
  settingsTimeZone: string | null,
  serverTimeZone: string | undefined,
): string {
  return effectiveZoneOf(settingsTimeZone, serverTimeZone).zone;
}

/** The calendar day `yyyy-MM-dd` that `now` falls on in `zone`. */
export function billingDay(zone: string, now: Date): string {
  const parts = Object.fromEntries(
    dayFormatter(zone)
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}`;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A billing day as ConnectWise takes dates: `yyyy-MM-ddT00:00:00Z`, no milliseconds. */
export function cwDateTime(day: string): string {
  const dateTime = `${day}T00:00:00Z`;
  // A day that does not exist (2025-02-30) would be refused by ConnectWise; say so here.
  const parsed = new Date(dateTime);
  if (!DAY.test(day) || Number.isNaN(parsed.getTime()) || !parsed.toISOString().startsWith(day))
    throw new RangeError(`not a yyyy-MM-dd day: ${day}`);
  return dateTime;
}
