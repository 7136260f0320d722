import type { IntegrationRecord, Repositories } from '../db';
import type { TenantChangeRecord } from '../db/repositories/integrations';
import { HEALTH_ISSUE_KINDS } from '../domain/health/issues';
import type { TenantDecision } from '../domain/tenant';
import type { LifecycleClient } from '../temporal/lifecycle-client';
import { noteHealth } from './health';

/**
 * A change of the ConnectWise tenant behind an integration (IntegrationService.update): what a
 * reset clears and records, and what is left behind in the old tenant.
 */

/** Settings whose ids point into one ConnectWise tenant; a reset clears them. */
export const SETTINGS_FIELDS = ['ticketSettings', 'billingSettings'] as const;

/**
 * The record of a change of tenant, if this is one. A reset clears the company and product
 * mappings first: they point into the old tenant, and the partner asked for them to go whatever
 * happens next.
 */
export async function tenantChangeRecord(
  repos: Pick<Repositories, 'companyMappings' | 'productMappings'>,
  partnerId: string,
  current: IntegrationRecord,
  tenant: TenantDecision,
): Promise<TenantChangeRecord | undefined> {
  if (tenant.kind !== 'reset' && tenant.kind !== 'same_tenant') return undefined;
  const reset = tenant.kind === 'reset';
  const [companyMappings, productMappings] = reset
    ? await Promise.all([
        repos.companyMappings.clear(partnerId, current.id),
        repos.productMappings.clear(partnerId, current.id),
      ])
    : [0, 0];
  return {
    at: new Date().toISOString(),
    action: tenant.kind,
    from: tenant.from,
    to: tenant.to,
    cleared: {
      companyMappings,
      productMappings,
      settings: reset ? SETTINGS_FIELDS.filter((f) => current[f] !== undefined) : [],
    },
  };
}

/**
 * After a reset to another tenant nothing decided in the old one may be written: held and
 * approved plans expire, and the billing run going on is cancelled (its batches also refuse to
 * write into a tenant other than the run's, so a run Temporal cannot reach now stops anyway).
 */
export async function leaveOldTenant(
  deps: {
    repos: Pick<Repositories, 'billingApprovals' | 'healthIssues'>;
    lifecycle: Pick<LifecycleClient, 'cancelCurrentRun'>;
  },
  integration: IntegrationRecord,
): Promise<void> {
  await deps.repos.billingApprovals.expireAll({
    partnerId: integration.partnerId,
    integrationId: integration.id,
  });
  await deps.lifecycle.cancelCurrentRun(integration.id).catch(() => undefined);
  // What was found in the old tenant says nothing of the new one.
  await closeIssues(
    deps.repos,
    { partnerId: integration.partnerId, integrationId: integration.id },
    'the move to another tenant',
  );
}

/** Every open health issue of the integration resolved (it is gone, or in another tenant). */
export async function closeIssues(
  repos: Pick<Repositories, 'healthIssues'>,
  scope: { partnerId: string; integrationId: string },
  by: string,
): Promise<void> {
  await noteHealth(repos, scope, { kinds: HEALTH_ISSUE_KINDS, by }, []);
}
