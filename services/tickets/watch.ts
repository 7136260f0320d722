import { ticketsById, type ConnectWiseClient, type TicketStateRead } from '../../connectwise';
import type { IntegrationRecord, TicketEventRecord } from '../../db';
import {
  ticketChangeOf,
  type EventTicketChange,
  type TicketChange,
  type TicketInConnectWise,
  type WatchResult,
} from '../../domain/tickets/connectwise-state';
import type { TicketState } from '../../domain/tickets/event';
import { ticketPolicyOf } from '../../domain/tickets/settings';
import type { TicketRepos } from './context';
import type { WithClient } from './open';

type Repos = Pick<TicketRepos, 'ticketEvents' | 'ticketHistory'>;

const refOf = (ref: { id?: number | null; name?: string | null } | null | undefined) =>
  typeof ref?.id === 'number' ? { id: ref.id, name: ref.name ?? null } : null;

/** The ticket as the engine keeps it, from a read of ConnectWise. */
export function connectWiseViewOf(ticket: TicketStateRead): TicketInConnectWise {
  const closed = ticket.closedFlag === true;
  return {
    status: refOf(ticket.status),
    priority: refOf(ticket.priority),
    owner: ticket.owner?.identifier
      ? { identifier: ticket.owner.identifier, name: ticket.owner.name ?? null }
      : null,
    closed,
    closedBy: closed ? (ticket.closedBy ?? null) : null,
    closedAt: closed ? (ticket.closedDate ?? null) : null,
    updatedAt: ticket._info?.lastUpdated ?? null,
    updatedBy: ticket._info?.updatedBy ?? null,
  };
}

const STATE_AFTER: Record<EventTicketChange['change']['kind'], TicketState> = {
  closed: 'closed_in_connectwise',
  reopened: 'open',
  deleted: 'deleted_in_connectwise',
};

/**
 * Reads the tickets of these events in ConnectWise (a few reads by ids for any number) and
 * records what changed on each event's row and in its history. Tickets not found are deleted.
 * Idempotent: a second pass over the same state changes nothing (reads no newer than the row's
 * are ignored).
 */
async function readAndRecord(
  repos: Repos,
  client: ConnectWiseClient,
  scope: { partnerId: string; integrationId: string },
  rows: TicketEventRecord[],
  signal: AbortSignal,
): Promise<Pick<WatchResult, 'read' | 'changed' | 'signals'>> {
  const withTicket = rows.filter((r) => r.ticketId !== null);
  const found = await ticketsById(
    client,
    withTicket.map((r) => r.ticketId!),
    { signal },
  );
  const signals: EventTicketChange[] = [];
  let changed = 0;
  for (const row of withTicket) {
    const read = found.get(row.ticketId!);
    const now = read ? connectWiseViewOf(read) : null;
    const change = ticketChangeOf({ state: row.state, connectWise: row.connectWise }, now);
    if (change.kind === 'none') continue;
    changed += 1;
    const at = new Date();
    const update =
      change.kind === 'changed'
        ? { connectWise: now }
        : {
            connectWise: now,
            state: STATE_AFTER[change.kind],
            reason:
              change.kind === 'closed'
                ? `closed in ConnectWise${change.by ? ` by ${change.by}` : ''}`
                : change.kind === 'reopened'
                  ? `reopened in ConnectWise${change.by ? ` by ${change.by}` : ''}`
                  : `ticket ${row.ticketId} was deleted in ConnectWise`,
          };
    await repos.ticketEvents.recordConnectWise(scope, row.key, row.ticketId!, update, at);
    await repos.ticketHistory.add(scope, {
      key: row.key,
      generation: row.generation,
      ticketId: row.ticketId!,
      // When the engine saw it: callbacks and polls see changes in order; ConnectWise's own
      // times (to the second) are in the detail.
      at,
      kind: change.kind,
      detail: historyDetail(change, now),
    });
    if (change.kind !== 'changed') signals.push({ key: row.key, ticketId: row.ticketId!, change });
  }
  return { read: withTicket.length, changed, signals };
}

function historyDetail(change: TicketChange, now: TicketInConnectWise | null): string {
  switch (change.kind) {
    case 'closed':
      return `closed${change.by ? ` by ${change.by}` : ''}${change.at ? ` at ${change.at}` : ''}${now?.status?.name ? ` (${now.status.name})` : ''}`;
    case 'reopened':
      return `reopened${change.by ? ` by ${change.by}` : ''}${now?.status?.name ? ` (${now.status.name})` : ''}`;
    case 'deleted':
      return 'deleted';
    case 'changed':
      return change.fields
        .map((f) =>
          f === 'owner'
            ? `owner ${now?.owner?.identifier ?? 'none'}`
            : `${f} ${now?.[f]?.name ?? now?.[f]?.id ?? 'none'}`,
        )
        .join(', ');
    default:
      return '';
  }
}

export interface WatchDeps {
  repos: Repos;
  withClient: WithClient;
}

const resultOf = (integration: IntegrationRecord) => {
  const policy = ticketPolicyOf(integration.ticketSettings);
  return { enabled: policy.enabled, pollMinutes: policy.pollMinutes };
};

/** A callback said these tickets changed: read them and record what did. */
export async function applyTicketChanges(
  deps: WatchDeps,
  integration: IntegrationRecord,
  ticketIds: readonly number[],
): Promise<WatchResult> {
  const base = resultOf(integration);
  const scope = { partnerId: integration.partnerId, integrationId: integration.id };
  const rows = await deps.repos.ticketEvents.findByTicketIds(scope, ticketIds);
  if (!base.enabled || rows.length === 0) return { ...base, read: 0, changed: 0, signals: [] };
  const done = await deps.withClient(integration, (client, signal) =>
    readAndRecord(deps.repos, client, scope, rows, signal),
  );
  return { ...base, ...done };
}

/**
 * Tickets closed in ConnectWise the poll reads again too, the most recently seen first: a
 * technician may reopen or delete them, and a lost callback of that was never found (the chaos
 * suite's). Older ones are followed by callbacks alone.
 */
export const CLOSED_TICKETS_POLLED = 500;

/**
 * The backstop: every event whose ticket is open as far as the engine knows, and the latest
 * CLOSED_TICKETS_POLLED closed in ConnectWise, read again (one read per hundred tickets), so a
 * lost, late or duplicated callback changes nothing but latency.
 */
export async function pollTicketChanges(
  deps: WatchDeps,
  integration: IntegrationRecord,
): Promise<WatchResult> {
  const base = resultOf(integration);
  const scope = { partnerId: integration.partnerId, integrationId: integration.id };
  if (!base.enabled) return { ...base, read: 0, changed: 0, signals: [] };
  const [open, closed] = await Promise.all([
    deps.repos.ticketEvents.withOpenTickets(scope),
    deps.repos.ticketEvents.page(
      scope,
      { state: 'closed_in_connectwise' },
      { limit: CLOSED_TICKETS_POLLED },
    ),
  ]);
  const rows = [...open, ...closed.items.filter((r) => r.ticketId !== null)];
  if (rows.length === 0) return { ...base, read: 0, changed: 0, signals: [] };
  const done = await deps.withClient(integration, (client, signal) =>
    readAndRecord(deps.repos, client, scope, rows, signal),
  );
  return { ...base, ...done };
}
