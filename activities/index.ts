import type { Logger } from '../config/logger';
import type { Repositories } from '../db';
import type { Keyring } from '../security';
import type { CwSettings } from '../services/cw-settings';
import { WorkPriority } from '../services/work-priority';
import { createBillingActivities } from './billing';
import { createConnectionActivities } from './connection';
import { createSyncRunActivities } from './sync-runs';
import { createTicketWatchActivities } from './ticket-watch';
import { createTicketActivities } from './tickets';
import { createWebhookActivities } from './webhooks';

export interface ActivityDeps {
  repos: Repositories;
  keyring: Keyring;
  cw: CwSettings;
  logger: Logger;
  /** PUBLIC_BASE_URL: where ConnectWise calls the engine back; unset, tickets are only polled. */
  publicBaseUrl?: string;
  /** Ticket steps before billing's calls, in this worker (one made here when not given). */
  priority?: WorkPriority;
}

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
