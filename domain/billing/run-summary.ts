/**
 * How a billing run's outcomes add up: its counts, its outcome and the summary its row in the
 * sync history shows. Pure: the run workflow (workflows/billing-run.ts) calls it as it goes.
 */
import type { AgreementOutcome, BillingRunResult, OperationCounts } from './run';

export type AgreementTotals = BillingRunResult['agreements'];

const WRITES: Array<keyof OperationCounts> = ['create', 'update', 'adopt', 'cancel', 'release'];

/** The writes among the counts. */
export const writesIn = (c: OperationCounts | undefined): number =>
  WRITES.reduce((n, k) => n + (c?.[k] ?? 0), 0);

/** Adds `more` into `into`. */
export function addCounts(into: OperationCounts, more: OperationCounts): void {
  for (const [k, v] of Object.entries(more) as Array<[keyof OperationCounts, number]>)
    into[k] = (into[k] ?? 0) + v;
}

/** "8 agreements: 7 in sync, 1 failed; 3 create, 1 cancel". */
export function describeCounts(agreements: AgreementTotals, counts: OperationCounts): string {
  const { total, succeeded, skipped, failed } = agreements;
  const writes = WRITES.map((k) => (counts[k] ? `${counts[k]} ${k}` : '')).filter(Boolean);
  const parts = [
    `${total} agreements: ${succeeded} in sync`,
    skipped ? `${skipped} skipped` : '',
    failed ? `${failed} failed` : '',
  ].filter(Boolean);
  const left = counts.left
    ? `; ${counts.left} released additions left open (zero-usage policy leave)`
    : '';
  return `${parts.join(', ')}; ${writes.length ? writes.join(', ') : 'no changes'}${left}`;
}

/** Reasons, most common first, for a summary: "2 × seats would drop…". */
export function reasonsOf(outcomes: readonly AgreementOutcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o.reason ?? '', (counts.get(o.reason ?? '') ?? 0) + 1);
  return [...counts.entries()]
    .sort((x, y) => y[1] - x[1])
    .slice(0, 3)
    .map(([reason, n]) => `${n} × ${reason}`)
    .join('; ');
}

/** A run that reconciled to its end: its outcome and summary. */
export function finishedRun(
  agreements: AgreementTotals,
  counts: OperationCounts,
  held: readonly AgreementOutcome[],
  skippedSkus: ReadonlyArray<{ sku: string; reason: string }>,
): { outcome: BillingRunResult['outcome']; summary: string } {
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
  const notes = held.length
    ? [`${held.length} agreements held for approval (${reasonsOf(held)})`]
    : [];
  const notBilled = skippedSkus.map((s) => `${s.sku} not billed: ${s.reason}`);
  return {
    outcome,
    summary: [describeCounts(agreements, counts), ...notes, ...notBilled].join('; '),
  };
}
