import { CancellationScope, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import type {
  AgreementOutcome,
  BillingProgress,
  BillingRunRef,
  BillingRunResult,
  OperationCounts,
} from '../domain/billing/run';
import { prepareBillingRun, reconcilePass, regroup } from './billing-batches';
import { billingProgressQuery } from './messages';
import { FailureType } from './failure-types';
import { stepsOf } from './activity-profiles';
import { causeMessageOf, failureTypeOf, GONE, runFailure } from './run-failure';

export { regroup };

const { recordSyncRun } = stepsOf('syncRunRecord');

const add = (into: OperationCounts, more: OperationCounts): void => {
  for (const [k, v] of Object.entries(more) as Array<[keyof OperationCounts, number]>)
    into[k] = (into[k] ?? 0) + v;
};

const summaryOf = (err: unknown): string => {
  const failure = runFailure(err);
  return failure === GONE ? 'the integration no longer exists' : failure.summary;
};

const WRITES: Array<keyof OperationCounts> = ['create', 'update', 'adopt', 'cancel', 'release'];
const writesIn = (c: OperationCounts | undefined) => WRITES.reduce((n, k) => n + (c?.[k] ?? 0), 0);

function describe(result: Pick<BillingRunResult, 'counts' | 'agreements'>): string {
  const { agreements: a, counts: c } = result;
  const writes = WRITES.map((k) => (c[k] ? `${c[k]} ${k}` : '')).filter(Boolean);
  const parts = [
    `${a.total} agreements: ${a.succeeded} in sync`,
    a.skipped ? `${a.skipped} skipped` : '',
    a.failed ? `${a.failed} failed` : '',
  ].filter(Boolean);
  const left = c.left ? `; ${c.left} released additions left open (zero-usage policy leave)` : '';
  return `${parts.join(', ')}; ${writes.length ? writes.join(', ') : 'no changes'}${left}`;
}

/** Reasons, most common first, for a summary: "2 × seats would drop…". */
function reasonsOf(outcomes: readonly AgreementOutcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o.reason ?? '', (counts.get(o.reason ?? '') ?? 0) + 1);
  return [...counts.entries()]
    .sort((x, y) => y[1] - x[1])
    .slice(0, 3)
    .map(([reason, n]) => `${n} × ${reason}`)
    .join('; ');
}

/**
 * One billing run (id `billing-run:…`), a child of the integration's lifecycle workflow, so each
 * run is one row in the Temporal UI. Snapshot → reconcile agreement batches (an agreement whose
 * plan needs a person is held as a pending approval, and blocks nobody) → record. Its row in the
 * sync history exists from the start (`running`, with counts as it goes) to the end.
 */
export async function billingRunWorkflow(ref: BillingRunRef): Promise<BillingRunResult> {
  const info = workflowInfo();
  const startedAt = new Date().toISOString();
  const progress: BillingProgress = {
    runKey: ref.runKey,
    trigger: ref.trigger,
    phase: 'preparing',
    agreementsTotal: 0,
    agreementsDone: 0,
    operationsApplied: 0,
  };
  setHandler(billingProgressQuery, () => progress);
  const counts: OperationCounts = {};
  const agreements = { total: 0, succeeded: 0, skipped: 0, failed: 0, held: 0 };
  const held: AgreementOutcome[] = [];
  const record = (outcome: BillingRunResult['outcome'] | 'running', summary: string) =>
    recordSyncRun({
      partnerId: ref.partnerId,
      integrationId: ref.integrationId,
      kind: 'billing',
      trigger: ref.trigger,
      workflowId: info.workflowId,
      runId: info.runId,
      runKey: ref.runKey,
      startedAt,
      ...(outcome === 'running' ? {} : { endedAt: new Date().toISOString() }),
      outcome,
      summary,
      counts: { ...counts, agreements: { ...agreements } },
    });
  const finish = async (
    outcome: BillingRunResult['outcome'],
    summary: string,
  ): Promise<BillingRunResult> => {
    progress.phase = 'done';
    await record(outcome, summary);
    return { runKey: ref.runKey, outcome, summary, counts, agreements };
  };
  const ended = async (err: unknown): Promise<BillingRunResult> => {
    // The tenant changed under the run: not a failure, nothing more is written.
    if (failureTypeOf(err) === FailureType.tenantChanged)
      return await finish('cancelled', `cancelled: ${causeMessageOf(err)}`);
    return await finish('failed', summaryOf(err));
  };

  try {
    await record('running', 'preparing: snapshot, agreements, catalog');
    let prepared;
    try {
      prepared = await prepareBillingRun(ref);
    } catch (err) {
      if (isCancellation(err)) throw err;
      return await finish('failed', summaryOf(err));
    }
    if (prepared.nothingToDo) return await finish('skipped', prepared.nothingToDo);

    const batches = regroup(prepared.batches);
    agreements.total = batches.flat().length + prepared.skipped.length;
    agreements.skipped = prepared.skipped.length;
    progress.agreementsTotal = agreements.total;
    progress.agreementsDone = agreements.skipped;
    progress.phase = 'reconciling';
    const tally = (outcome: AgreementOutcome) => {
      progress.agreementsDone += 1;
      if (outcome.outcome === 'held') {
        held.push(outcome);
        agreements.held += 1;
        return;
      }
      add(counts, outcome.counts);
      if (outcome.outcome === 'skipped') agreements.skipped += 1;
      else if (outcome.outcome === 'failed') agreements.failed += 1;
      else agreements.succeeded += 1;
      progress.operationsApplied += writesIn(outcome.counts);
    };
    const failure = await reconcilePass({
      ref,
      mode: ref.approvedKey ? 'approved' : 'apply',
      ...(ref.approvedKey ? { approvedKey: ref.approvedKey } : {}),
      batches,
      onOutcomes: (outcomes) => outcomes.forEach(tally),
      onBatchFailed: (batch) => {
        agreements.failed += batch.length;
        progress.agreementsDone += batch.length;
      },
      onProgress: async () => {
        await record('running', `reconciling: ${progress.agreementsDone} of ${agreements.total}`);
      },
    });
    if (failure !== undefined) return await ended(failure);

    progress.phase = 'recording';
    const notes = held.length
      ? [`${held.length} agreements held for approval (${reasonsOf(held)})`]
      : [];
    const skippedSkus = prepared.skippedSkus ?? [];
    const clean =
      agreements.failed === 0 &&
      agreements.skipped === 0 &&
      agreements.held === 0 &&
      !counts.failed &&
      !skippedSkus.length;
    const outcome: BillingRunResult['outcome'] = clean
      ? 'succeeded'
      : agreements.succeeded === 0 && agreements.failed > 0
        ? 'failed'
        : 'partial';
    const notBilled = skippedSkus.map((s) => `${s.sku} not billed: ${s.reason}`);
    return await finish(
      outcome,
      [describe({ counts, agreements }), ...notes, ...notBilled].join('; '),
    );
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Cancelled (a reset to another tenant cancels the running run): the row says so.
    await CancellationScope.nonCancellable(() =>
      finish('cancelled', 'cancelled: the integration changed (e.g. a reset to another tenant)'),
    );
    throw err;
  }
}
