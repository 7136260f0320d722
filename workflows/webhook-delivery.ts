import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { nextRetryMs } from '../domain/webhooks/events';
import {
  webhookDeliveryStatusQuery,
  webhookWakeSignal,
  type WebhookDeliveryStatus,
} from './webhook-messages';
import { stepsOf } from './activity-profiles';

const deliverySteps = (taskQueue: string | undefined) => stepsOf('webhookDelivery', taskQueue);

export interface WebhookDeliveryInput {
  partnerId: string;
  webhookId: string;
  /** Where the delivery step runs; absent: this workflow's task queue. */
  activityTaskQueue?: string;
  /** Carried across continue-as-new. */
  carried?: { retryInMs: number; failures: number; woken: boolean };
}

/** Without new events for this long, the workflow ends (the next event starts it again). */
const IDLE_MS = 10 * 60_000;
const HISTORY_LIMIT = 2_000;

/** The workflow id of a subscription's deliveries. */
export const webhookDeliveryWorkflowId = (webhookId: string): string =>
  `webhook-delivery:${webhookId}`;

/**
 * Delivers one subscription's events in order (`webhook-delivery:<webhookId>`, started or woken by
 * the dispatcher's signal-with-start). Each pass delivers the pending events oldest first and stops
 * at the first that fails; the workflow then waits 30 s, doubling to 1 h, and tries again. An
 * event still failing 24 h after it happened is recorded `missed` by the step and the next ones
 * go on. New events wake it; during a wait after a failure only a ping does (they would queue
 * behind the failed event anyway). Ends when the subscription is removed, or after 10 minutes with
 * nothing to deliver.
 */
export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<void> {
  const steps = deliverySteps(input.activityTaskQueue);
  let woken = input.carried?.woken ?? true;
  let retryNow = false;
  const status: WebhookDeliveryStatus = {
    retryInMs: input.carried?.retryInMs ?? 0,
    failures: input.carried?.failures ?? 0,
    lastError: null,
    delivered: 0,
    missed: 0,
  };
  setHandler(webhookWakeSignal, (wake) => {
    woken = true;
    if (wake?.retryNow) retryNow = true;
  });
  setHandler(webhookDeliveryStatusQuery, () => ({ ...status }));

  const historyFull = () => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength > HISTORY_LIMIT;
  };
  for (;;) {
    if (status.retryInMs > 0) {
      // Wakes during a wait only add to the history: when it is full, the wait goes on in a new run.
      const waitStarted = Date.now();
      await condition(() => retryNow || historyFull(), status.retryInMs);
      if (!retryNow && historyFull()) {
        await condition(allHandlersFinished);
        const left = status.retryInMs - (Date.now() - waitStarted);
        if (left > 0)
          await continueAsNew<typeof webhookDeliveryWorkflow>({
            ...input,
            carried: { retryInMs: left, failures: status.failures, woken },
          });
      }
    } else if (!woken && !(await condition(() => woken, IDLE_MS))) {
      // Idle: a signal arriving now fails this completion and is handled (Temporal's rule).
      await condition(allHandlersFinished);
      if (!woken) return;
    }
    woken = false;
    retryNow = false;
    let failed: string | undefined;
    let more = false;
    try {
      const pass = await steps.deliverWebhookEvents({
        partnerId: input.partnerId,
        webhookId: input.webhookId,
        now: Date.now(),
      });
      if (pass.gone) return;
      status.delivered += pass.delivered;
      status.missed += pass.missed;
      failed = pass.failed;
      more = pass.more;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      failed = `the delivery step failed: ${err.cause?.message ?? err.message}`;
    }
    if (failed !== undefined) {
      status.failures += 1;
      status.lastError = failed;
      status.retryInMs = nextRetryMs(status.retryInMs);
    } else {
      status.failures = 0;
      status.retryInMs = 0;
      if (more) woken = true;
    }
    if (historyFull()) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof webhookDeliveryWorkflow>({
        ...input,
        carried: { retryInMs: status.retryInMs, failures: status.failures, woken },
      });
    }
  }
}
