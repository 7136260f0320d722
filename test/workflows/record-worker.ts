import type { DataConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { Repositories } from '../../db';
import type { Keyring } from '../../security';
import { WORKFLOWS_PATH } from '../../worker/worker';
import { simulatorActivityDeps } from '../support/activity-deps';

/** A worker of the engine's workflows and real activities on a time-skipping recorder's server. */
export function recordWorker(
  ctx: {
    env: TestWorkflowEnvironment;
    repos: Repositories;
    keyring: Keyring;
    dataConverter: DataConverter;
  },
  taskQueue: string,
  /** `activities`: a worker of the activities only (a queue of their own, e.g. the webhooks'). */
  runs: 'all' | 'activities' = 'all',
): Promise<Worker> {
  return Worker.create({
    connection: ctx.env.nativeConnection,
    taskQueue,
    ...(runs === 'all' ? { workflowsPath: WORKFLOWS_PATH } : {}),
    dataConverter: ctx.dataConverter,
    activities: createActivities(simulatorActivityDeps(ctx.repos, ctx.keyring)),
  });
}
