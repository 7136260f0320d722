import type { CoverageGap } from './coverage-gaps';
import type { OperationCounts, SeatLine } from './run';

/**
 * Billing coverage: per customer and sku, the seats in use against the seats billed, and why they
 * differ (coverage-gaps.ts). Pure: the service (services/billing-coverage.ts) reads the inputs.
 */

// What a run leaves billed (billed-seats.ts), where services/billing/reconcile.ts reads it.
export { billedSeats } from './billed-seats';

/** What coverage knows of one agreement (db/repositories/billing-seats.ts). */
export interface AgreementCoverage {
  agreementId: number;
  /** The customer whose chosen agreement it was at its latest result; '' for releases only. */
  customerId: string;
  /** Seats billed, as the latest run that read it left them; absent: never read. */
  lines?: SeatLine[];
  readAt: Date | null;
  /** Its latest result: succeeded, partial, failed, held, skipped. */
  outcome: string;
  reason: string | null;
  problem: string | null;
  planned: OperationCounts | null;
  at: Date;
}

export interface CoverageInput {
  billingEnabled: boolean;
  customers: ReadonlyArray<{ customerId: string; name: string }>;
  usage: ReadonlyMap<
    string,
    { asOf: Date; lines: ReadonlyArray<{ sku: string; quantity: number }> }
  >;
  /** customerId → companyId; null: excluded. */
  mappings: ReadonlyMap<string, number | null>;
  /** customerId → chosen agreement. */
  choices: ReadonlyMap<string, number>;
  products: ReadonlyArray<{ sku: string; name: string; price: number | null }>;
  /** What is known of each agreement of the tenant. */
  agreements: ReadonlyArray<AgreementCoverage>;
  /** Skus without a usable catalog item in the latest run. */
  notCatalogued: ReadonlySet<string>;
}

export interface CoverageLine {
  sku: string;
  name: string;
  inUse: number;
  billed: number;
  /** inUse − billed: positive is unbilled, negative is billed beyond use. */
  difference: number;
  unitPrice: number | null;
  /** The unbilled seats at the unit price; null when no price is known. */
  unbilledAmount: number | null;
  gap: CoverageGap | null;
}

export interface CustomerCoverage {
  customerId: string;
  name: string;
  companyId: number | null;
  agreementId: number | null;
  /** Why this customer's lines differ, when it is the customer's (not one product's). */
  gap: CoverageGap | null;
  /** The latest run's own words, for `skipped`, `held` and `write_failed`. */
  detail: string | null;
  usageAsOf: Date | null;
  /** When the seats billed were read from ConnectWise (the oldest read counted); null: never. */
  billedAsOf: Date | null;
  lines: CoverageLine[];
}

/** Seats and amount of one gap: unbilled and billed beyond use apart. */
export interface GapTotal {
  unbilled: number;
  overBilled: number;
  amount: number;
}

export interface CoverageTotals {
  inUse: number;
  billed: number;
  /** Seats in use and not billed (the positive differences). */
  unbilled: number;
  /** Seats billed beyond use (the negative differences). */
  overBilled: number;
  /** The unbilled seats' amount where a price is known. */
  unbilledAmount: number;
  /** Unbilled seats of products with no price. */
  unpricedSeats: number;
  byGap: Partial<Record<CoverageGap, GapTotal>>;
}

export interface Coverage {
  customers: CustomerCoverage[];
  totals: CoverageTotals;
}

const cents = (n: number) => Math.round(n * 100) / 100;

/** Why the customer's seats differ, as its settings and its chosen agreement's latest result say. */
function customerGap(
  input: CoverageInput,
  customerId: string,
  chosen: AgreementCoverage | undefined,
): { gap: CoverageGap | null; detail: string | null } {
  if (!input.billingEnabled) return { gap: 'billing_off', detail: null };
  const companyId = input.mappings.get(customerId);
  if (companyId === undefined) return { gap: 'unmapped', detail: null };
  if (companyId === null) return { gap: 'excluded', detail: null };
  if (!input.choices.has(customerId)) return { gap: 'no_agreement', detail: null };
  if (!chosen || chosen.customerId !== customerId) return { gap: 'not_billed_yet', detail: null };
  const detail = chosen.reason;
  switch (chosen.outcome) {
    case 'succeeded':
      return { gap: null, detail: null };
    case 'skipped':
      if (chosen.problem === 'agreement_ineligible') return { gap: 'agreement_ineligible', detail };
      if (chosen.problem === 'usage_stale') return { gap: 'usage_stale', detail };
      return { gap: 'skipped', detail };
    case 'held':
      return { gap: chosen.planned?.candidate ? 'candidate_waiting' : 'held', detail };
    case 'failed':
    case 'partial':
      return { gap: 'write_failed', detail };
    default:
      return { gap: 'not_billed_yet', detail };
  }
}

/**
 * Coverage of every customer with seats in use or billed. Seats billed are the customer's on
 * every agreement of the tenant, whatever its settings now (ConnectWise bills them until a run
 * releases them). A line's gap is its customer's when the customer has one; else the product's
 * (no catalog item), else billed beyond use, usage newer than the agreement's latest read, or
 * unexplained. Lines that match have no gap.
 */
export function coverageOf(input: CoverageInput): Coverage {
  const products = new Map(input.products.map((p) => [p.sku, p]));
  const names = new Map(input.customers.map((c) => [c.customerId, c.name]));
  const byAgreement = new Map(input.agreements.map((a) => [a.agreementId, a]));
  const billedOf = new Map<string, { seats: Map<string, number>; readAt: Date | null }>();
  for (const a of input.agreements) {
    for (const line of a.lines ?? []) {
      const known = billedOf.get(line.customerId) ?? { seats: new Map(), readAt: a.readAt };
      known.seats.set(line.sku, (known.seats.get(line.sku) ?? 0) + line.seats);
      if (a.readAt && (!known.readAt || a.readAt < known.readAt)) known.readAt = a.readAt;
      billedOf.set(line.customerId, known);
    }
  }
  const ids = new Set([
    ...input.customers.map((c) => c.customerId),
    ...input.usage.keys(),
    ...billedOf.keys(),
  ]);
  const customers: CustomerCoverage[] = [];
  for (const customerId of [...ids].sort()) {
    const usage = input.usage.get(customerId);
    const agreementId = input.choices.get(customerId) ?? null;
    const chosen = agreementId === null ? undefined : byAgreement.get(agreementId);
    const { gap, detail } = customerGap(input, customerId, chosen);
    const billed = billedOf.get(customerId);
    const inUse = new Map((usage?.lines ?? []).map((l) => [l.sku, l.quantity]));
    const skus = [...new Set([...inUse.keys(), ...(billed?.seats.keys() ?? [])])].sort();
    const lines = skus.flatMap((sku): CoverageLine[] => {
      const used = inUse.get(sku) ?? 0;
      const seats = billed?.seats.get(sku) ?? 0;
      if (used === 0 && seats === 0) return [];
      const difference = used - seats;
      const product = products.get(sku);
      const unitPrice = product?.price ?? null;
      const lineGap: CoverageGap | null =
        difference === 0
          ? null
          : (gap ??
            (input.notCatalogued.has(sku)
              ? 'not_catalogued'
              : difference < 0
                ? 'over_billed'
                : usage && chosen && usage.asOf > chosen.at
                  ? 'usage_changed'
                  : 'unexplained'));
      return [
        {
          sku,
          name: product?.name ?? sku,
          inUse: used,
          billed: seats,
          difference,
          unitPrice,
          unbilledAmount: unitPrice === null ? null : cents(Math.max(0, difference) * unitPrice),
          gap: lineGap,
        },
      ];
    });
    if (lines.length === 0) continue;
    const differs = lines.some((l) => l.gap !== null);
    customers.push({
      customerId,
      name: names.get(customerId) ?? customerId,
      companyId: input.mappings.get(customerId) ?? null,
      agreementId,
      gap: differs ? gap : null,
      detail: differs ? detail : null,
      usageAsOf: usage?.asOf ?? null,
      billedAsOf: billed?.readAt ?? null,
      lines,
    });
  }
  return { customers, totals: totalsOf(customers) };
}

function totalsOf(customers: readonly CustomerCoverage[]): CoverageTotals {
  const totals: CoverageTotals = {
    inUse: 0,
    billed: 0,
    unbilled: 0,
    overBilled: 0,
    unbilledAmount: 0,
    unpricedSeats: 0,
    byGap: {},
  };
  for (const line of customers.flatMap((c) => c.lines)) {
    const unbilled = Math.max(0, line.difference);
    const overBilled = Math.max(0, -line.difference);
    totals.inUse += line.inUse;
    totals.billed += line.billed;
    totals.unbilled += unbilled;
    totals.overBilled += overBilled;
    totals.unbilledAmount = cents(totals.unbilledAmount + (line.unbilledAmount ?? 0));
    if (line.unitPrice === null) totals.unpricedSeats += unbilled;
    if (line.gap) {
      const g = (totals.byGap[line.gap] ??= { unbilled: 0, overBilled: 0, amount: 0 });
      g.unbilled += unbilled;
      g.overBilled += overBilled;
      g.amount = cents(g.amount + (line.unbilledAmount ?? 0));
    }
  }
  return totals;
}
