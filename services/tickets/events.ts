import pLimit from 'p-limit';
import type { Repositories, TicketEventRecord } from '../../db';
import type { SecurityEvent } from '../../domain/tickets/event';
import type { IntegrationService } from '../integration-service';
import { invalidFields, notFound, ServiceError } from '../errors';
import type { FieldProblem } from '../field-problem';
import type { TicketClient } from './ticket-client';

/** What became of one posted event. */
export type Acceptance =
  | { key: string; accepted: true; workflowId: string; firstReport: boolean }
  | { key: string; accepted: false; error: string };

/** States after which a resolve has nothing left to do (a failed event may still have a ticket). */
const SETTLED = new Set([
  'resolved',
  'closed_in_connectwise',
  'deleted_in_connectwise',
  'skipped',
  'expired',
]);
const settled = (row: TicketEventRecord): boolean =>
  SETTLED.has(row.state) || (row.state === 'failed' && row.ticketId === null);

/** Events handed to Temporal at once, per request. */
const AT_ONCE = 16;

export interface EventServiceDeps {
  repos: Pick<Repositories, 'vendor' | 'ticketEvents'>;
  integrations: Pick<IntegrationService, 'live'>;
  tickets: Pick<TicketClient, 'occurred' | 'resolved'>;
}

/**
 * Security events in, tickets out (workflows/ticket.ts does the work): a batch is checked whole
 * before anything is accepted, then each event goes to its key's workflow. Accepted even while
 * the integration is paused or its keys rejected: the workflows hold them.
 */
export class EventService {
  constructor(private readonly deps: EventServiceDeps) {}

  async accept(partnerId: string, events: readonly SecurityEvent[]): Promise<Acceptance[]> {
    const integration = await this.deps.integrations.live(partnerId);
    const known = await this.deps.repos.vendor.existingCustomerIds(partnerId, [
      ...new Set(events.map((e) => e.customerId)),
    ]);
    const problems: FieldProblem[] = [];
    events.forEach((e, i) => {
      if (!known.has(e.customerId))
        problems.push({
          field: `body.events.${i}.customerId`,
          message: `unknown customer ${e.customerId}; push it with PUT /partners/${partnerId}/customers first`,
        });
    });
    if (problems.length > 0) throw invalidFields(problems);
    const ids = { partnerId, integrationId: integration.id };
    const limit = pLimit(AT_ONCE);
    // Reports of one key go in order, one after the other; different keys at once.
    const byKey = new Map<string, SecurityEvent[]>();
    for (const e of events) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
    const results = new Map<SecurityEvent, Acceptance>();
    await Promise.all(
      [...byKey.values()].map((reports) =>
        limit(async () => {
          for (const event of reports) results.set(event, await this.acceptOne(ids, event));
        }),
      ),
    );
    const answers = events.map((e) => results.get(e)!);
    if (answers.every((a) => !a.accepted)) {
      throw new ServiceError(
        'unavailable',
        'temporal_unavailable',
        'no event could be accepted: the workflow service (Temporal) is unavailable; send them again',
      );
    }
    return answers;
  }

  /**
   * The row first (so `firstReport` is exact: the insert that created it), then the workflow. If
   * Temporal refuses, a row this report created is removed again: nothing half-accepted remains
   * (a workflow that did start despite the error records its row itself).
   */
  private async acceptOne(
    ids: { partnerId: string; integrationId: string },
    event: SecurityEvent,
  ): Promise<Acceptance> {
    const { ticketEvents } = this.deps.repos;
    const firstReport = await ticketEvents.insertNew(ids, event);
    try {
      const workflowId = await this.deps.tickets.occurred(ids, event);
      return { key: event.key, accepted: true, workflowId, firstReport };
    } catch (err) {
      if (firstReport) await ticketEvents.removePending(ids, event.key).catch(() => undefined);
      return {
        key: event.key,
        accepted: false,
        error: err instanceof Error ? err.message : String(err),
      };
    }
  }

  /** The event is resolved: its ticket is closed (a settled event answers as it is). */
  async resolve(
    partnerId: string,
    key: string,
    resolution: string | undefined,
    now: Date,
  ): Promise<TicketEventRecord> {
    const integration = await this.deps.integrations.live(partnerId);
    const ids = { partnerId, integrationId: integration.id };
    const row = await this.deps.repos.ticketEvents.get(ids, key);
    if (!row) throw notFound(`event ${key}`);
    if (settled(row)) return row;
    await this.deps.tickets.resolved(ids, eventOf(row), {
      at: now.toISOString(),
      ...(resolution ? { resolution } : {}),
    });
    return row;
  }
}

/** The event as its row keeps it, to restart a workflow that is gone (no description kept). */
const eventOf = (row: TicketEventRecord): SecurityEvent => ({
  key: row.key,
  customerId: row.customerId,
  title: row.title,
  severity: row.severity,
  description: '',
  occurredAt: row.lastSeen.toISOString(),
  ...(row.category ? { category: row.category } : {}),
  ...(row.url ? { url: row.url } : {}),
});
