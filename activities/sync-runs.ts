import { metrics } from '../observability/metrics';
import type { ActivityDeps } from './index';

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

export function createSyncRunActivities({ repos, logger }: ActivityDeps) {
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
