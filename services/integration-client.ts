import { createConnectWiseClient, type ConnectWiseClient } from '../connectwise';
import type { IntegrationRecord, Repositories } from '../db';
import { openString, seal, type Keyring, type SealedSecret } from '../security';
import { clientOptions, type CwCredentials, type CwSettings } from './cw-settings';

export interface IntegrationClientDeps {
  repos: Repositories;
  keyring: Keyring;
  cw: CwSettings;
}

/** Binds a sealed private key to its integration: a ciphertext moved to another record won't open. */
const privateKeyContext = (integrationId: string) => `integration:${integrationId}:privateKey`;

export const sealPrivateKey = (
  keyring: Keyring,
  integrationId: string,
  privateKey: string,
): SealedSecret => seal(keyring, privateKey, privateKeyContext(integrationId));

export const openPrivateKey = (
  keyring: Keyring,
  integrationId: string,
  sealed: SealedSecret,
): string => openString(keyring, sealed, privateKeyContext(integrationId));

export class IntegrationWithoutCredentialsError extends Error {
  constructor() {
    super('the integration has no stored credentials');
  }
}

/**
 * A saved integration's credentials, its private key opened. Throws
 * IntegrationWithoutCredentialsError, or SecretOpenError when the engine's keys cannot open it.
 */
export function storedCredentials(
  keyring: Keyring,
  integration: Pick<IntegrationRecord, 'id' | 'site' | 'companyId' | 'publicKey' | 'privateKey'>,
): CwCredentials {
  if (!integration.privateKey) throw new IntegrationWithoutCredentialsError();
  return {
    site: integration.site,
    companyId: integration.companyId,
    publicKey: integration.publicKey,
    privateKey: openPrivateKey(keyring, integration.id, integration.privateKey),
  };
}

/**
 * A ConnectWise client for a saved integration; a codebase change is saved as it is found.
 * `signal` aborts the discovery request (pass it to each call too).
 */
export async function openIntegrationClient(
  { repos, keyring, cw }: IntegrationClientDeps,
  integration: IntegrationRecord,
  { signal }: { signal?: AbortSignal } = {},
): Promise<ConnectWiseClient> {
  return createConnectWiseClient(
    clientOptions(cw, storedCredentials(keyring, integration), {
      signal,
      codebase: integration.codebase,
      onCodebaseChange: async (codebase, info) => {
        await repos.integrations.update(integration.partnerId, integration.id, {
          codebase,
          versionNumber: info.versionNumber,
        });
      },
    }),
  );
}
