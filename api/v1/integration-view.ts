import type { IntegrationRecord } from '../../db';
import { billingSettingsViewOf } from './billing-settings';

/** The public key is not a secret, but the portal only needs to recognise it. */
export const maskKey = (key: string): string =>
  key.length <= 8 ? '••••' : `${key.slice(0, 4)}••••${key.slice(-4)}`;

/** What the API shows of an integration: never the private key, not even encrypted. */
export function integrationView(i: IntegrationRecord) {
  return {
    id: i.id,
    partnerId: i.partnerId,
    site: i.site,
    companyId: i.companyId,
    publicKey: maskKey(i.publicKey),
    hasPrivateKey: i.privateKey !== undefined,
    codebase: i.codebase ?? null,
    isCloud: i.isCloud ?? null,
    versionNumber: i.versionNumber ?? null,
    state: i.state,
    stateReason: i.stateReason ?? null,
    lastValidation: i.lastValidation ?? null,
    ticketSettings: i.ticketSettings ?? null,
    billingSettings: i.billingSettings ? billingSettingsViewOf(i.billingSettings) : null,
    tenantChanges: i.tenantChanges,
    createdAt: i.createdAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
  };
}
