import type { IntegrationRecord, Repositories } from '../db';
import { coverageOf, type Coverage } from '../domain/billing/coverage';
import { tenantKeyOfIntegration } from './tenant';

type CoverageRepos = Pick<
  Repositories,
  'syncRuns' | 'billingSeats' | 'billingSnapshots' | 'vendor' | 'companyMappings'
>;

/** The latest billing run that reached ConnectWise. */
export interface CoverageRun {
  id: string;
  runKey: string;
  outcome: string;
  startedAt: Date;
  endedAt: Date | null;
}

export interface CoverageReport extends Coverage {
  /** Null before the first billing run that reached ConnectWise. */
  run: CoverageRun | null;
  computedAt: Date;
}

/** Runs that may have reached ConnectWise (a skipped run bills nobody). */
const COUNTED = new Set(['succeeded', 'partial', 'failed']);

/**
 * Billing coverage (domain/billing/coverage.ts) from what the engine already holds, in one read
 * per area and no ConnectWise call: what each agreement of the tenant bills and its latest result
 * (billingSeats), the usage, mappings, agreement choices and products as they are now, and the
 * skus the latest run could not catalogue (its snapshot, kept per integration until a newer run).
 */
export class BillingCoverage {
  private readonly uncatalogued = new Map<string, { runKey: string; skus: ReadonlySet<string> }>();

  constructor(
    private readonly repos: CoverageRepos,
    private readonly maxKept = 1000,
  ) {}

  async of(integration: IntegrationRecord, now = new Date()): Promise<CoverageReport> {
    const { partnerId, id: integrationId } = integration;
    const scope = { partnerId, integrationId, tenantKey: tenantKeyOfIntegration(integration) };
    const [run, agreements, customers, products, mappings, usage] = await Promise.all([
      this.repos.syncRuns.latest(partnerId, integrationId, { kind: 'billing', counted: COUNTED }),
      this.repos.billingSeats.list(scope),
      this.repos.vendor.listCustomers(partnerId),
      this.repos.vendor.listProducts(partnerId),
      this.repos.companyMappings.list(partnerId, integrationId),
      this.repos.vendor.partnerUsage(partnerId),
    ]);
    const billing = integration.billingSettings;
    const coverage = coverageOf({
      billingEnabled: billing?.enabled === true,
      customers,
      usage,
      mappings: new Map(mappings.map((m) => [m.customerId, m.companyId])),
      choices: new Map((billing?.agreements ?? []).map((c) => [c.customerId, c.agreementId])),
      products,
      agreements,
      notCatalogued: run ? await this.notCatalogued(scope, run.runKey) : new Set(),
    });
    return {
      ...coverage,
      run: run
        ? {
            id: run.id,
            runKey: run.runKey,
            outcome: run.outcome,
            startedAt: run.startedAt,
            endedAt: run.endedAt ?? null,
          }
        : null,
      computedAt: now,
    };
  }

  /** The skus the run could not catalogue: its snapshot's, read once per run and integration. */
  private async notCatalogued(
    scope: { partnerId: string; integrationId: string },
    runKey: string,
  ): Promise<ReadonlySet<string>> {
    const kept = this.uncatalogued.get(scope.integrationId);
    if (kept?.runKey === runKey) return kept.skus;
    const snapshot = await this.repos.billingSnapshots.getRun({ ...scope, runKey });
    const skus = new Set((snapshot?.skippedSkus ?? []).map((s) => s.sku));
    this.uncatalogued.delete(scope.integrationId);
    this.uncatalogued.set(scope.integrationId, { runKey, skus });
    if (this.uncatalogued.size > this.maxKept)
      this.uncatalogued.delete(this.uncatalogued.keys().next().value!);
    return skus;
  }
}
