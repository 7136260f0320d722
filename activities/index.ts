import type { Logger } from '../config/logger';
import type { Repositories } from '../db';
import type { Keyring } from '../security';
import type { CwSettings } from '../services/cw-settings';
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
}

/** Every activity the worker registers; workflows import only this type. */
export function createActivities(deps: ActivityDeps) {
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
