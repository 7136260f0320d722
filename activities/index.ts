import type { Repositories } from '../db';
import type { Logger } from '../config/logger';
import { createSyncRunActivities } from './sync-runs';

export interface ActivityDeps {
  repos: Repositories;
  logger: Logger;
}

/** Every activity the worker registers; workflows import only this type. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createSyncRunActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
