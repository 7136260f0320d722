import { CancellationScope, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  MAX_BATCHES,
  type AgreementOutcome,
  type BillingProgress,
  type BillingRunRef,
  type BillingRunResult,
  type OperationCounts,
  type ReconcileMode,
} from '../domain/billing/run';
import { addCounts, finishedRun, writesIn } from '../domain/billing/run-summary';
import { billingProgressQuery } from './messages';
import { FailureType } from './failure-types';
import { stepsOf } from './activity-profiles';
import { causeMessageOf, endsRun, failureTypeOf, GONE, runFailure } from './run-failure';

/** Billing's ConnectWise work (workflows/activity-profiles.ts), on `taskQueue` if given. */
export const billingActivities = (taskQueue?: string) => stepsOf('billing', taskQueue);

const { prepareBillingRun, reconcileBillingBatch } = billingActivities();
const { recordSyncRun } = stepsOf('syncRunRecord');

/**
 * One billing run (id `billing-run:…`), a child of the integration's lifecycle workflow, so each
 * run is one row in the Temporal UI. Snapshot → reconcile agreement batches (an agreement whose
 * plan needs a person is held as a pending approval, and blocks nobody) → record. Its row in the
 * sync history exists from the start (`running`, with counts as it goes) to the end.
 */
export async function billingRunWorkflow(ref: BillingRunRef): Promise<BillingRunResult> {
  const run = new BillingRun(ref);
  setHandler(billingProgressQuery, () => run.progress);
  try {
    await run.record('running', 'preparing: snapshot, agreements, catalog');
    let prepared;
    try {
      prepared = await prepareBillingRun(ref);
    } catch (err) {
      if (isCancellation(err)) throw err;
      return await run.failed(err, { tenantChecked: false });
    }
    if (prepared.nothingToDo) return await run.finish('skipped', prepared.nothingToDo);

    const batches = regroup(prepared.batches);
    run.reconciling(batches.flat().length, prepared.skipped.length);
    const failure = await reconcilePass({
      ref,
      mode: ref.approvedKey ? 'approved' : 'apply',
      ...(ref.approvedKey ? { approvedKey: ref.approvedKey } : {}),
      batches,
      onOutcomes: (outcomes) => outcomes.forEach((o) => run.tally(o)),
      onBatchFailed: (batch) => run.batchFailed(batch.length),
      onProgress: () => run.record('running', `reconciling: ${run.doneOfTotal()}`),
    });
    if (failure !== undefined) return await run.failed(failure);

    run.progress.phase = 'recording';
    const { outcome, summary } = finishedRun(
      run.agreements,
      run.counts,
      run.held,
      prepared.skippedSkus ?? [],
    );
    return await run.finish(outcome, summary);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancelled (a reset to another tenant cancels the running run): the row says so.
    await CancellationScope.nonCancellable(() =>
      run.finish(
        'cancelled',
        'cancelled: the integration changed (e.g. a reset to another tenant)',
      ),
    );
    throw err;
  }
}

/** A run's state: its progress (the query's answer), its counts, and its row as it goes. */
class BillingRun {
  readonly progress: BillingProgress;
  readonly counts: OperationCounts = {};
  readonly agreements = { total: 0, succeeded: 0, skipped: 0, failed: 0, held: 0 };
  readonly held: AgreementOutcome[] = [];
  private readonly startedAt = new Date().toISOString();

  constructor(private readonly ref: BillingRunRef) {
    this.progress = {
      runKey: ref.runKey,
      trigger: ref.trigger,
      phase: 'preparing',
      agreementsTotal: 0,
      agreementsDone: 0,
      operationsApplied: 0,
    };
  }

  reconciling(agreements: number, skipped: number): void {
    this.agreements.total = agreements + skipped;
    this.agreements.skipped = skipped;
    this.progress.agreementsTotal = this.agreements.total;
    this.progress.agreementsDone = skipped;
    this.progress.phase = 'reconciling';
  }

  tally(outcome: AgreementOutcome): void {
    this.progress.agreementsDone += 1;
    if (outcome.outcome === 'held') {
      this.held.push(outcome);
      this.agreements.held += 1;
      return;
    }
    addCounts(this.counts, outcome.counts);
    if (outcome.outcome === 'skipped') this.agreements.skipped += 1;
    else if (outcome.outcome === 'failed') this.agreements.failed += 1;
    else this.agreements.succeeded += 1;
    this.progress.operationsApplied += writesIn(outcome.counts);
  }

  batchFailed(agreements: number): void {
    this.agreements.failed += agreements;
    this.progress.agreementsDone += agreements;
  }

  doneOfTotal(): string {
    return `${this.progress.agreementsDone} of ${this.agreements.total}`;
  }

  /** The run's row in the sync history, as it stands. */
  async record(outcome: BillingRunResult['outcome'] | 'running', summary: string): Promise<void> {
    const info = workflowInfo();
    await recordSyncRun({
      partnerId: this.ref.partnerId,
      integrationId: this.ref.integrationId,
      kind: 'billing',
      trigger: this.ref.trigger,
      workflowId: info.workflowId,
      runId: info.runId,
      runKey: this.ref.runKey,
      startedAt: this.startedAt,
      ...(outcome === 'running' ? {} : { endedAt: new Date().toISOString() }),
      outcome,
      summary,
      counts: { ...this.counts, agreements: { ...this.agreements } },
    });
  }

  async finish(outcome: BillingRunResult['outcome'], summary: string): Promise<BillingRunResult> {
    this.progress.phase = 'done';
    await this.record(outcome, summary);
    const { counts, agreements } = this;
    return { runKey: this.ref.runKey, outcome, summary, counts, agreements };
  }

  /**
   * A step that ends the run: the tenant changed under a reconcile (nothing more written), or a
   * failure (of the prepare step, whatever its cause).
   */
  async failed(err: unknown, { tenantChecked = true } = {}): Promise<BillingRunResult> {
    if (tenantChecked && failureTypeOf(err) === FailureType.tenantChanged)
      return await this.finish('cancelled', `cancelled: ${causeMessageOf(err)}`);
    const failure = runFailure(err);
    return await this.finish(
      'failed',
      failure === GONE ? 'the integration no longer exists' : failure.summary,
    );
  }
}

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
  /** Every tenth batch done (the run's row follows the run). */
  onProgress: () => Promise<void>;
  /** The activities to call, when not on the workflow's own task queue. */
  activities?: Pick<ReturnType<typeof billingActivities>, 'reconcileBillingBatch'>;
}

/**
 * Reconciles every batch, a few at a time (the worker's gate bounds the calls). Returns the
 * failure that ends the whole run (keys rejected, no usable key, the integration gone), if one
 * came; batches not started then are not.
 */
export async function reconcilePass(pass: Pass): Promise<unknown> {
  const { ref, mode, approvedKey, activities = { reconcileBillingBatch } } = pass;
  let next = 0;
  let done = 0;
  let ended: unknown;
  const lane = async (): Promise<void> => {
    while (ended === undefined && next < pass.batches.length) {
      const batch = pass.batches[next++]!;
      try {
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
      if (done % 10 === 0 && done < pass.batches.length) await pass.onProgress();
    }
  };
  await Promise.all(Array.from({ length: Math.min(LANES, pass.batches.length) }, lane));
  return ended;
}
