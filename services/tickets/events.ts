import { metrics } from '../../observability/metrics';
import { RecentIntegrations } from '../recent-integrations';
import type { Repositories, TicketEventRecord } from '../../db';
import type { SecurityEvent } from '../../domain/tickets/event';
import type { IntegrationService } from '../integration-service';
import { invalidFields, notFound, ServiceError } from '../errors';
import type { FieldProblem } from '../field-problem';
import type { TicketIntake } from './intake';
import { ticketWorkflowId, type TicketClient } from './ticket-client';

/** What became of one posted event: accepted (a refused batch is an error, none accepted). */
export interface Acceptance {
  key: string;
  accepted: true;
  workflowId: string;
  firstReport: boolean;
}

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

export interface EventServiceDeps {
  repos: Pick<Repositories, 'vendor' | 'ticketEvents'>;
  integrations: Pick<IntegrationService, 'live'>;
  tickets: Pick<TicketClient, 'resolved' | 'resolvedIfRunning'>;
  intake: Pick<TicketIntake, 'admit' | 'accept' | 'settle' | 'serve'>;
}

/** Customers known to exist, kept (customers are never deleted); forgotten all at once past this. */
const KNOWN_CUSTOMERS_MAX = 100_000;

/**
 * Security events in, tickets out (workflows/ticket.ts does the work): a batch is checked whole
 * before anything is accepted, then written (each new key's row, and every report to the intake
 * outbox) and answered; the intake hands each report to its key's workflow. Accepted even while
 * the integration is paused, its keys rejected or Temporal down: the workflows hold them.
 */
export class EventService {
  private readonly knownCustomers = new Set<string>();
  /** The partner's integration, read at most once a second however many posts come. */
  private readonly recent = new RecentIntegrations();

  constructor(private readonly deps: EventServiceDeps) {}

  /** Which of these customers exist: those seen before without a read, the rest in one. */
  private async existingCustomers(partnerId: string, ids: readonly string[]): Promise<Set<string>> {
    const key = (id: string) => `${partnerId}\u0000${id}`;
    const unseen = [...new Set(ids)].filter((id) => !this.knownCustomers.has(key(id)));
    const found =
      unseen.length === 0
        ? new Set<string>()
        : await this.deps.repos.vendor.existingCustomerIds(partnerId, unseen);
    if (this.knownCustomers.size + found.size > KNOWN_CUSTOMERS_MAX) this.knownCustomers.clear();
    for (const id of found) this.knownCustomers.add(key(id));
    return new Set(ids.filter((id) => this.knownCustomers.has(key(id)) || found.has(id)));
  }

  async accept(partnerId: string, events: readonly SecurityEvent[]): Promise<Acceptance[]> {
    const accepted = await counted(this.deps.intake.serve(() => this.acceptNow(partnerId, events)));
    metrics.eventsAccepted.inc(accepted.length);
    return accepted;
  }

  private async acceptNow(
    partnerId: string,
    events: readonly SecurityEvent[],
  ): Promise<Acceptance[]> {
    // Both by partner: read at once.
    const [{ id: integrationId }, known] = await Promise.all([
      this.recent.get({ partnerId }, () => this.deps.integrations.live(partnerId)),
      this.existingCustomers(
        partnerId,
        events.map((e) => e.customerId),
      ),
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
    this.deps.intake.admit(events.length);
    const ids = { partnerId, integrationId };
    const { ticketEvents } = this.deps.repos;
    // The new keys' rows and the outbox reports are written at once; `firstReport` is exact:
    // the insert that created the row.
    const rows = ticketEvents.insertNewMany(ids, events);
    let inserted: Set<string>;
    try {
      inserted = await this.deps.intake.accept(ids, events, rows);
    } catch (err) {
      // Nothing half-accepted: the rows this batch created go again.
      const created = await rows.catch(() => new Set<string>());
      await Promise.all(
        [...created].map((key) => ticketEvents.removePending(ids, key).catch(() => undefined)),
      );
      throw err;
    }
    return events.map((event) => {
      const firstReport = inserted.delete(event.key);
      return {
        key: event.key,
        accepted: true as const,
        workflowId: ticketWorkflowId(integrationId, event.key),
        firstReport,
      };
    });
  }

  /** The event is resolved: its ticket is closed (a settled event answers as it is). */
  async resolve(
    partnerId: string,
    key: string,
    resolution: string | undefined,
    now: Date,
  ): Promise<TicketEventRecord> {
    return await counted(
      this.deps.intake.serve(() => this.resolveNow(partnerId, key, resolution, now)),
    );
  }

  private async resolveNow(
    partnerId: string,
    key: string,
    resolution: string | undefined,
    now: Date,
  ): Promise<TicketEventRecord> {
    const integration = await this.deps.integrations.live(partnerId);
    const ids = { partnerId, integrationId: integration.id };
    const row = await this.deps.repos.ticketEvents.get(ids, key);
    if (!row) throw notFound(`event ${key}`);
    // The event's reports accepted before this resolve reach its workflow first.
    await this.deps.intake.settle(ticketWorkflowId(integration.id, key));
    const resolved = { at: now.toISOString(), ...(resolution ? { resolution } : {}) };
    if (settled(row)) {
      // Settled as the row says; but a report accepted since may have begun the key's next
      // ticket, which the row shows only once the workflow has begun it: a workflow still
      // running is told (it drops a resolve with nothing to close). Before, this resolve was
      // dropped and that ticket stayed open (found by the chaos suite).
      await this.deps.tickets.resolvedIfRunning(ids, key, resolved);
      return row;
    }
    await this.deps.tickets.resolved(ids, eventOf(row), resolved);
    return row;
  }
}

/** A post told to send again (429) is counted by its code. */
async function counted<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof ServiceError && err.kind === 'busy')
      metrics.eventsRefused.inc({ code: err.code });
    throw err;
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
