import { Context } from '@temporalio/activity';
import type { WebhookDelivery } from '../db';
import { DELIVERY_WINDOW_MS, type WebhookPayload } from '../domain/webhooks/events';
import { metrics } from '../observability/metrics';
import { SecretOpenError } from '../security';
import { deliverWebhook } from '../services/webhooks/deliver';
import { openWebhookSecret } from '../services/webhooks/secret';
import { asTemporalFailures } from './failures';
import type { ActivityDeps } from './deps';

export interface DeliverWebhookInput {
  partnerId: string;
  webhookId: string;
  /**
   * The workflow's clock (ms), for "24 h after the event" (the later of it and ours counts: on
   * the time-skipping test server the workflow's runs ahead).
   */
  now: number;
}

/** What one pass did. No secret, no payload: ids and counts. */
export interface DeliveryPass {
  /** The subscription was removed: its rows are gone too, and the workflow ends. */
  gone?: true;
  delivered: number;
  missed: number;
  /** The pass stopped at an event that failed within its window: why, in short. */
  failed?: string;
  /** Stopped by its time budget with events left: go on at once. */
  more: boolean;
}

/** A pass ends after this long (a minute of receivers taking 10 s each is six events). */
const PASS_MS = 60_000;
/** Delivered and missed rows are kept this long. */
export const DELIVERY_LOG_DAYS = 30;
const PRUNE_EVERY_MS = 60 * 60_000;

const payloadOf = (row: WebhookDelivery): WebhookPayload => ({
  id: row.eventId,
  type: row.type as WebhookPayload['type'],
  createdAt: row.createdAt.toISOString(),
  partnerId: row.partnerId,
  data: row.data,
});

/**
 * The step of a subscription's delivery workflow (workflows/webhook-delivery.ts): its pending
 * events oldest first, one at a time, each attempt recorded on its row. The secret is read and
 * opened here, never passed through Temporal.
 */
export function createWebhookActivities(deps: ActivityDeps) {
  const { repos, keyring, cw, logger } = deps;
  // When this worker last pruned each subscription's log.
  const prunedAt = new Map<string, number>();

  async function prune(partnerId: string, webhookId: string, now: Date): Promise<void> {
    if (Date.now() - (prunedAt.get(webhookId) ?? 0) < PRUNE_EVERY_MS) return;
    prunedAt.set(webhookId, Date.now());
    if (prunedAt.size > 10_000) prunedAt.delete(prunedAt.keys().next().value!);
    const before = new Date(now.getTime() - DELIVERY_LOG_DAYS * 86_400_000);
    await repos.webhookDeliveries.prune(partnerId, webhookId, before);
  }

  return {
    /**
     * Delivers the subscription's pending events in order, stopping at the first that fails
     * within 24 h of its event; one failing past that is recorded `missed` and the next goes on.
     */
    deliverWebhookEvents: asTemporalFailures(
      async ({ partnerId, webhookId, now }: DeliverWebhookInput): Promise<DeliveryPass> => {
        const started = Date.now();
        // The later of ours and the workflow's clock running on (the time-skipping test server's
        // is ahead of ours; in production ours is, by the time the task waited for a slot).
        const clock = () => new Date(Math.max(Date.now(), now + (Date.now() - started)));
        const pass: DeliveryPass = { delivered: 0, missed: 0, more: false };
        const subscription = await repos.webhooks.withSecret(partnerId, webhookId);
        if (!subscription) {
          await repos.webhookDeliveries.removeAll(partnerId, webhookId);
          return { ...pass, gone: true };
        }
        /** Rows out of their window are missed, all at once (not sent one by one). */
        const expire = async (status: number | null, error: string) => {
          const at = clock();
          const missed = await repos.webhookDeliveries.expirePending(
            partnerId,
            webhookId,
            new Date(at.getTime() - DELIVERY_WINDOW_MS),
            { status, error, at },
          );
          if (missed > 0) {
            metrics.webhookAttempts.inc({ outcome: 'missed' }, missed);
            logger.warn(
              { partnerId, webhookId, missed, error },
              'webhook events missed: their receiver failed for 24 hours',
            );
          }
          pass.missed += missed;
        };
        let secret: string;
        try {
          secret = openWebhookSecret(keyring, { partnerId, webhookId }, subscription.secret);
        } catch (err) {
          if (!(err instanceof SecretOpenError)) throw err;
          logger.error({ partnerId, webhookId }, 'webhook secret cannot be opened');
          const failed = "the subscription's secret cannot be decrypted with the engine's keys";
          await expire(null, failed);
          return { ...pass, failed };
        }
        await prune(partnerId, webhookId, clock());
        // A timed-out or cancelled attempt stops here: never two passes at once.
        const { cancellationSignal } = Context.current();
        for (;;) {
          if (Date.now() - started > PASS_MS) return { ...pass, more: true };
          cancellationSignal.throwIfAborted();
          Context.current().heartbeat();
          const row = await repos.webhookDeliveries.nextPending(partnerId, webhookId);
          if (!row) return pass;
          const at = clock();
          const result = await deliverWebhook(subscription.url, secret, payloadOf(row), {
            allowPrivateHosts: cw.CW_ALLOW_PRIVATE_HOSTS,
            // What the receiver compares with its own clock: ours, not the workflow's.
            timestamp: Math.floor(Date.now() / 1000),
            signal: cancellationSignal,
          });
          cancellationSignal.throwIfAborted();
          if (result.ok) {
            await repos.webhookDeliveries.recordAttempt(row, {
              state: 'delivered',
              status: result.status,
              error: null,
              at,
            });
            metrics.webhookAttempts.inc({ outcome: 'delivered' });
            pass.delivered += 1;
            continue;
          }
          const expired = at.getTime() - row.createdAt.getTime() >= DELIVERY_WINDOW_MS;
          await repos.webhookDeliveries.recordAttempt(row, {
            state: expired ? 'missed' : 'pending',
            status: result.status,
            error: result.error,
            at,
          });
          metrics.webhookAttempts.inc({ outcome: expired ? 'missed' : 'failed' });
          if (!expired) return { ...pass, failed: result.error };
          logger.warn(
            { partnerId, webhookId, eventId: row.eventId, type: row.type, error: result.error },
            'webhook event missed: its receiver failed for 24 hours',
          );
          pass.missed += 1;
          // The events after it that are out of their window too go with it.
          await expire(result.status, result.error);
        }
      },
    ),
  };
}
