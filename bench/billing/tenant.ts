/**
 * The benchmark's data, shared by the simulator child (ConnectWise side) and the driver (vendor
 * side): customer i is company COMPANY_BASE + i with one recurring agreement AGREEMENT_BASE + i.
 * The engine bills customers 0…customers-1; the naive baseline works on the next `naive` ones, so
 * the two never touch each other's agreements. Phase (d) moves a few engine customers to a second
 * agreement of their company, MOVED_AGREEMENT_BASE + i (changeGroups).
 */
import type { Product } from '../../db/repositories/vendor';
import { mulberry32 as prng } from '../../simulator/faults';

export const COMPANY_BASE = 100_000;
export const AGREEMENT_BASE = 200_000;

export const companyIdOf = (i: number): number => COMPANY_BASE + i;
export const agreementIdOf = (i: number): number => AGREEMENT_BASE + i;
export const customerIdOf = (i: number): string => `bench-${String(i).padStart(5, '0')}`;

/**
 * Five products. `browser-security` finds the seed's item 1350 by its integrationXRef; the other
 * four have no catalog item, so the first run creates them.
 */
export const PRODUCTS: Product[] = [
  { sku: 'browser-security', name: 'DefensX Browser Security', description: '', price: 4, cost: 2 },
  { sku: 'secure-dns', name: 'DefensX Secure DNS', description: '', price: 1.5, cost: 0.5 },
  { sku: 'dlp', name: 'DefensX Data Loss Prevention', description: '', price: 3, cost: 1.5 },
  { sku: 'casb', name: 'DefensX Shadow IT Control', description: '', price: 2, cost: 1 },
  { sku: 'email-security', name: 'DefensX Email Security', description: '', price: 2.5, cost: 1 },
];

/** What a new catalog item is filed under in the simulator's seed (subcategory 1, type 1). */
export const CATALOG_DEFAULTS = {
  categoryId: 2,
  subcategoryId: 1,
  typeId: 1,
  productClass: 'Service' as const,
};

/** customer index → sku → quantity (1…200), the same every run. */
export function initialUsage(first: number, count: number): Map<number, Map<string, number>> {
  const rand = prng(8);
  const usage = new Map<number, Map<string, number>>();
  for (let i = first; i < first + count; i++) {
    usage.set(i, new Map(PRODUCTS.map((p) => [p.sku, 1 + Math.floor(rand() * 200)])));
  }
  return usage;
}

/**
 * Changes `share` of all lines (chosen at random, spread over the customers) to another quantity;
 * returns the customers whose usage changed. Mutates `usage`.
 */
export function changeShare(
  usage: Map<number, Map<string, number>>,
  share: number,
  seed = 10,
): { customers: Set<number>; lines: number } {
  const rand = prng(seed);
  const all = [...usage].flatMap(([i, lines]) => [...lines.keys()].map((sku) => [i, sku] as const));
  const wanted = Math.round(all.length * share);
  // Fisher–Yates on the first `wanted` places.
  for (let k = 0; k < wanted; k++) {
    const j = k + Math.floor(rand() * (all.length - k));
    [all[k], all[j]] = [all[j]!, all[k]!];
  }
  const customers = new Set<number>();
  for (const [i, sku] of all.slice(0, wanted)) {
    const lines = usage.get(i)!;
    lines.set(sku, lines.get(sku)! + 1 + Math.floor(rand() * 20));
    customers.add(i);
  }
  return { customers, lines: wanted };
}

/**
 * Phase (d): a moved customer's second recurring agreement of its company (seeded by the
 * simulator child only for the customers `changeGroups` moves).
 */
export const MOVED_AGREEMENT_BASE = 400_000;
export const movedAgreementIdOf = (i: number): number => MOVED_AGREEMENT_BASE + i;

/** Phase (d)'s shares of the engine's customers (issue 16). */
export const CHANGE_SHARES = { moved: 0.05, dropped: 0.05, candidate: 0.02 } as const;

/** The sku whose engine addition phase (d) replaces by a hand-made one (the seed's item 1350). */
export const CANDIDATE_SKU = 'browser-security';

/**
 * Phase (d)'s customers, each in one group: `moved` to a second agreement of their company,
 * `dropped` (every line down to 40%: held by the safety valve), `candidate` (a hand-made addition
 * of a managed product on their agreement), and `changed` (everyone else: one line changed).
 */
export interface ChangeGroups {
  moved: number[];
  dropped: number[];
  candidate: number[];
  changed: number[];
}

/**
 * The groups of customers 0…customers-1, chosen with a seeded PRNG: the same every run, in the
 * driver and in the simulator child. Each share rounds to at least one customer (when there are
 * enough), so a small run still has every case.
 */
export function changeGroups(customers: number, seed = 16): ChangeGroups {
  const rand = prng(seed);
  const order = Array.from({ length: customers }, (_, i) => i);
  for (let k = order.length - 1; k > 0; k--) {
    const j = Math.floor(rand() * (k + 1));
    [order[k], order[j]] = [order[j]!, order[k]!];
  }
  const sizeOf = (share: number) => Math.max(1, Math.round(customers * share));
  let next = 0;
  const take = (share: number) => {
    const group = order.slice(next, next + sizeOf(share));
    next += group.length;
    return group.sort((x, y) => x - y);
  };
  const moved = take(CHANGE_SHARES.moved);
  const dropped = take(CHANGE_SHARES.dropped);
  const candidate = take(CHANGE_SHARES.candidate);
  return { moved, dropped, candidate, changed: order.slice(next).sort((x, y) => x - y) };
}

/** A dropped customer's line: 40% of it, rounded down (seats drop by 60% or more in all). */
export const droppedQuantity = (quantity: number): number => Math.floor(quantity * 0.4);

/**
 * Phase (d)'s usage: every line of the `dropped` customers to droppedQuantity, one line (chosen
 * at random) of each `candidate` and `changed` customer up by 1…20; the moved customers' usage
 * stays. Mutates `usage`; returns the customers whose usage changed and the sku changed for each
 * customer with one line changed.
 */
export function applyChangeUsage(
  usage: Map<number, Map<string, number>>,
  groups: ChangeGroups,
  seed = 17,
): { customers: number[]; changedSku: Map<number, string> } {
  const rand = prng(seed);
  for (const i of groups.dropped) {
    const lines = usage.get(i)!;
    for (const [sku, q] of lines) lines.set(sku, droppedQuantity(q));
  }
  const changedSku = new Map<number, string>();
  for (const i of [...groups.candidate, ...groups.changed]) {
    const lines = usage.get(i)!;
    const skus = [...lines.keys()];
    const sku = skus[Math.floor(rand() * skus.length)]!;
    lines.set(sku, lines.get(sku)! + 1 + Math.floor(rand() * 20));
    changedSku.set(i, sku);
  }
  return {
    customers: [...groups.dropped, ...groups.candidate, ...groups.changed].sort((x, y) => x - y),
    changedSku,
  };
}
