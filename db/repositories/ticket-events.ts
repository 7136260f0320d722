import type { TicketInConnectWise } from '../../domain/tickets/connectwise-state';
import type { SecurityEvent, TicketState } from '../../domain/tickets/event';
import { duplicatesOnly } from '../duplicate-inserts';
import type { TicketEventDoc, TicketEventModel } from '../models/ticket-event';
import { newestFirst, pageKeyOf, type Page, type PageRequest } from '../page';
import { isDuplicateKey, retryOnDuplicateKey } from '../retry-duplicate';
import { ticketEvent, ticketTransitionOf, type TicketRowState } from '../webhook-events';
import {
  detailsOf,
  idOf,
  pendingRowOf,
  rowStateOf,
  toRecord,
  type Before,
  type Scope,
  type TicketEventFilter,
  type TicketEventRecord,
  type TicketEventUpdate,
} from './ticket-event-record';
import type { WebhookEmitter } from './webhook-deliveries';

/** States in which an event's ticket is open in ConnectWise as far as the engine knows. */
const TICKET_OPEN = ['open', 'pending', 'failed'];

export class TicketEventRepository {
  constructor(
    private readonly model: TicketEventModel,
    /**
     * Tells the partner's webhooks of each ticket created, closed, closed or deleted in
     * ConnectWise, reopened: decided from the row as each write found it (ticketTransitionOf), so
     * once per transition however often a step is retried.
     */
    private readonly events?: WebhookEmitter,
  ) {}

  /** The webhook event of one write, if it made a ticket transition. */
  private async tell(
    scope: Scope,
    key: string,
    customerId: string,
    before: TicketRowState | null,
    after: TicketRowState,
    change: { at: Date; by: string | null; reason: string | null },
  ): Promise<void> {
    const events = this.events;
    const type = ticketTransitionOf(before, after);
    if (!events || !type || after.ticketId === null) return;
    await events.emit(
      scope.partnerId,
      ticketEvent(
        scope,
        type,
        {
          key,
          customerId,
          generation: after.generation,
          ticketId: after.ticketId,
          state: after.state,
        },
        change,
      ),
      change.at,
    );
  }

  /**
   * The row of a key seen for the first time, `pending`; a key already known keeps its row (an
   * insert, not an upsert: identical concurrent posts never race an update). True when inserted.
   */
  async insertNew(scope: Scope, event: SecurityEvent, now = new Date()): Promise<boolean> {
    try {
      await this.model.create(pendingRowOf(scope, event, now));
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /**
   * insertNew for a batch in one round trip: the row of each key seen for the first time (the
   * first of the batch's reports of it), in an unordered insert where a key already known fails
   * alone. The keys whose rows this call inserted.
   */
  async insertNewMany(
    scope: Scope,
    events: readonly SecurityEvent[],
    now = new Date(),
  ): Promise<Set<string>> {
    const firsts = [...new Map(events.map((e) => [e.key, e] as const).reverse()).values()];
    const docs = firsts.map((event) => pendingRowOf(scope, event, now));
    const inserted = new Set(firsts.map((e) => e.key));
    try {
      await this.model.insertMany(docs, { ordered: false });
    } catch (err) {
      for (const w of duplicatesOnly(err)) inserted.delete(firsts[w.index]!.key);
    }
    return inserted;
  }

  /** The event's workflow records where it stands (creating the row if the API could not). */
  async record(
    scope: Scope,
    event: SecurityEvent,
    update: TicketEventUpdate,
    now = new Date(),
  ): Promise<void> {
    const { firstSeen, ...details } = detailsOf(scope, event);
    const _id = idOf(scope, event.key);
    // The page key follows lastSeen: a recurring event moves to the top of the list.
    const seen = update.lastSeen
      ? { $set: { lastSeen: update.lastSeen, pageKey: pageKeyOf(update.lastSeen, _id) } }
      : { $setOnInsert: { lastSeen: firstSeen, pageKey: pageKeyOf(firstSeen, _id) } };
    const found = await retryOnDuplicateKey(() =>
      this.model
        .findOneAndUpdate(
          { _id },
          {
            $set: { ...details, ...update, updatedAt: now, ...seen.$set },
            $setOnInsert: {
              firstSeen,
              ...seen.$setOnInsert,
              ...(update.state ? {} : { state: 'pending' }),
            },
          },
          { upsert: true, new: false },
        )
        .lean<Before>()
        .exec(),
    );
    const before = found ? rowStateOf(found) : null;
    await this.tell(
      scope,
      event.key,
      event.customerId,
      before,
      {
        state: update.state ?? before?.state ?? 'pending',
        ticketId: update.ticketId !== undefined ? update.ticketId : (before?.ticketId ?? null),
        generation: update.generation ?? before?.generation ?? 0,
      },
      { at: now, by: null, reason: update.reason ?? null },
    );
  }

  /** The events whose current ticket is one of these (a callback named them). */
  async findByTicketIds(scope: Scope, ticketIds: readonly number[]): Promise<TicketEventRecord[]> {
    if (ticketIds.length === 0) return [];
    const docs = await this.model
      .find({ ...scope, ticketId: { $in: [...new Set(ticketIds)] } })
      .lean()
      .exec();
    return docs.map(toRecord);
  }

  /** The events whose ticket is open in ConnectWise as far as the engine knows (the poll's). */
  async withOpenTickets(scope: Scope): Promise<TicketEventRecord[]> {
    const docs = await this.model
      .find({ ...scope, state: { $in: TICKET_OPEN }, ticketId: { $ne: null } })
      .lean()
      .exec();
    return docs.map(toRecord);
  }

  /**
   * What a read of the ticket in ConnectWise showed (services/tickets/watch.ts), written only
   * while the row still names that ticket (a new ticket made meanwhile is left alone).
   */
  async recordConnectWise(
    scope: Scope,
    key: string,
    ticketId: number,
    update: { connectWise: TicketInConnectWise | null; state?: TicketState; reason?: string },
    now = new Date(),
  ): Promise<void> {
    const found = await this.model
      .findOneAndUpdate(
        { _id: idOf(scope, key), ticketId },
        { $set: { ...update, updatedAt: now } },
        { new: false },
      )
      .lean<Before>()
      .exec();
    if (!found) return;
    const before = rowStateOf(found);
    const cw = update.connectWise;
    await this.tell(
      scope,
      key,
      found.customerId,
      before,
      { ...before, state: update.state ?? before.state },
      {
        at: now,
        by: (update.state === 'closed_in_connectwise' ? cw?.closedBy : cw?.updatedBy) ?? null,
        reason: update.reason ?? null,
      },
    );
  }

  /** Counts occurrences that change nothing else (reported again after the event was resolved). */
  async countOccurrences(
    scope: Scope,
    key: string,
    count: number,
    now = new Date(),
  ): Promise<void> {
    await this.model
      .updateOne(
        { _id: idOf(scope, key) },
        { $inc: { occurrences: count }, $set: { updatedAt: now } },
      )
      .exec();
  }

  /** Removes a row no workflow has written yet (the report that inserted it was refused). */
  async removePending(scope: Scope, key: string): Promise<void> {
    await this.model.deleteOne({ _id: idOf(scope, key), state: 'pending', beganBy: null }).exec();
  }

  async get(scope: Scope, key: string): Promise<TicketEventRecord | undefined> {
    const doc = await this.model
      .findOne({ _id: idOf(scope, key) })
      .lean()
      .exec();
    return doc ? toRecord(doc) : undefined;
  }

  /** The integration's events, most recently seen first, a page at a time. */
  async page(
    scope: Scope,
    filter: TicketEventFilter,
    request: PageRequest,
  ): Promise<Page<TicketEventRecord>> {
    const defined = Object.entries(filter).filter(([, v]) => v !== undefined);
    const page = await newestFirst<TicketEventDoc, TicketEventDoc & { _id: unknown }>(
      this.model,
      { ...scope, ...Object.fromEntries(defined) },
      {},
      request,
    );
    return { ...page, items: page.items.map(toRecord) };
  }
}
