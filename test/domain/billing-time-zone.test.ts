import fc from 'fast-check';
import {
  billingDay,
  cwDateTime,
  effectiveZoneOf,
  ianaZoneOf,
  isIanaZone,
} from '../../domain/billing/time-zone';

describe('ianaZoneOf', () => {
  test.each([
    ['Eastern Standard Time', 'America/New_York'],
    ['Pacific Standard Time', 'America/Los_Angeles'],
    ['Romance Standard Time', 'Europe/Paris'],
    ['AUS Eastern Standard Time', 'Australia/Sydney'],
    ['Tokyo Standard Time', 'Asia/Tokyo'],
    ['Dateline Standard Time', 'Etc/GMT+12'],
  ])("maps ConnectWise's Windows zone %s to %s", (windows, iana) => {
    expect(ianaZoneOf(null, windows)).toBe(iana);
  });

  test('the settings zone wins over the server zone', () => {
    expect(ianaZoneOf('Europe/Berlin', 'Eastern Standard Time')).toBe('Europe/Berlin');
  });

  test('unknown, missing or empty server zones give UTC; an unknown setting falls back', () => {
    expect(ianaZoneOf(null, 'Martian Standard Time')).toBe('UTC');
    expect(ianaZoneOf(null, undefined)).toBe('UTC');
    expect(ianaZoneOf(null, '')).toBe('UTC');
    expect(ianaZoneOf('Mars/Olympus', 'Eastern Standard Time')).toBe('America/New_York');
  });
});

describe('effectiveZoneOf', () => {
  test('says where the zone came from', () => {
    expect(effectiveZoneOf('Europe/Berlin', 'Eastern Standard Time')).toEqual({
      zone: 'Europe/Berlin',
      source: 'setting',
    });
    expect(effectiveZoneOf(null, 'Eastern Standard Time')).toEqual({
      zone: 'America/New_York',
      source: 'connectwise',
    });
    expect(effectiveZoneOf('Mars/Olympus', 'Tokyo Standard Time')).toEqual({
      zone: 'Asia/Tokyo',
      source: 'connectwise',
    });
    for (const server of ['Martian Standard Time', '', null, undefined])
      expect(effectiveZoneOf(null, server)).toEqual({ zone: 'UTC', source: 'utc' });
  });
});

describe('isIanaZone', () => {
  test.each(['America/New_York', 'UTC', 'Asia/Kolkata', 'Etc/GMT+12'])('%s is one', (zone) => {
    expect(isIanaZone(zone)).toBe(true);
  });
  test.each(['Eastern Standard Time', '+05:00', '', 'Mars/Olympus', ' UTC', '../etc'])(
    '%j is not',
    (zone) => {
      expect(isIanaZone(zone)).toBe(false);
    },
  );
});

describe('billingDay', () => {
  const day = (zone: string, iso: string) => billingDay(zone, new Date(iso));

  test('a moment that is already tomorrow in UTC is still today in New York, and the reverse in Auckland', () => {
    expect(day('UTC', '2025-03-01T03:00:00Z')).toBe('2025-03-01');
    expect(day('America/New_York', '2025-03-01T03:00:00Z')).toBe('2025-02-28');
    expect(day('Pacific/Auckland', '2025-06-30T13:00:00Z')).toBe('2025-07-01');
    expect(day('UTC', '2025-06-30T13:00:00Z')).toBe('2025-06-30');
  });

  test('half-hour zones change day at their own midnight', () => {
    expect(day('Asia/Kolkata', '2025-01-01T18:29:59Z')).toBe('2025-01-01');
    expect(day('Asia/Kolkata', '2025-01-01T18:30:00Z')).toBe('2025-01-02');
  });

  test('New York: midnight moves from 05:00Z to 04:00Z when summer time starts (9 March 2025)', () => {
    expect(day('America/New_York', '2025-03-09T04:59:59Z')).toBe('2025-03-08');
    expect(day('America/New_York', '2025-03-09T05:00:00Z')).toBe('2025-03-09');
    // The next midnight is already in summer time (UTC-4): a fixed -5 offset would say the 9th.
    expect(day('America/New_York', '2025-03-10T03:59:59Z')).toBe('2025-03-09');
    expect(day('America/New_York', '2025-03-10T04:00:00Z')).toBe('2025-03-10');
  });

  test('New York: back to 05:00Z when summer time ends (2 November 2025, a 25-hour day)', () => {
    expect(day('America/New_York', '2025-11-02T03:59:59Z')).toBe('2025-11-01');
    expect(day('America/New_York', '2025-11-02T04:00:00Z')).toBe('2025-11-02');
    // 01:30 happens twice that night; both are the 2nd.
    expect(day('America/New_York', '2025-11-02T05:30:00Z')).toBe('2025-11-02');
    expect(day('America/New_York', '2025-11-02T06:30:00Z')).toBe('2025-11-02');
    expect(day('America/New_York', '2025-11-03T04:59:59Z')).toBe('2025-11-02');
    expect(day('America/New_York', '2025-11-03T05:00:00Z')).toBe('2025-11-03');
  });

  test('Sydney: summer time starts in October (UTC+10 → +11)', () => {
    expect(day('Australia/Sydney', '2025-10-04T13:59:59Z')).toBe('2025-10-04');
    expect(day('Australia/Sydney', '2025-10-04T14:00:00Z')).toBe('2025-10-05');
    expect(day('Australia/Sydney', '2025-10-05T12:59:59Z')).toBe('2025-10-05');
    expect(day('Australia/Sydney', '2025-10-05T13:00:00Z')).toBe('2025-10-06');
  });

  test('in UTC it is the ISO date, for any moment', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1970-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        (d) => billingDay('UTC', d) === d.toISOString().slice(0, 10),
      ),
    );
  });

  test('a zone the runtime does not know is an error, not a silent UTC', () => {
    expect(() => billingDay('Mars/Olympus', new Date())).toThrow(RangeError);
  });
});

describe('cwDateTime', () => {
  test('midnight of the day, in ConnectWise form without milliseconds', () => {
    expect(cwDateTime('2025-03-09')).toBe('2025-03-09T00:00:00Z');
    expect(cwDateTime(billingDay('America/New_York', new Date('2025-03-01T03:00:00Z')))).toBe(
      '2025-02-28T00:00:00Z',
    );
  });

  test.each(['2025-3-9', '2025-02-30', '2025-03-09T00:00:00Z', ''])('refuses %j', (bad) => {
    expect(() => cwDateTime(bad)).toThrow(RangeError);
  });
});
