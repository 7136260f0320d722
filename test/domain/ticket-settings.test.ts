import type { TicketSettings } from '../../db';
import { SEVERITIES, TICKET_DEFAULTS, ticketPolicyOf } from '../../domain/tickets/settings';

const ids = { boardId: 2, sourceId: 4, initialStatusId: 201, closingStatusId: 203 };

test('never set: disabled, no ids, every default', () => {
  const none = {
    enabled: false,
    priorityBySeverity: {},
    processNotifications: false,
    noteWindowMinutes: 15,
    reopenWindowHours: 0,
    maxEventAgeHours: 168,
    pollMinutes: 15,
  };
  expect(ticketPolicyOf(undefined)).toStrictEqual(none);
  expect(ticketPolicyOf(null)).toStrictEqual(none);
  expect(TICKET_DEFAULTS).toEqual({
    noteWindowMinutes: 15,
    reopenWindowHours: 0,
    maxEventAgeHours: 168,
    pollMinutes: 15,
    processNotifications: false,
  });
});

test('settings saved before the policy existed get the defaults beside their ids', () => {
  expect(ticketPolicyOf({ enabled: true, ...ids })).toStrictEqual({
    enabled: true,
    ...ids,
    priorityBySeverity: {},
    ...TICKET_DEFAULTS,
  });
});

test('stored values win over the defaults, zero and false included', () => {
  const stored: TicketSettings = {
    enabled: true,
    ...ids,
    priorityBySeverity: { low: 4, critical: 1 },
    processNotifications: true,
    noteWindowMinutes: 60,
    reopenWindowHours: 24,
    maxEventAgeHours: 2160,
    pollMinutes: 5,
  };
  expect(ticketPolicyOf(stored)).toStrictEqual(stored);
  const off = ticketPolicyOf({ enabled: false, processNotifications: false, reopenWindowHours: 0 });
  expect(off.processNotifications).toBe(false);
  expect(off.reopenWindowHours).toBe(0);
});

test('null where a value is missing (as a database may give it) means the default', () => {
  const stored = {
    enabled: true,
    boardId: null,
    priorityBySeverity: { high: null, medium: 3 },
    processNotifications: null,
    noteWindowMinutes: null,
    reopenWindowHours: null,
    maxEventAgeHours: null,
  } as unknown as TicketSettings;
  expect(ticketPolicyOf(stored)).toStrictEqual({
    enabled: true,
    priorityBySeverity: { medium: 3 },
    ...TICKET_DEFAULTS,
  });
  expect(
    ticketPolicyOf({ enabled: true, priorityBySeverity: null } as unknown as TicketSettings)
      .priorityBySeverity,
  ).toStrictEqual({});
});

test('the priorities are a copy holding only the known severities', () => {
  const priorityBySeverity = { high: 2, urgent: 9 } as TicketSettings['priorityBySeverity'];
  const policy = ticketPolicyOf({ enabled: true, priorityBySeverity });
  expect(policy.priorityBySeverity).toStrictEqual({ high: 2 });
  policy.priorityBySeverity.low = 4;
  expect(priorityBySeverity).toStrictEqual({ high: 2, urgent: 9 });
});

test('severities, lowest first', () => {
  expect(SEVERITIES).toEqual(['low', 'medium', 'high', 'critical']);
});
