import { createConnectWiseClient, type ConnectWiseClient } from '../connectwise';
import type { IntegrationRecord, Repositories } from '../db';
import { openString, seal, type Keyring, type SealedSecret } from '../security';
import { clientOptions, type CwSettings } from './cw-settings';

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

/** A ConnectWise client for a saved integration; a codebase change is saved as it is found. */
export async function openIntegrationClient(
  { repos, keyring, cw }: IntegrationClientDeps,
  integration: IntegrationRecord,
): Promise<ConnectWiseClient> {
  if (!integration.privateKey) throw new IntegrationWithoutCredentialsError();
  const privateKey = openPrivateKey(keyring, integration.id, integration.privateKey);
  return createConnectWiseClient(
    clientOptions(
      cw,
      {
        site: integration.site,
        companyId: integration.companyId,
        publicKey: integration.publicKey,
        privateKey,
      },
      {
        codebase: integration.codebase,
        onCodebaseChange: async (codebase, info) => {
          await repos.integrations.update(integration.partnerId, integration.id, {
            codebase,
            versionNumber: info.versionNumber,
          });
        },
      },
    ),
  );
}
