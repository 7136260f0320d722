import type { ActivityDeps } from '../../activities';
import type { Repositories } from '../../db';
import type { Keyring } from '../../security';
import { DEMO_CREDENTIALS } from '../../simulator';
import { captureLogger } from './logger';

/** Activity dependencies for a worker that talks to the ConnectWise simulator. */
export const simulatorActivityDeps = (
  repos: Repositories,
  keyring: Keyring,
  /** How long a create may take (a lost create is looked up only after it): short in tests. */
  writeTimeoutMs = 2_000,
): ActivityDeps => ({
  repos,
  keyring,
  cw: {
    CW_CLIENT_ID: DEMO_CREDENTIALS.clientId,
    CW_API_VERSION: '2025.8',
    CW_ALLOW_PRIVATE_HOSTS: true,
    CW_WRITE_TIMEOUT_MS: writeTimeoutMs,
  },
  logger: captureLogger().logger,
});
