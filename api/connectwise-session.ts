import type { Response } from 'express';
import type { Logger } from '../config/logger';
import type { ConnectWiseClient } from '../connectwise';
import type { IntegrationRecord, Repositories } from '../db';
import type { Keyring } from '../security';
import type { CwSettings } from '../services/cw-settings';
import { openIntegrationClient } from '../services/integration-client';
import { CREDENTIALS_REJECTED, connectWiseHttpError } from './connectwise-errors';
import { HttpError } from './errors';
import type { IntegrationService } from '../services/integration-service';

export interface ConnectWiseSessionDeps {
  integrations: Pick<IntegrationService, 'live'>;
  repos: Repositories;
  keyring: Keyring;
  cw: CwSettings;
  logger: Logger;
}

export interface SessionCall<T> {
  partnerId: string;
  res: Response;
  /** What a ConnectWise 404 means for this call, in words. */
  notFound?: string;
  run: (client: ConnectWiseClient, integration: IntegrationRecord) => Promise<T>;
}

/** Runs read-only ConnectWise calls for a partner's live integration, on the API's side. */
export class ConnectWiseSession {
  constructor(private readonly deps: ConnectWiseSessionDeps) {}

  async call<T>({ partnerId, res, notFound, run }: SessionCall<T>): Promise<T> {
    const integration = await this.deps.integrations.live(partnerId);
    // Keys ConnectWise already refused are not tried again until the partner replaces them.
    if (integration.state === 'credentials_invalid') {
      throw new HttpError(
        409,
        'credentials_invalid',
        integration.stateReason ?? CREDENTIALS_REJECTED,
      );
    }
    try {
      const client = await openIntegrationClient(this.deps, integration);
      return await run(client, integration);
    } catch (err) {
      throw await connectWiseHttpError(err, {
        repos: this.deps.repos,
        integration,
        res,
        logger: this.deps.logger,
        notFound,
      });
    }
  }
}
