import { WorkPriority } from '../services/work-priority';
import type { ActivityDeps } from './deps';
import { createBillingActivities } from './billing';
import { createConnectionActivities } from './connection';
import { createSyncRunActivities } from './sync-runs';
import { createTicketWatchActivities } from './ticket-watch';
import { createTicketActivities } from './tickets';
import { createWebhookActivities } from './webhooks';

export type { ActivityDeps };

/** Every activity the worker registers; workflows import only this type. */
export function createActivities(given: ActivityDeps) {
  const deps = { ...given, priority: given.priority ?? new WorkPriority() };
  return {
    ...createSyncRunActivities(deps),
    ...createConnectionActivities(deps),
    ...createBillingActivities(deps),
    ...createTicketActivities(deps),
    ...createTicketWatchActivities(deps),
    ...createWebhookActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
