/**
 * What writing one agreement's plan needs and gives: the run's context, a line's result, the
 * agreement's outcome from its lines, and waiting for every write of a step before failing it.
 */
import type { Repositories, RunSnapshot } from '../../db';
import type { AgreementOutcome, OperationCounts } from '../../domain/billing/run';
import type { ConnectWiseClient } from '../../connectwise';
import type { PlannedOperation } from '../../domain/billing/types';

/** What one run needs to write one agreement's additions. */
export interface ApplyContext {
  repos: Pick<
    Repositories,
    'billingLedger' | 'billingChanges' | 'billingSnapshots' | 'billingApprovals'
  >;
  client: ConnectWiseClient;
  run: RunSnapshot;
  /** Every ConnectWise call goes through it: the integration's concurrency bound. */
  limit: <T>(call: () => Promise<T>) => Promise<T>;
  signal: AbortSignal;
  /**
   * A retry (or a later pass) may follow writes of this run: the ledger, approvals and refusals
   * are read as saved now. A first attempt reads them from the snapshot and skips the look-ups
   * (nothing of this run can precede it), which saves database round trips per agreement.
   */
  retried: boolean;
  /** How long ConnectWise may take to commit a create (the POST's own timeout). */
  createTimeoutMs: number;
}

export type LineOutcome = 'applied' | 'failed' | 'skipped' | 'conflict' | 'unchanged';

export interface LineResult {
  action: PlannedOperation['action'];
  outcome: LineOutcome;
  message?: string;
  /** True when ConnectWise was written. */
  wrote: boolean;
}

/** Answers about this write that sending it again unchanged would not change (docs/connectwise.md §3). */
export const REFUSALS = new Set(['validation', 'object_exists', 'permission', 'not_found']);

export type Write = Extract<
  PlannedOperation,
  { action: 'create' | 'update' | 'adopt' | 'cancel' | 'release' | 'forget' }
>;

export const ledgerScope = (run: RunSnapshot) => ({
  partnerId: run.ref.partnerId,
  integrationId: run.ref.integrationId,
  tenantKey: run.tenantKey,
});

/**
 * One agreement's outcome from its lines. Counts are per planned action for what was done (or
 * found: noop, conflict, skip), plus `failed` for lines ConnectWise refused. Every write refused →
 * failed; any refused, conflicting or skipped line → partial; else succeeded.
 */
export function agreementOutcome(
  ids: Pick<AgreementOutcome, 'customerId' | 'agreementId'>,
  lines: readonly LineResult[],
): AgreementOutcome {
  const counts: OperationCounts = {};
  const bump = (key: keyof OperationCounts) => (counts[key] = (counts[key] ?? 0) + 1);
  for (const line of lines) bump(line.outcome === 'failed' ? 'failed' : line.action);
  const failed = lines.filter((l) => l.outcome === 'failed');
  const troubled = lines.filter((l) => l.outcome !== 'applied' && l.outcome !== 'unchanged');
  const applied = lines.some((l) => l.outcome === 'applied');
  const [first] = troubled;
  const reason =
    first &&
    `${first.message ?? first.outcome}${troubled.length > 1 ? ` (and ${troubled.length - 1} more)` : ''}`;
  const outcome =
    failed.length > 0 && !applied ? 'failed' : troubled.length > 0 ? 'partial' : 'succeeded';
  return { ...ids, outcome, counts, ...(reason ? { reason } : {}) };
}

/**
 * Waits for every task, then throws the first failure, if any: work that could succeed has, so
 * a retry starts from everything that was possible (links saved, changes audited).
 */
export async function settleAll<T>(work: Array<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
