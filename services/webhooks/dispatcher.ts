import pLimit from 'p-limit';
import type { Logger } from '../../config/logger';
import type { DueDelivery, Repositories } from '../../db';
import type { WebhookDeliveryClient } from './delivery-client';

export interface WebhookDispatcherOptions {
  repos: Pick<Repositories, 'webhooks' | 'webhookDeliveries'>;
  deliveries: Pick<WebhookDeliveryClient, 'wake'>;
  logger: Pick<Logger, 'warn' | 'info'>;
  /** How often new events are looked for (default 1 s). */
  pollMs?: number;
  /** How often pending events nobody seems to be delivering are looked for (default 15 min). */
  sweepMs?: number;
  /** Rows announced per poll at most. */
  batch?: number;
}

/** A subscription is woken at most once in this long by one process (but for a ping). */
const WAKE_GAP_MS = 5_000;

/** A pending event this old is looked at by the sweep. */
const STALE_MS = 15 * 60_000;

/**
 * Hands new webhook events to their subscriptions' delivery workflows. Emitting an event is a
 * database write only (db/repositories/webhook-deliveries.ts), wherever it happens (an API
 * request, any activity); this loop, in each worker process, finds the rows not announced yet
 * (one indexed read a second), wakes each subscription's workflow once by signal-with-start, and
 * marks them announced. Temporal down: they stay due and are announced when it is back. A sweep
 * every 15 minutes wakes subscriptions with events pending for longer (a workflow terminated by
 * hand); a workflow waiting after a failure ignores such a wake, so it changes nothing else.
 * Several workers announcing the same row only wake a workflow twice.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private lastSweep = 0;
  private lastWarning = 0;
  private readonly limit = pLimit(8);
  /** When this process last woke each subscription (within WAKE_GAP_MS). */
  private readonly lastWoken = new Map<string, number>();
  /** Subscriptions with events announced while recently woken: woken once the gap has passed. */
  private readonly deferred = new Map<string, string>();

  constructor(private readonly opts: WebhookDispatcherOptions) {}

  start(): this {
    if (this.timer || this.running) return this;
    this.stopped = false;
    this.schedule(0);
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.tick()
        .then(() => undefined)
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(this.opts.pollMs ?? 1_000);
        });
    }, ms);
    this.timer.unref();
  }

  /** One poll (and the sweep when due): how many subscriptions were woken. Never throws. */
  async tick(now = Date.now()): Promise<number> {
    try {
      let woken = await this.announce(now);
      if (now - this.lastSweep >= (this.opts.sweepMs ?? STALE_MS)) {
        this.lastSweep = now;
        woken += await this.sweep(new Date(now - STALE_MS));
      }
      return woken;
    } catch (err) {
      // Once a minute at most: a Temporal or database outage would say so every second.
      if (Date.now() - this.lastWarning > 60_000) {
        this.lastWarning = Date.now();
        this.opts.logger.warn({ err }, 'webhook events not handed over yet; trying again');
      }
      return 0;
    }
  }

  /**
   * New events: each subscription's workflow woken once, its rows marked announced. A
   * subscription woken less than WAKE_GAP_MS ago is woken when the gap has passed instead (its
   * rows announced now): a busy subscription, or one waiting out a failing receiver, gets a
   * signal every few seconds, not every second from every worker.
   */
  private async announce(now = Date.now()): Promise<number> {
    const { webhookDeliveries } = this.opts.repos;
    const due = await webhookDeliveries.due(this.opts.batch ?? 500);
    const bySubscription = new Map<string, DueDelivery[]>();
    for (const row of due) {
      const rows = bySubscription.get(row.webhookId);
      if (rows) rows.push(row);
      else bySubscription.set(row.webhookId, [row]);
    }
    for (const [webhookId, at] of this.lastWoken)
      if (now - at >= WAKE_GAP_MS) this.lastWoken.delete(webhookId);
    const wakes: Array<{ partnerId: string; webhookId: string; retryNow: boolean; ids: string[] }> =
      [];
    for (const [webhookId, rows] of bySubscription) {
      // A ping is someone checking the receiver now: try at once, even while waiting.
      const retryNow = rows.some((r) => r.type === 'ping');
      const ids = rows.map((r) => r.id);
      const partnerId = rows[0]!.partnerId;
      if (!retryNow && this.lastWoken.has(webhookId)) {
        await webhookDeliveries.markAnnounced(ids);
        this.deferred.set(webhookId, partnerId);
      } else wakes.push({ partnerId, webhookId, retryNow, ids });
    }
    for (const [webhookId, partnerId] of this.deferred)
      if (!this.lastWoken.has(webhookId) && !bySubscription.has(webhookId))
        wakes.push({ partnerId, webhookId, retryNow: false, ids: [] });
    const results = await Promise.allSettled(
      wakes.map(({ partnerId, webhookId, retryNow, ids }) =>
        this.limit(async () => {
          await this.opts.deliveries.wake({ partnerId, webhookId }, { retryNow });
          this.lastWoken.set(webhookId, now);
          this.deferred.delete(webhookId);
          await webhookDeliveries.markAnnounced(ids);
        }),
      ),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return wakes.length;
  }

  /** Subscriptions with events pending since before `before`: woken; rows of removed ones go. */
  private async sweep(before: Date): Promise<number> {
    const { webhooks, webhookDeliveries } = this.opts.repos;
    const ids = await webhookDeliveries.stalePending(before);
    if (ids.length === 0) return 0;
    const partners = await webhooks.partnersOf(ids);
    const orphans = ids.filter((id) => !partners.has(id));
    if (orphans.length > 0) await webhookDeliveries.removeOrphans(orphans, before);
    await Promise.all(
      [...partners].map(([webhookId, partnerId]) =>
        this.limit(() => this.opts.deliveries.wake({ partnerId, webhookId })),
      ),
    );
    if (partners.size > 0)
      this.opts.logger.info({ subscriptions: partners.size }, 'webhook sweep woke subscriptions');
    return partners.size;
  }
}
