import type { ConnectWiseClient } from '../../connectwise';
import type { IntegrationRecord, RunSnapshot } from '../../db';
import type { BillingRunRef, PreparedRun } from '../../domain/billing/run';
import { billingPolicyOf } from '../../domain/billing/settings';
import { billingDay, ianaZoneOf } from '../../domain/billing/time-zone';
import { tenantKeyOfIntegration } from '../tenant';
import { checkAgreementChoices } from './agreement-check';
import { billingDayOf } from './billing-day';
import { ensureCatalog } from './catalog';
import { deletedCompaniesOf } from './run-checks';
import { snapshotRun, type PrepareRepos } from './snapshot';

/** Billing is off, and the partner asked to release what the engine bills. */
const releasingAll = (integration: IntegrationRecord): boolean =>
  integration.billingSettings?.enabled === false &&
  integration.billingSettings.releaseAdditions === true;

/** Why a run of this integration has nothing to do, if it has nothing to do; no I/O. */
export function nothingToDoOf(integration: IntegrationRecord): string | undefined {
  if (integration.state !== 'active') return `the integration is ${integration.state}`;
  const billing = integration.billingSettings;
  if (releasingAll(integration)) return undefined;
  if (billing?.enabled !== true) return 'billing is turned off for this integration';
  return undefined;
}

/** A run that does nothing still names its day: the settings' zone, else UTC (no ConnectWise call). */
export function idleRun(integration: IntegrationRecord, reason: string, now: Date): PreparedRun {
  const policy = billingPolicyOf(integration.billingSettings);
  const zone = ianaZoneOf(policy.timeZone, undefined);
  return {
    today: billingDay(zone, now),
    apply: policy.apply,
    batches: [],
    skipped: [],
    nothingToDo: reason,
  };
}

/**
 * Freezes a billing run: the billing day, which customers' agreements may be written (tenant
 * safety, few ConnectWise reads), their usage, the ledger as it is now and what of it is no longer
 * backed, and the catalog item of every sku (found or created once for the whole run). Stores it
 * under the run's key, agreements first and the run last, and returns the run's snapshot as
 * stored (its `prepared`: the shape for the workflow).
 */
export async function prepareRun(
  repos: PrepareRepos,
  client: ConnectWiseClient,
  integration: IntegrationRecord,
  ref: BillingRunRef,
  options: { signal?: AbortSignal; now?: Date } = {},
): Promise<RunSnapshot> {
  const { partnerId, integrationId } = ref;
  const now = options.now ?? new Date();
  const billing = integration.billingSettings ?? { enabled: false, agreements: [] };
  const choices = releasingAll(integration) ? [] : billing.agreements;
  const policy = billingPolicyOf(billing);
  const tenantKey = tenantKeyOfIntegration(integration);
  await repos.integrations.ensureTenantGuard(integration);
  const scope = { partnerId, integrationId, tenantKey };
  // ConnectWise reads and database reads overlap: the day is needed only to judge the agreements.
  const dayRead = billingDayOf(client, policy.timeZone, now, options);
  const todayRead = dayRead.then((d) => d.today);
  todayRead.catch(() => undefined); // awaited below too: a failure is reported there, once
  // The catalog's stored items are read as soon as the products and their mappings are; which
  // skus the run needs follows from the snapshot, and is handed over once known.
  let neededKnown!: (needed: ReadonlySet<string>) => void;
  let noNeeds!: (err: unknown) => void;
  const needed = new Promise<ReadonlySet<string>>((resolve, reject) => {
    neededKnown = resolve;
    noNeeds = reject;
  });
  // A run that fails before the catalog work reads `needed` rejects it with nobody listening yet
  // (the products may still be on their way): that must not be an unhandled rejection, which
  // ends the worker process.
  needed.catch(() => undefined);
  const productsRead = repos.vendor.listProducts(partnerId);
  const catalogRead = Promise.all([
    productsRead,
    repos.productMappings.list(partnerId, integrationId),
  ]).then(([products, mappings]) =>
    ensureCatalog(
      client,
      { products, needed, mappings, defaults: policy.catalogDefaults },
      // A preview writes nothing, not even a catalog item.
      { ...options, dryRun: ref.preview === true },
    ),
  );
  catalogRead.catch(() => undefined); // awaited below, or the run failed before
  const ledgerRead = repos.billingLedger.list(scope);
  const mappingsRead = repos.companyMappings.list(partnerId, integrationId);
  const deletedRead = mappingsRead.then((mappings) =>
    deletedCompaniesOf(client, mappings, options),
  );
  deletedRead.catch(() => undefined); // awaited in snapshotRun, or the run failed before
  try {
    return await snapshotRun(repos, ref, now, policy, {
      tenantKey,
      zone: dayRead.then((d) => d.zone),
      billingOff: releasingAll(integration),
      choices,
      companyOf: mappingsRead.then(
        (mappings) => new Map(mappings.map((m) => [m.customerId, m.companyId])),
      ),
      mappedNames: mappingsRead.then(
        (mappings) =>
          new Map(
            mappings.flatMap((m) =>
              m.companyId !== null && m.companyName ? [[m.companyId, m.companyName]] : [],
            ),
          ),
      ),
      checked: Promise.all([mappingsRead, ledgerRead]).then(([mappings, ledger]) =>
        checkAgreementChoices(
          client,
          choices,
          new Map(mappings.map((m) => [m.customerId, m.companyId])),
          todayRead,
          {
            ...options,
            concurrency: policy.concurrency,
            alsoRead: ledger.entries.map((e) => e.agreementId),
          },
        ),
      ),
      ledger: ledgerRead,
      deleted: deletedRead,
      approvals: repos.billingApprovals.listLive(scope),
      products: productsRead,
      usage: repos.vendor.currentUsage(
        partnerId,
        choices.map((c) => c.customerId),
      ),
      today: todayRead,
      catalog: (skus) => {
        neededKnown(skus);
        return catalogRead;
      },
    });
  } catch (err) {
    noNeeds(err);
    throw err;
  }
}
