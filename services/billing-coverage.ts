import type { IntegrationRecord, Repositories } from '../db';
import type { BillingResult } from '../db/repositories/billing-results';
import {
  carriedNeeded,
  coverageOf,
  type Coverage,
  type CoverageResult,
  type SeatsBySku,
} from '../domain/billing/coverage';

type CoverageRepos = Pick<
  Repositories,
  'syncRuns' | 'billingResults' | 'billingSnapshots' | 'vendor' | 'companyMappings'
>;

/** The latest billing run coverage is measured against. */
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

/** What a finished run says, once read: it does not change, so it is kept per run. */
interface RunPart {
  run: CoverageRun;
  notCatalogued: ReadonlySet<string>;
  results: ReadonlyMap<string, CoverageResult>;
  carried: ReadonlyMap<string, { billed: SeatsBySku; at: Date }>;
  readAt: number;
}

/** Runs whose results count: they reached ConnectWise (a skipped run bills nobody). */
const COUNTED = new Set(['succeeded', 'partial', 'failed']);
/** How many of the newest billing runs are looked through for one that counts. */
const RUNS_LOOKED_AT = 20;
/** A kept run part is read again after this long (an approval may add to a run's results). */
const RUN_PART_MAX_AGE_MS = 5 * 60_000;

/**
 * One result per customer: the reconcile's (the agreement read) over the prepare's skip; results
 * of agreements billed for nobody (releases only) name no customer and are left out.
 */
function resultsByCustomer(rows: readonly BillingResult[]): Map<string, CoverageResult> {
  const byCustomer = new Map<string, CoverageResult & { source: string }>();
  for (const row of rows) {
    if (!row.customerId) continue;
    const known = byCustomer.get(row.customerId);
    if (known && known.source === 'reconcile' && row.source !== 'reconcile') continue;
    byCustomer.set(row.customerId, {
      source: row.source,
      agreementId: row.agreementId,
      outcome: row.outcome,
      reason: row.reason,
      ...(typeof row.problem === 'string' ? { problem: row.problem } : {}),
      ...(row.planned ? { planned: row.planned } : {}),
      ...(row.billed ? { billed: row.billed } : {}),
    });
  }
  return new Map([...byCustomer].map(([id, { source: _source, ...r }]) => [id, r]));
}

/**
 * Billing coverage (domain/billing/coverage.ts) from what the engine already holds: the latest
 * billing run's results (kept per run, so a screen polling it reads them once), the usage,
 * mappings, agreement choices and products as they are now. No ConnectWise call.
 */
export class BillingCoverage {
  private readonly runs = new Map<string, RunPart>();

  constructor(
    private readonly repos: CoverageRepos,
    private readonly maxRuns = 200,
  ) {}

  async of(integration: IntegrationRecord, now = new Date()): Promise<CoverageReport> {
    const { partnerId, id: integrationId } = integration;
    const [part, customers, products, mappings] = await Promise.all([
      this.latestRun(partnerId, integrationId),
      this.repos.vendor.listCustomers(partnerId),
      this.repos.vendor.listProducts(partnerId),
      this.repos.companyMappings.list(partnerId, integrationId),
    ]);
    const usage = await this.repos.vendor.currentUsage(
      partnerId,
      customers.map((c) => c.customerId),
    );
    const billing = integration.billingSettings;
    const coverage = coverageOf({
      billingEnabled: billing?.enabled === true,
      customers,
      usage,
      mappings: new Map(mappings.map((m) => [m.customerId, m.companyId])),
      choices: new Map((billing?.agreements ?? []).map((c) => [c.customerId, c.agreementId])),
      products,
      ...(part
        ? {
            run: {
              startedAt: part.run.startedAt,
              notCatalogued: part.notCatalogued,
              results: part.results,
            },
          }
        : {}),
      carried: part?.carried ?? new Map(),
    });
    return { ...coverage, run: part?.run ?? null, computedAt: now };
  }

  private async latestRun(partnerId: string, integrationId: string): Promise<RunPart | undefined> {
    const page = await this.repos.syncRuns.page(
      partnerId,
      integrationId,
      { kind: 'billing' },
      { limit: RUNS_LOOKED_AT },
    );
    const latest = page.items.find((r) => COUNTED.has(r.outcome));
    if (!latest) return undefined;
    const key = `${integrationId}\u0000${latest.runKey}`;
    const kept = this.runs.get(key);
    if (kept && Date.now() - kept.readAt < RUN_PART_MAX_AGE_MS) return kept;
    const ref = { partnerId, integrationId, runKey: latest.runKey };
    const [rows, snapshot] = await Promise.all([
      this.repos.billingResults.listForRun(partnerId, integrationId, latest.runKey),
      this.repos.billingSnapshots.getRun(ref),
    ]);
    const results = resultsByCustomer(rows);
    const carried = await this.repos.billingResults.latestBilled(
      partnerId,
      integrationId,
      carriedNeeded(results),
    );
    const part: RunPart = {
      run: {
        id: latest.id,
        runKey: latest.runKey,
        outcome: latest.outcome,
        startedAt: latest.startedAt,
        endedAt: latest.endedAt ?? null,
      },
      notCatalogued: new Set((snapshot?.skippedSkus ?? []).map((s) => s.sku)),
      results,
      carried,
      readAt: Date.now(),
    };
    this.runs.delete(key);
    this.runs.set(key, part);
    // The oldest kept run goes first once there are too many.
    while (this.runs.size > this.maxRuns) this.runs.delete(this.runs.keys().next().value!);
    return part;
  }
}
