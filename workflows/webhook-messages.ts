/** The signal and query of a subscription's webhook delivery workflow, shared with services/. */
import { defineQuery, defineSignal } from '@temporalio/workflow';

export interface WebhookWake {
  /**
   * Try now even while waiting after a failure (a ping: the partner fixed the receiver and wants
   * to know). Events alone do not cut a wait short: they queue behind the event that failed.
   */
  retryNow?: boolean;
}

/** New events for the subscription (services/webhooks/dispatcher.ts). */
export const webhookWakeSignal = defineSignal<[WebhookWake]>('webhookWake');

export interface WebhookDeliveryStatus {
  /** Waiting this long after a failure before the next attempt; 0 when not failing. */
  retryInMs: number;
  /** Failed attempts in a row. */
  failures: number;
  lastError: string | null;
  /** Events delivered by this run of the workflow. */
  delivered: number;
  /** Events recorded missed by this run of the workflow. */
  missed: number;
}
export const webhookDeliveryStatusQuery = defineQuery<WebhookDeliveryStatus>('webhookDelivery');
