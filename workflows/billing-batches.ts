import { isCancellation, patched } from '@temporalio/workflow';
import {
  MAX_BATCHES,
  type AgreementOutcome,
  type BillingRunRef,
  type ReconcileMode,
} from '../domain/billing/run';
import { stepsOf } from './activity-profiles';
import { endsRun } from './run-failure';

/** Billing's ConnectWise work (workflows/activity-profiles.ts), on `taskQueue` if given. */
export const billingActivities = (taskQueue?: string) => stepsOf('billing', taskQueue);

export const { prepareBillingRun, reconcileBillingBatch } = billingActivities();

/** Runs that reconcile several batches at once (the worker's gate bounds the calls). */
export const PARALLEL_BATCHES_PATCH = 'billing-run-parallel-batches';
/** Batches in flight: enough to keep the integration's gate (≤ 10 calls) busy. */
const LANES = 8;

/**
 * Regroups the prepared batches so there are at most MAX_BATCHES, in the same order. Runs
 * prepared since batch documents are sized so already (prepare uses batchSizeFor): unchanged.
 */
export function regroup(batches: number[][]): number[][] {
  const ids = batches.flat();
  const size = Math.max(batches[0]?.length ?? 1, Math.ceil(ids.length / MAX_BATCHES));
  const out: number[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}

export interface Pass {
  ref: BillingRunRef;
  mode: ReconcileMode;
  approvedKey?: string;
  batches: number[][];
  /** Each batch's outcomes, as they come. */
  onOutcomes: (outcomes: AgreementOutcome[]) => void;
  /** A batch that failed past its retries (its agreements failed); the others go on. */
  onBatchFailed: (batch: number[]) => void;
  /** After `done` of the pass's batches (the run's row follows the run). */
  onProgress: (done: number) => Promise<void>;
  /** The activities to call, when not on the workflow's own task queue. */
  activities?: Pick<ReturnType<typeof billingActivities>, 'reconcileBillingBatch'>;
}

/**
 * Reconciles every batch, a few at a time. Returns the failure that ends the whole run (keys
 * rejected, no usable key, the integration gone), if one came; batches not started then are not.
 */
export async function reconcilePass(pass: Pass): Promise<unknown> {
  const lanes = patched(PARALLEL_BATCHES_PATCH) ? LANES : 1;
  let next = 0;
  let done = 0;
  let ended: unknown;
  const lane = async (): Promise<void> => {
    while (ended === undefined && next < pass.batches.length) {
      const batch = pass.batches[next++]!;
      try {
        const { ref, mode, approvedKey, activities = { reconcileBillingBatch } } = pass;
        pass.onOutcomes(
          await activities.reconcileBillingBatch({
            ref,
            agreementIds: batch,
            ...(mode === 'apply' ? {} : { mode }),
            ...(approvedKey ? { approvedKey } : {}),
          }),
        );
      } catch (err) {
        if (isCancellation(err)) throw err;
        if (endsRun(err)) {
          ended = err;
          return;
        }
        pass.onBatchFailed(batch);
      }
      done += 1;
      if (done % 10 === 0 && done < pass.batches.length) await pass.onProgress(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, pass.batches.length) }, lane));
  return ended;
}
