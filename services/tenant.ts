import type { IntegrationRecord } from '../db';
import { tenantKeyOf, tenantOfRecord, type TenantIdentity } from '../domain/tenant';

/** The tenant an integration was last validated against (its resolved API origin). */
export const tenantOf = (integration: IntegrationRecord): TenantIdentity =>
  tenantOfRecord(integration);

/** The key billing records carry: a write refuses to go to any other. */
export const tenantKeyOfIntegration = (integration: IntegrationRecord): string =>
  tenantKeyOf(tenantOf(integration), integration.tenantEpoch);
