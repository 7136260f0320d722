import type { TrackedEvent } from '../../bench/tickets/load';
import {
  createLatencies,
  floorOf,
  isSettled,
  occurrencesInNote,
  percentile,
  sum,
  verify,
  type EventRow,
  type Progress,
  type SimNoteView,
  type SimTicketView,
} from '../../bench/tickets/report';

const XREFS = { of: (key: string) => `dfx:evt:${key}`, prefix: 'dfx:' };

const tracked = (key: string, over: Partial<TrackedEvent> = {}): TrackedEvent => ({
  key,
  customerId: 'c',
  event: {
    key,
    customerId: 'c',
    title: 't',
    severity: 'low',
    description: '',
    occurredAt: '2026-12-03T00:00:00Z',
  },
  postedAt: 900,
  acceptedAt: 1_000,
  repeats: 0,
  resolved: false,
  ...over,
});

const row = (over: Partial<EventRow> = {}): EventRow => ({
  state: 'open',
  reason: null,
  ticketId: 1,
  occurrences: 1,
  notes: 0,
  updatedAt: 1_250,
  ...over,
});

const ticket = (id: number, key: string, closed = false): SimTicketView => ({
  id,
  externalXRef: `dfx:evt:${key}`,
  closedFlag: closed,
  status: { id: closed ? 203 : 201 },
});

describe('ticket benchmark checks (bench/tickets/report.ts)', () => {
  test('an open event with pending repeats, and a resolved one whose repeats were flushed, are accounted for', () => {
    const events = [tracked('a', { repeats: 2 }), tracked('b', { repeats: 3, resolved: true })];
    const rows = new Map([
      ['a', row()],
      ['b', row({ state: 'resolved', ticketId: 2, occurrences: 4, notes: 2 })],
    ]);
    const progress = new Map<string, Progress>([['a', { occurrences: 3, pendingOccurrences: 2 }]]);
    const notes: SimNoteView[] = [
      { ticketId: 2, text: 'The event occurred 3 more times between x and y.\n[dfx:evt:b#1]' },
      { ticketId: 2, text: 'Resolved in DefensX: done\n[dfx:evt:b#2]' },
    ];
    const v = verify(events, rows, progress, [ticket(1, 'a'), ticket(2, 'b', true)], notes, XREFS);
    expect(v).toMatchObject({
      events: 2,
      lost: [],
      duplicates: [],
      open: 1,
      resolved: 1,
      repeats: 5,
      repeatsNoted: 3,
      repeatsPending: 2,
      created: 2,
      closed: 1,
      flushes: 1,
    });
    expect(floorOf(v)).toMatchObject({
      'GET /service/tickets': 2,
      'POST /service/tickets': 2,
      'POST /service/tickets/{parentId}/notes': 2,
      'GET /service/tickets/{id}': 2,
    });
    expect(sum(floorOf(v))).toBe(2 * 2 + 2 * 2 + 4);
  });

  test('two tickets of one key, repeats in no note, and a ticket never posted are all reported', () => {
    const events = [tracked('a'), tracked('b', { repeats: 1, resolved: true })];
    const rows = new Map([
      ['a', row()],
      ['b', row({ state: 'resolved', ticketId: 3, occurrences: 2, notes: 1 })],
    ]);
    const progress = new Map<string, Progress>([['a', { occurrences: 1, pendingOccurrences: 0 }]]);
    const tickets = [ticket(1, 'a'), ticket(2, 'a'), ticket(3, 'b', true), ticket(4, 'zz')];
    const notes = [{ ticketId: 3, text: 'Resolved in DefensX.\n[dfx:evt:b#1]' }];
    const v = verify(events, rows, progress, tickets, notes, XREFS);
    expect(v.duplicates).toEqual(['a']);
    expect(v.strayTickets).toBe(1);
    expect(v.lost).toEqual([{ key: 'b', why: 'its notes count 0 of 1 repeats' }]);
  });

  test('resolved before its ticket: recorded, not lost; settled only once past pending', () => {
    const e = tracked('a', { resolved: true });
    const resolvedRow = row({ state: 'resolved', ticketId: null });
    expect(verify([e], new Map([['a', resolvedRow]]), new Map(), [], [], XREFS)).toMatchObject({
      lost: [],
      resolvedBeforeTicket: 1,
    });
    expect(isSettled(e, row({ state: 'pending' }))).toBe(false);
    expect(isSettled(e, row({ state: 'open' }))).toBe(false);
    expect(isSettled(e, resolvedRow)).toBe(true);
    expect(isSettled(tracked('b'), row())).toBe(true);
  });

  test('latency from the 202 to the row that recorded the ticket; notes and percentiles', () => {
    const events = [
      tracked('a'),
      tracked('b', {
        resolved: true,
        atResolve: {
          state: 'open',
          updatedAt: new Date(1_400).toISOString(),
          notes: 0,
          ticketId: 2,
        },
      }),
      tracked('c', {
        resolved: true,
        atResolve: { state: 'pending', updatedAt: '', notes: 0, ticketId: null },
      }),
    ];
    expect(createLatencies(events, new Map([['a', row()]]))).toEqual({
      ms: [250, 400],
      fromPostMs: [350, 500],
      leftOut: 1,
    });
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 100], 99)).toBe(100);
    expect(occurrencesInNote('The event occurred again at 2026-12-03T00:00:00Z.\n[m]')).toBe(1);
    expect(occurrencesInNote('The event occurred 12 more times between a and b.\n[m]')).toBe(12);
    expect(occurrencesInNote('Resolved in DefensX.\n[m]')).toBe(0);
  });
});
