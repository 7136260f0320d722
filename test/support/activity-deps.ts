import type { ActivityDeps } from '../../activities';
import type { Repositories } from '../../db';
import type { Keyring } from '../../security';
import { DEMO_CREDENTIALS } from '../../simulator';
import { captureLogger } from './logger';

/** Activity dependencies for a worker that talks to the ConnectWise simulator. */
export const simulatorActivityDeps = (repos: Repositories, keyring: Keyring): ActivityDeps => ({
  repos,
  keyring,
  cw: {
    CW_CLIENT_ID: DEMO_CREDENTIALS.clientId,
    CW_API_VERSION: '2025.8',
    CW_ALLOW_PRIVATE_HOSTS: true,
  },
  logger: captureLogger().logger,
});
