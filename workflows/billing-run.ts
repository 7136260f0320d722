import {
  condition,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type {
  AgreementOutcome,
  BillingProgress,
  BillingRunRef,
  BillingRunResult,
  OperationCounts,
} from '../domain/billing/run';
import {
  ensureApprovedCatalog,
  prepareBillingRun,
  reconcilePass,
  regroup,
} from './billing-batches';
import { billingDecisionUpdate, billingProgressQuery, type BillingDecision } from './messages';
import { GONE, runFailure } from './run-failure';

export { regroup };

/** The run's row: bounded retries, so a database outage cannot wedge the run. */
const { recordSyncRun } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 25 },
});

const add = (into: OperationCounts, more: OperationCounts): void => {
  for (const [k, v] of Object.entries(more) as Array<[keyof OperationCounts, number]>)
    into[k] = (into[k] ?? 0) + v;
};

const summaryOf = (err: unknown): string => {
  const failure = runFailure(err);
  return failure === GONE ? 'the integration no longer exists' : failure.summary;
};

const WRITES: Array<keyof OperationCounts> = ['create', 'update', 'adopt', 'cancel'];
const writesIn = (c: OperationCounts | undefined) => WRITES.reduce((n, k) => n + (c?.[k] ?? 0), 0);

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

/** Reasons, most common first, for a summary: "2 × seats would drop…". */
function reasonsOf(outcomes: readonly AgreementOutcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o.reason ?? '', (counts.get(o.reason ?? '') ?? 0) + 1);
  return [...counts.entries()]
    .sort((x, y) => y[1] - x[1])
    .slice(0, 3)
    .map(([reason, n]) => (reason ? `${n} × ${reason}` : `${n} awaiting approval`))
    .join('; ');
}

/**
 * One billing run (id `billing-run:…`), a child of the integration's lifecycle workflow, so each
 * run is one row in the Temporal UI. Snapshot → reconcile agreement batches → (plans held by the
 * safety valve or approval mode wait for a decision) → record. Its row in the sync history exists
 * from the start (`running`, with counts as it goes) to the end.
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
  const held: AgreementOutcome[] = [];
  let decision: BillingDecision | undefined;
  setHandler(
    billingDecisionUpdate,
    (d) => {
      decision = d;
      return { runKey: ref.runKey, decision: d.decision, agreements: held.length };
    },
    {
      validator: (_d: BillingDecision) => {
        if (progress.phase !== 'awaiting_approval' || decision !== undefined)
          throw new Error('this billing run is not waiting for a decision');
      },
    },
  );
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
  const approving = prepared.apply === 'approve' && !ref.approvedKey;
  const tally = (outcome: AgreementOutcome) => {
    if (outcome.outcome === 'held' || (outcome.outcome === 'planned' && writesIn(outcome.planned)))
      return held.push(outcome);
    add(counts, outcome.counts);
    if (outcome.outcome === 'skipped') agreements.skipped += 1;
    else if (outcome.outcome === 'failed') agreements.failed += 1;
    else agreements.succeeded += 1;
    progress.agreementsDone += 1;
    progress.operationsApplied += writesIn(outcome.counts);
  };
  const pass = (mode: 'apply' | 'plan' | 'approved', ids: number[][], approvedKey?: string) =>
    reconcilePass({
      ref,
      mode,
      ...(approvedKey ? { approvedKey } : {}),
      batches: ids,
      onOutcomes: (outcomes) => outcomes.forEach(tally),
      onBatchFailed: (batch) => {
        agreements.failed += batch.length;
        progress.agreementsDone += batch.length;
      },
      onProgress: async () => {
        await record('running', `reconciling: ${progress.agreementsDone} of ${agreements.total}`);
      },
    });

  const ended = await (ref.approvedKey
    ? pass('approved', batches, ref.approvedKey)
    : pass(approving ? 'plan' : 'apply', batches));
  if (ended !== undefined) return await finish('failed', summaryOf(ended));

  const notes: string[] = [];
  if (held.length > 0) {
    const hours = prepared.approvalExpiryHours ?? 72;
    const expiresAt = new Date(Date.now() + hours * 3_600_000).toISOString();
    progress.phase = 'awaiting_approval';
    progress.held = held.length;
    progress.approvalExpiresAt = expiresAt;
    const why = reasonsOf(held);
    await record(
      'running',
      `awaiting approval until ${expiresAt}: ${held.length} agreements held (${why})`,
    );
    const decided = await condition(() => decision !== undefined, hours * 3_600_000);
    const heldIds = held.splice(0).map((h) => h.agreementId);
    if (decided && decision?.decision === 'approve') {
      progress.phase = 'applying_approved';
      notes.push(`${heldIds.length} held agreements approved by ${decision.by}`);
      // Approval mode planned new skus against stand-in catalog ids: create the items now.
      if (prepared.catalogToCreate?.length) {
        try {
          const missing = await ensureApprovedCatalog(ref);
          prepared.skippedSkus = [...(prepared.skippedSkus ?? []), ...missing];
        } catch (err) {
          if (isCancellation(err)) throw err;
          return await finish('failed', summaryOf(err));
        }
      }
      const again = await pass('approved', regroup([heldIds]), ref.runKey);
      if (again !== undefined) return await finish('failed', summaryOf(again));
    } else {
      const reason = decided
        ? `rejected by ${decision?.by ?? 'a partner'}`
        : `not approved within ${hours} h`;
      notes.push(`${heldIds.length} held agreements not written: ${reason} (${why})`);
      agreements.skipped += heldIds.length;
      progress.agreementsDone += heldIds.length;
    }
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
  return await finish(outcome, [describe(base), ...notes, ...notBilled].join('; '));
}
