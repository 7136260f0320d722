/**
 * The webhook scenario of record-histories.ts (webhook-delivery.pb), on the time-skipping server
 * with the real activity and dispatcher: a subscription's workflow started by its first events,
 * a receiver failing once (the 30 s wait), both events delivered, a ping woken through, the
 * subscription removed, and the workflow ending on finding it gone. Its activities run on the
 * webhooks' own task queue, as in the engine's worker.
 */
import { WebhookDeliveryClient, webhookTaskQueueOf } from '../../services/webhooks/delivery-client';
import { WebhookDispatcher } from '../../services/webhooks/dispatcher';
import { WebhookService } from '../../services/webhooks/subscriptions';
import { webhookDeliveryWorkflowId } from '../../workflows/webhook-delivery';
import { captureLogger } from '../support/logger';
import { startWebhookReceiver } from '../support/webhook-receiver';
import type { RecordContext } from './record-histories';
import { recordWorker } from './record-worker';

export async function recordWebhook(
  ctx: RecordContext & { save: (name: string, workflowId: string) => Promise<void> },
): Promise<void> {
  const { env, client, repos, keyring } = ctx;
  const taskQueue = 'record-webhook';
  const worker = await recordWorker(ctx, taskQueue);
  // Deliveries run on the webhooks' own task queue, as in the engine's worker.
  const deliverer = await recordWorker(
    ctx,
    webhookTaskQueueOf({ TEMPORAL_TASK_QUEUE: taskQueue }),
    'activities',
  );
  const receiver = await startWebhookReceiver();
  const deliveries = new WebhookDeliveryClient(client, { TEMPORAL_TASK_QUEUE: taskQueue });
  const dispatcher = new WebhookDispatcher({
    repos,
    deliveries,
    logger: captureLogger().logger,
    pollMs: 100,
  });
  try {
    await worker.runUntil(
      deliverer.runUntil(async () => {
        dispatcher.start();
        const partnerId = 'replay-webhook';
        const webhooks = new WebhookService({ repos, keyring, url: { allowPrivateHosts: true } });
        const { webhook } = await webhooks.create(
          partnerId,
          { url: receiver.url, events: ['ticket.created', 'ticket.closed'] },
          'recorder',
        );
        receiver.answer((n) => (n === 0 ? 500 : 204));
        const at = new Date(await env.currentTimeMs());
        await repos.webhookDeliveries.emit(
          partnerId,
          [
            { type: 'ticket.created', key: 'replay-1', data: { ticketId: 1 } },
            { type: 'ticket.closed', key: 'replay-2', data: { ticketId: 1 } },
          ],
          at,
        );
        await receiver.until((r) => r.length === 1);
        await env.sleep(31_000);
        await receiver.until((r) => r.filter((x) => x.status === 204).length === 2);
        await webhooks.ping(partnerId, webhook.id);
        await receiver.until((r) => r.filter((x) => x.status === 204).length === 3);
        await webhooks.remove(partnerId, webhook.id);
        await deliveries.wake({ partnerId, webhookId: webhook.id }, { retryNow: true });
        const handle = client.workflow.getHandle(webhookDeliveryWorkflowId(webhook.id));
        await handle.result();
        await ctx.save('webhook-delivery', handle.workflowId);
      }),
    );
  } finally {
    await dispatcher.stop();
    await receiver.close();
  }
}
