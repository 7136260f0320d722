import { applyPlan } from './apply';
import { isOpen } from './plan';
import type { OperationCounts } from './run';
import type { ExistingAddition, LedgerEntry, PlannedOperation } from './types';

/**
 * Billing coverage: per customer and sku, the seats in use against the seats billed, and why they
 * differ. Pure: the service (services/billing-coverage.ts) reads the inputs.
 */

/** Seats per sku. */
export type SeatsBySku = Record<string, number>;

/**
 * The seats an agreement bills for the engine, per sku, as ConnectWise holds them once `applied`
 * (the writes ConnectWise answered done) are carried out over `existing` (the additions as the
 * run read them): the open additions of its ledger, and the hand-made ones the partner chose to
 * keep beside them. Released, left and foreign additions are not counted.
 */
export function billedSeats(
  existing: readonly ExistingAddition[],
  ledger: readonly LedgerEntry[],
  applied: readonly PlannedOperation[],
  today: string,
  ids: { agreementId: number; customerId: string },
): SeatsBySku {
  let next = Math.max(0, ...existing.map((a) => a.id)) + 1;
  const after = applyPlan(
    { additions: [...existing], ledger: [...ledger] },
    { operations: [...applied], today },
    () => next++,
    ids,
  );
  const skuOf = new Map(
    after.ledger
      .filter((e) => e.state === 'active' || e.state === 'kept_separate')
      .map((e) => [e.additionId, e.sku]),
  );
  const seats: SeatsBySku = {};
  for (const a of after.additions) {
    const sku = skuOf.get(a.id);
    if (sku === undefined || !isOpen(a, today)) continue;
    seats[sku] = (seats[sku] ?? 0) + a.quantity;
  }
  return seats;
}

/** Why seats in use and seats billed differ. */
export const COVERAGE_GAPS = [
  'billing_off',
  'unmapped',
  'excluded',
  'no_agreement',
  'agreement_ineligible',
  'usage_stale',
  'held',
  'candidate_waiting',
  'skipped',
  'write_failed',
  'not_billed_yet',
  'not_catalogued',
  'usage_changed',
  'over_billed',
  'unexplained',
] as const;
export type CoverageGap = (typeof COVERAGE_GAPS)[number];

/** What each gap means, and what fixes it, in an MSP's words. */
export const COVERAGE_GAP_TEXT: Record<CoverageGap, string> = {
  billing_off: 'billing is turned off for this integration: turn it on in the billing settings',
  unmapped: 'the customer is not mapped to a ConnectWise company: map it',
  excluded: 'the customer is excluded from the integration: map it to a company to bill it',
  no_agreement: 'no agreement is chosen for the customer: choose its recurring agreement',
  agreement_ineligible:
    'the chosen agreement can no longer be billed (cancelled, ended, not recurring or of another company): choose another',
  usage_stale: 'the portal has not sent recent usage for the customer: billing waits for it',
  held: 'a change waits for approval: approve or reject it',
  candidate_waiting:
    'a hand-made addition may already bill this product: adopt it, keep it separate or cancel it',
  skipped: 'the last run skipped the customer (see the detail)',
  write_failed:
    'ConnectWise refused a write in the last run (see the detail); the next run tries again',
  not_billed_yet: 'mapped or chosen since the last run: the next run bills it',
  not_catalogued: 'the product has no usable ConnectWise catalog item: fix its product mapping',
  usage_changed: 'usage changed since the last run: the next run bills it',
  over_billed:
    'more seats are billed than used (the zero-usage policy leaves them, or a change waits)',
  unexplained: 'billed differently than used with no reason known: run Synchronize, then report it',
};

/** A customer's result in a billing run, as services/billing-coverage.ts reads it. */
export interface CoverageResult {
  agreementId: number | null;
  outcome: string;
  reason: string | null;
  problem?: string;
  planned?: OperationCounts;
  /** Seats billed per sku after the run (absent: the run did not read the agreement). */
  billed?: SeatsBySku;
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
  /** The latest billing run that reached ConnectWise, if any. */
  run?: {
    startedAt: Date;
    /** Skus without a usable catalog item in that run. */
    notCatalogued: ReadonlySet<string>;
    /** customerId → its result. */
    results: ReadonlyMap<string, CoverageResult>;
  };
  /** Seats billed by an earlier run, for customers the latest run did not read (carriedNeeded). */
  carried: ReadonlyMap<string, { billed: SeatsBySku; at: Date }>;
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
  /** The run's own words, for `skipped`, `held` and `write_failed`. */
  detail: string | null;
  usageAsOf: Date | null;
  /** When the seats billed were read from ConnectWise; null: never. */
  billedAsOf: Date | null;
  lines: CoverageLine[];
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
  byGap: Partial<Record<CoverageGap, { seats: number; amount: number }>>;
}

export interface Coverage {
  customers: CustomerCoverage[];
  totals: CoverageTotals;
}

/** Customers whose latest result did not read their agreement: their seats billed come from before. */
export function carriedNeeded(results: ReadonlyMap<string, CoverageResult>): string[] {
  return [...results].filter(([, r]) => r.billed === undefined).map(([customerId]) => customerId);
}

const cents = (n: number) => Math.round(n * 100) / 100;

function customerGap(
  input: CoverageInput,
  customerId: string,
): { gap: CoverageGap | null; detail: string | null; result?: CoverageResult } {
  if (!input.billingEnabled) return { gap: 'billing_off', detail: null };
  const companyId = input.mappings.get(customerId);
  if (companyId === undefined) return { gap: 'unmapped', detail: null };
  if (companyId === null) return { gap: 'excluded', detail: null };
  const chosen = input.choices.get(customerId);
  if (chosen === undefined) return { gap: 'no_agreement', detail: null };
  const result = input.run?.results.get(customerId);
  if (!result || (result.agreementId !== null && result.agreementId !== chosen))
    return { gap: 'not_billed_yet', detail: null };
  const detail = result.reason;
  switch (result.outcome) {
    case 'succeeded':
      return { gap: null, detail: null, result };
    case 'skipped':
      if (result.problem === 'agreement_ineligible')
        return { gap: 'agreement_ineligible', detail, result };
      if (result.problem === 'usage_stale') return { gap: 'usage_stale', detail, result };
      return { gap: 'skipped', detail, result };
    case 'held':
      return { gap: result.planned?.candidate ? 'candidate_waiting' : 'held', detail, result };
    case 'failed':
    case 'partial':
      return { gap: 'write_failed', detail, result };
    default:
      return { gap: 'not_billed_yet', detail, result };
  }
}

/**
 * Coverage of every customer with seats in use or billed. A line's gap is its customer's when the
 * customer has one; else the product's (no catalog item), else billed beyond use, usage newer
 * than the run, or unexplained. Lines that match have no gap.
 */
export function coverageOf(input: CoverageInput): Coverage {
  const products = new Map(input.products.map((p) => [p.sku, p]));
  const names = new Map(input.customers.map((c) => [c.customerId, c.name]));
  const ids = new Set([...input.customers.map((c) => c.customerId), ...input.usage.keys()]);
  const customers: CustomerCoverage[] = [];
  for (const customerId of [...ids].sort()) {
    const usage = input.usage.get(customerId);
    const { gap, detail, result } = customerGap(input, customerId);
    const carried = input.carried.get(customerId);
    const billed = result?.billed ?? (result ? carried?.billed : undefined) ?? {};
    const billedAsOf = result?.billed
      ? input.run!.startedAt
      : result && carried
        ? carried.at
        : null;
    const inUse = new Map((usage?.lines ?? []).map((l) => [l.sku, l.quantity]));
    const skus = [...new Set([...inUse.keys(), ...Object.keys(billed)])].sort();
    const lines = skus.flatMap((sku): CoverageLine[] => {
      const used = inUse.get(sku) ?? 0;
      const seats = billed[sku] ?? 0;
      if (used === 0 && seats === 0) return [];
      const difference = used - seats;
      const product = products.get(sku);
      const unitPrice = product?.price ?? null;
      const lineGap: CoverageGap | null =
        difference === 0
          ? null
          : (gap ??
            (input.run?.notCatalogued.has(sku)
              ? 'not_catalogued'
              : difference < 0
                ? 'over_billed'
                : usage && input.run && usage.asOf > input.run.startedAt
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
    const companyId = input.mappings.get(customerId) ?? null;
    customers.push({
      customerId,
      name: names.get(customerId) ?? customerId,
      companyId,
      agreementId: input.choices.get(customerId) ?? null,
      gap: lines.some((l) => l.gap !== null) ? gap : null,
      detail: lines.some((l) => l.gap !== null) ? detail : null,
      usageAsOf: usage?.asOf ?? null,
      billedAsOf,
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
    totals.inUse += line.inUse;
    totals.billed += line.billed;
    const unbilled = Math.max(0, line.difference);
    totals.unbilled += unbilled;
    totals.overBilled += Math.max(0, -line.difference);
    totals.unbilledAmount = cents(totals.unbilledAmount + (line.unbilledAmount ?? 0));
    if (line.unitPrice === null) totals.unpricedSeats += unbilled;
    if (line.gap) {
      const g = (totals.byGap[line.gap] ??= { seats: 0, amount: 0 });
      g.seats += Math.abs(line.difference);
      g.amount = cents(g.amount + (line.unbilledAmount ?? 0));
    }
  }
  return totals;
}
