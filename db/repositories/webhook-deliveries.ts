import type { Logger } from '../../config/logger';
import { duplicatesOnly } from '../duplicate-inserts';
import type { WebhookDeliveryDoc, WebhookDeliveryModel } from '../models/webhook-delivery';
import { naturalId } from '../natural-id';
import { newestFirst, pageKeyOf, PAGE_KEY, type Page, type PageRequest } from '../page';
import {
  eventIdOf,
  toDelivery,
  type DeliveryState,
  type DueDelivery,
  type WebhookDelivery,
  type WebhookEvent,
} from './webhook-delivery-record';
import type { WebhookRepository } from './webhooks';

/** What emits events: repositories are given this much of the outbox. */
export type WebhookEmitter = Pick<WebhookDeliveryRepository, 'emit'>;

/**
 * The webhook outbox and delivery log (db/models/webhook-delivery.ts): events in, one row per
 * subscription that wants them; each subscription's workflow reads them oldest first and records
 * each attempt.
 */
export class WebhookDeliveryRepository {
  /** The last time this process gave an event, so its events keep the order they were emitted in. */
  private lastAt = 0;

  constructor(
    private readonly model: WebhookDeliveryModel,
    private readonly webhooks: WebhookRepository,
    private readonly logger?: Pick<Logger, 'warn'>,
  ) {}

  /**
   * `now`, or just after the last event's time when that is not earlier: events emitted in one
   * millisecond keep the order they were emitted in. A `now` more than a second before the last
   * (a clock set back, a caller's own time) is taken as it is.
   */
  private nextTime(now: Date): Date {
    const t = now.getTime();
    this.lastAt = t <= this.lastAt && this.lastAt - t < 1_000 ? this.lastAt + 1 : t;
    return new Date(this.lastAt);
  }

  /**
   * The events, each for every one of the partner's subscriptions that wants its type, in the
   * order given. Best effort, never throws: a database hiccup here must not fail the run, step or
   * request whose change they tell (the portal can read that state from the API); it is logged.
   * Returns the rows written.
   */
  async emit(
    partnerId: string,
    events: WebhookEvent | readonly WebhookEvent[],
    now = new Date(),
  ): Promise<number> {
    const list = [events].flat();
    if (list.length === 0) return 0;
    try {
      const wanting = new Map<string, string[]>();
      for (const type of new Set(list.map((e) => e.type)))
        wanting.set(type, await this.webhooks.wanting(partnerId, type));
      let written = 0;
      for (const event of list) {
        const webhookIds = wanting.get(event.type) ?? [];
        if (webhookIds.length > 0)
          written += (await this.enqueue(partnerId, webhookIds, event, now)).inserted;
      }
      return written;
    } catch (err) {
      this.logger?.warn(
        { err, partnerId, types: [...new Set(list.map((e) => e.type))] },
        'webhook events not recorded; the portal can read the change from the API',
      );
      return 0;
    }
  }

  /**
   * The event's row for each of these subscriptions, pending and due to be announced; a row
   * already there (the same event again) is left as it is. Throws on failure (a ping answers it).
   */
  async enqueue(
    partnerId: string,
    webhookIds: readonly string[],
    event: WebhookEvent,
    now = new Date(),
  ): Promise<{ eventId: string; inserted: number }> {
    const eventId = eventIdOf(partnerId, event.type, event.key);
    const createdAt = this.nextTime(now);
    const docs = webhookIds.map((webhookId) => ({
      _id: naturalId(webhookId, eventId),
      partnerId,
      webhookId,
      eventId,
      type: event.type,
      createdAt,
      data: event.data,
      state: 'pending',
      attempts: 0,
      lastAttemptAt: null,
      lastStatus: null,
      lastError: null,
      finishedAt: null,
      announce: 'due',
      pageKey: pageKeyOf(createdAt, eventId),
    }));
    try {
      await this.model.insertMany(docs, { ordered: false, lean: true });
      return { eventId, inserted: docs.length };
    } catch (err) {
      // Each duplicate fails alone (the same event emitted again); anything else is a failure.
      return { eventId, inserted: docs.length - duplicatesOnly(err).length };
    }
  }

  /** The subscription's oldest pending row: the next to deliver. */
  async nextPending(partnerId: string, webhookId: string): Promise<WebhookDelivery | undefined> {
    const doc = await this.model
      .findOne({ partnerId, webhookId, state: 'pending' })
      .sort({ [PAGE_KEY]: 1 })
      .lean<WebhookDeliveryDoc>()
      .exec();
    return doc ? toDelivery(doc) : undefined;
  }

  /**
   * One attempt at a pending row: `delivered`, `missed` (failed past the window) or still
   * `pending`. Written only while the row is pending (a subscription removed meanwhile took it).
   */
  async recordAttempt(
    row: Pick<WebhookDelivery, 'webhookId' | 'eventId' | 'attempts'>,
    outcome: { state: DeliveryState; status: number | null; error: string | null; at: Date },
  ): Promise<void> {
    await this.model
      .updateOne(
        { _id: naturalId(row.webhookId, row.eventId), state: 'pending' },
        {
          $set: {
            state: outcome.state,
            // Set, not incremented: one workflow delivers a subscription's rows, one at a time.
            attempts: row.attempts + 1,
            lastAttemptAt: outcome.at,
            lastStatus: outcome.status,
            lastError: outcome.error,
            finishedAt: outcome.state === 'pending' ? null : outcome.at,
          },
        },
      )
      .exec();
  }

  /**
   * Every pending row of the subscription whose event happened before `before` (out of its
   * delivery window) becomes `missed` with `error`, in one write: a receiver down for days is not
   * sent a day-old backlog one event at a time. How many.
   */
  async expirePending(
    partnerId: string,
    webhookId: string,
    before: Date,
    outcome: { status: number | null; error: string; at: Date },
  ): Promise<number> {
    const res = await this.model
      .updateMany(
        { partnerId, webhookId, state: 'pending', [PAGE_KEY]: { $lt: before.toISOString() } },
        {
          $set: {
            state: 'missed',
            lastStatus: outcome.status,
            lastError: outcome.error,
            finishedAt: outcome.at,
          },
        },
      )
      .exec();
    return res.modifiedCount;
  }

  /** The subscription's log, newest first, a page at a time; by state when given. */
  async page(
    partnerId: string,
    webhookId: string,
    filter: { state?: DeliveryState },
    request: PageRequest,
  ): Promise<Page<WebhookDelivery>> {
    const page = await newestFirst<WebhookDeliveryDoc, WebhookDeliveryDoc>(
      this.model,
      { partnerId, webhookId, ...(filter.state ? { state: filter.state } : {}) },
      {},
      request,
    );
    return { ...page, items: page.items.map(toDelivery) };
  }

  /** Rows of every partner not announced yet, oldest first (the dispatcher's poll). */
  async due(limit: number): Promise<DueDelivery[]> {
    const docs = await this.model
      .find({ announce: 'due' }, { partnerId: 1, webhookId: 1, type: 1 })
      .sort({ [PAGE_KEY]: 1 })
      .limit(limit)
      .lean<Array<Pick<WebhookDeliveryDoc, '_id' | 'partnerId' | 'webhookId' | 'type'>>>()
      .exec();
    return docs.map((d) => ({
      id: String(d._id),
      partnerId: d.partnerId,
      webhookId: d.webhookId,
      type: d.type,
    }));
  }

  /** These rows' workflows were woken. */
  async markAnnounced(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.model.updateMany({ _id: { $in: [...ids] } }, { $set: { announce: null } }).exec();
  }

  /**
   * Subscriptions (by id) with a row pending since before `before`, every partner's: from the
   * oldest `limit` such rows (a backstop: a long backlog of one subscription may hide another's
   * until it is worked down). Read as rows, not `distinct`: FerretDB refuses its time limit.
   */
  async stalePending(before: Date, limit = 2_000): Promise<string[]> {
    const docs = await this.model
      .find({ state: 'pending', [PAGE_KEY]: { $lt: before.toISOString() } }, { webhookId: 1 })
      .sort({ [PAGE_KEY]: 1 })
      .limit(limit)
      .lean<Array<Pick<WebhookDeliveryDoc, 'webhookId'>>>()
      .exec();
    return [...new Set(docs.map((d) => d.webhookId))];
  }

  /** Pending rows of subscriptions that no longer exist (removed while an event was emitted). */
  async removeOrphans(webhookIds: readonly string[], before: Date): Promise<number> {
    if (webhookIds.length === 0) return 0;
    const res = await this.model
      .deleteMany({
        state: 'pending',
        [PAGE_KEY]: { $lt: before.toISOString() },
        webhookId: { $in: [...webhookIds] },
      })
      .exec();
    return res.deletedCount;
  }

  /** Every row of a subscription (it was removed: nothing stays pending). */
  async removeAll(partnerId: string, webhookId: string): Promise<number> {
    const res = await this.model.deleteMany({ partnerId, webhookId }).exec();
    return res.deletedCount;
  }

  /** Delivered and missed rows from before `before` (the log's retention). */
  async prune(partnerId: string, webhookId: string, before: Date): Promise<number> {
    let deleted = 0;
    for (const state of ['delivered', 'missed']) {
      const res = await this.model
        .deleteMany({ partnerId, webhookId, state, [PAGE_KEY]: { $lt: before.toISOString() } })
        .exec();
      deleted += res.deletedCount;
    }
    return deleted;
  }
}
