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
  endedAt: string;
  outcome: 'succeeded' | 'partial' | 'failed' | 'skipped';
  summary: string;
}

export function createSyncRunActivities({ repos, logger }: ActivityDeps) {
  return {
    /** Writes one sync run's row, idempotently (keyed by runKey), so retries never duplicate it. */
    async recordSyncRun(input: RecordSyncRunInput): Promise<{ syncRunId: string }> {
      const saved = await repos.syncRuns.record({
        ...input,
        startedAt: new Date(input.startedAt),
        endedAt: new Date(input.endedAt),
      });
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
