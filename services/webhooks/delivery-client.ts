import type { Client } from '@temporalio/client';
import type { Config } from '../../config';
import { callTemporal } from '../../temporal/unavailable';
import { PartnerIdKey, SyncKindKey } from '../../workflows/search-attributes';
import {
  webhookDeliveryWorkflowId,
  type webhookDeliveryWorkflow,
} from '../../workflows/webhook-delivery';
import { webhookWakeSignal, type WebhookWake } from '../../workflows/webhook-messages';

type Ids = { partnerId: string; webhookId: string };

/**
 * The task queue of the delivery step: its own, polled by a worker with few slots of its own, so
 * slow or hanging receivers never take the slots of billing runs (whose workflows share the main
 * queue with the delivery workflows).
 */
export const webhookTaskQueueOf = (config: Pick<Config, 'TEMPORAL_TASK_QUEUE'>): string =>
  `${config.TEMPORAL_TASK_QUEUE}-webhooks`;

/** Delivery steps a worker process runs at once (each holds a slot for up to about a minute). */
export const WEBHOOK_WORKER_MAX_ACTIVITIES = 8;

/**
 * Wakes a subscription's delivery workflow (workflows/webhook-delivery.ts), starting it if none
 * runs (signal-with-start: an event is never lost between a workflow ending and the next
 * starting). Ids only: the workflow's step reads everything else.
 */
export class WebhookDeliveryClient {
  constructor(
    private readonly temporal: Client,
    private readonly config: Pick<Config, 'TEMPORAL_TASK_QUEUE'>,
  ) {}

  async wake(ids: Ids, wake: WebhookWake = {}): Promise<void> {
    await callTemporal(this.temporal, () =>
      this.temporal.workflow.signalWithStart<typeof webhookDeliveryWorkflow, [WebhookWake]>(
        'webhookDeliveryWorkflow',
        {
          taskQueue: this.config.TEMPORAL_TASK_QUEUE,
          workflowId: webhookDeliveryWorkflowId(ids.webhookId),
          args: [
            {
              partnerId: ids.partnerId,
              webhookId: ids.webhookId,
              activityTaskQueue: webhookTaskQueueOf(this.config),
            },
          ],
          typedSearchAttributes: [
            { key: PartnerIdKey, value: ids.partnerId },
            { key: SyncKindKey, value: 'webhook' },
          ],
          signal: webhookWakeSignal,
          signalArgs: [wake],
        },
      ),
    );
  }
}
