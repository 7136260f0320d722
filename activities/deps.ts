import type { Logger } from '../config/logger';
import type { Repositories } from '../db';
import type { Keyring } from '../security';
import type { CwSettings } from '../services/cw-settings';
import type { WorkPriority } from '../services/work-priority';

/** What every activity gets from the worker that registers it (activities/index.ts). */
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
