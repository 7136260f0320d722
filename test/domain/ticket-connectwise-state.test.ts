import fc from 'fast-check';
import { ticketChangeOf, type TicketInConnectWise } from '../../domain/tickets/connectwise-state';
import type { TicketState } from '../../domain/tickets/event';

const read = (over: Partial<TicketInConnectWise> = {}): TicketInConnectWise => ({
  status: { id: 201, name: 'New' },
  priority: { id: 3, name: 'Medium' },
  owner: null,
  closed: false,
  closedBy: null,
  closedAt: null,
  updatedAt: '2026-12-06T10:00:00Z',
  updatedBy: 'DefensXAPI',
  ...over,
});

test('a close, a reopen, a delete and field changes are told apart', () => {
  const before = read();
  expect(
    ticketChangeOf(
      { state: 'open', connectWise: before },
      read({
        closed: true,
        closedBy: 'tmorris',
        closedAt: '2026-12-06T10:05:00Z',
        updatedAt: '2026-12-06T10:05:00Z',
      }),
    ),
  ).toEqual({ kind: 'closed', by: 'tmorris', at: '2026-12-06T10:05:00Z' });
  expect(
    ticketChangeOf(
      { state: 'closed_in_connectwise', connectWise: read({ closed: true }) },
      read({ updatedBy: 'tmorris', updatedAt: '2026-12-06T10:06:00Z' }),
    ),
  ).toEqual({ kind: 'reopened', by: 'tmorris', at: '2026-12-06T10:06:00Z' });
  expect(ticketChangeOf({ state: 'open', connectWise: before }, null)).toEqual({ kind: 'deleted' });
  expect(ticketChangeOf({ state: 'deleted_in_connectwise', connectWise: null }, null)).toEqual({
    kind: 'none',
  });
  expect(
    ticketChangeOf(
      { state: 'open', connectWise: before },
      read({ owner: { identifier: 'jsmith', name: null }, updatedAt: '2026-12-06T10:01:00Z' }),
    ),
  ).toEqual({ kind: 'changed', fields: ['owner'] });
  // Our own resolve closed it: not a technician's close, only its status recorded.
  expect(
    ticketChangeOf(
      { state: 'resolved', connectWise: before },
      read({
        closed: true,
        status: { id: 203, name: 'Resolved' },
        updatedAt: '2026-12-06T10:09:00Z',
      }),
    ),
  ).toEqual({ kind: 'changed', fields: ['status'] });
});

test('a read older than the one recorded changes nothing, whatever it says', () => {
  const states: TicketState[] = ['open', 'pending', 'failed', 'resolved', 'closed_in_connectwise'];
  fc.assert(
    fc.property(
      fc.constantFrom(...states),
      fc.boolean(),
      fc.option(fc.constantFrom('jsmith', 'tmorris'), { nil: undefined }),
      fc.integer({ min: 1, max: 10_000 }),
      (state, closed, owner, olderBySeconds) => {
        const known = read({ updatedAt: '2026-12-06T10:00:00.000Z' });
        const stale = read({
          closed,
          owner: owner ? { identifier: owner, name: null } : null,
          updatedAt: new Date(Date.parse(known.updatedAt!) - olderBySeconds * 1000).toISOString(),
        });
        expect(ticketChangeOf({ state, connectWise: known }, stale)).toEqual({ kind: 'none' });
      },
    ),
  );
});

test('the same read twice is one change: the second finds nothing new', () => {
  const first = read({ closed: true, closedBy: 'tmorris', updatedAt: '2026-12-06T10:05:00Z' });
  const change = ticketChangeOf({ state: 'open', connectWise: read() }, first);
  expect(change.kind).toBe('closed');
  expect(ticketChangeOf({ state: 'closed_in_connectwise', connectWise: first }, first)).toEqual({
    kind: 'none',
  });
});
