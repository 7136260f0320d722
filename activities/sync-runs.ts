import { metrics } from '../observability/metrics';
import { BillingCoverage } from '../services/billing-coverage';
import type { ActivityDeps } from './deps';

export interface RecordSyncRunInput {
  partnerId: string;
  integrationId: string;
  kind: 'billing' | 'validation';
  trigger: 'schedule' | 'manual' | 'config_change';
  workflowId: string;
  runId: string;
  runKey: string;
  startedAt: string;
  /** Absent while the run is still going (`outcome: 'running'`). */
  endedAt?: string;
  outcome: 'running' | 'succeeded' | 'partial' | 'failed' | 'skipped' | 'cancelled';
  summary: string;
  /** Billing runs: operations per action and agreements per outcome so far. */
  counts?: Record<string, unknown>;
}

/** Runs whose results billing coverage measures (a skipped run reached no agreement). */
const MEASURED = new Set(['succeeded', 'partial', 'failed']);

export function createSyncRunActivities({ repos, logger }: ActivityDeps) {
  const coverage = new BillingCoverage(repos);

  /**
   * The partner's unbilled seats and amount, as of the run that just ended, for the API's
   * metrics (best effort: a failure here never fails the run's record).
   */
  async function measureCoverage({ partnerId, integrationId }: RecordSyncRunInput): Promise<void> {
    try {
      const integration = await repos.integrations.get(partnerId, integrationId);
      if (!integration) return;
      const { totals } = await coverage.of(integration);
      await repos.billingSeats.saveTotals(partnerId, integrationId, totals);
    } catch (err) {
      logger.warn(
        { err, integrationId },
        'billing coverage not measured; the next run measures it',
      );
    }
  }

  return {
    /** Writes one sync run's row, idempotently (keyed by runKey), so retries never duplicate it. */
    async recordSyncRun(input: RecordSyncRunInput): Promise<{ syncRunId: string }> {
      const { endedAt, ...rest } = input;
      const saved = await repos.syncRuns.record({
        ...rest,
        startedAt: new Date(input.startedAt),
        ...(endedAt === undefined ? {} : { endedAt: new Date(endedAt) }),
      });
      if (endedAt !== undefined) metrics.syncRuns.inc({ kind: input.kind, outcome: input.outcome });
      if (endedAt !== undefined && input.kind === 'billing' && MEASURED.has(input.outcome))
        await measureCoverage(input);
      logger.info(
        {
          integrationId: input.integrationId,
          kind: input.kind,
          trigger: input.trigger,
          outcome: input.outcome,
        },
        'sync run recorded',
      );
      return { syncRunId: saved.id };
    },
  };
}
