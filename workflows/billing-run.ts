import { isCancellation, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type {
  AgreementOutcome,
  BillingProgress,
  BillingRunRef,
  BillingRunResult,
  OperationCounts,
} from '../domain/billing/run';
import { billingProgressQuery } from './messages';
import { endsRun, GONE, runFailure } from './run-failure';

/** The run's row: bounded retries, so a database outage cannot wedge the run. */
const { recordSyncRun } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 25 },
});

/**
 * ConnectWise work: heartbeats prove progress on long batches; 5xx, 429 and network failures
 * retry with backoff; a 401 or a missing integration is non-retryable and ends the run.
 */
const { prepareBillingRun, reconcileBillingBatch } = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    maximumInterval: '1 minute',
    backoffCoefficient: 2,
    maximumAttempts: 6,
  },
});

/**
 * At most this many reconcile activities per run, whatever the number of agreements, so a run
 * over 5,000 agreements stays far under Temporal's 10,000-event warning.
 */
const MAX_BATCHES = 200;

/** Regroups the prepared batches so there are at most MAX_BATCHES, in the same order. */
export function regroup(batches: number[][]): number[][] {
  const ids = batches.flat();
  const size = Math.max(batches[0]?.length ?? 1, Math.ceil(ids.length / MAX_BATCHES));
  const out: number[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}

const add = (into: OperationCounts, more: OperationCounts): void => {
  for (const [k, v] of Object.entries(more) as Array<[keyof OperationCounts, number]>)
    into[k] = (into[k] ?? 0) + v;
};

const summaryOf = (err: unknown): string => {
  const failure = runFailure(err);
  return failure === GONE ? 'the integration no longer exists' : failure.summary;
};

const WRITES: Array<keyof OperationCounts> = ['create', 'update', 'adopt', 'cancel'];

function describe(result: Pick<BillingRunResult, 'counts' | 'agreements'>): string {
  const { agreements: a, counts: c } = result;
  const writes = WRITES.map((k) => (c[k] ? `${c[k]} ${k}` : '')).filter(Boolean);
  const parts = [
    `${a.total} agreements: ${a.succeeded} in sync`,
    a.skipped ? `${a.skipped} skipped` : '',
    a.failed ? `${a.failed} failed` : '',
  ].filter(Boolean);
  return `${parts.join(', ')}; ${writes.length ? writes.join(', ') : 'no changes'}${c.conflict ? `; ${c.conflict} conflicts to resolve in ConnectWise` : ''}`;
}

/**
 * One billing run (id `billing-run:…`), a child of the integration's lifecycle workflow, so each
 * run is one row in the Temporal UI. Snapshot → reconcile agreement batches → record. Its row in
 * the sync history exists from the start (`running`, with counts as it goes) to the end.
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
  const agreements = { total: 0, succeeded: 0, skipped: 0, failed: 0 };
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
    add(counts, outcome.counts);
    if (outcome.outcome === 'skipped') agreements.skipped += 1;
    else if (outcome.outcome === 'failed') agreements.failed += 1;
    else agreements.succeeded += 1;
    progress.agreementsDone += 1;
    progress.operationsApplied += WRITES.reduce((n, k) => n + (outcome.counts[k] ?? 0), 0);
  };

  for (const [i, batch] of batches.entries()) {
    try {
      for (const outcome of await reconcileBillingBatch({ ref, agreementIds: batch })) {
        tally(outcome);
      }
    } catch (err) {
      if (isCancellation(err)) throw err;
      // Keys rejected, no usable key, or the integration gone: nothing more can be written.
      if (endsRun(err)) return await finish('failed', summaryOf(err));
      agreements.failed += batch.length;
      progress.agreementsDone += batch.length;
    }
    // The row follows the run: every tenth batch and the last one.
    if (i % 10 === 9 && i < batches.length - 1)
      await record('running', `reconciling: ${progress.agreementsDone} of ${agreements.total}`);
  }

  progress.phase = 'recording';
  const base = { counts, agreements };
  const skippedSkus = prepared.skippedSkus ?? [];
  const outcome: BillingRunResult['outcome'] =
    agreements.failed === 0 && agreements.skipped === 0 && !counts.failed && !skippedSkus.length
      ? 'succeeded'
      : agreements.succeeded === 0 && agreements.failed > 0
        ? 'failed'
        : 'partial';
  const notBilled = skippedSkus.map((s) => `${s.sku} not billed: ${s.reason}`);
  return await finish(outcome, [describe(base), ...notBilled].join('; '));
}
