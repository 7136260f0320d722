import type { AgreementOutcome, OperationCounts } from '../../domain/billing/run';
import type { LineResult } from './apply-operation';

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
