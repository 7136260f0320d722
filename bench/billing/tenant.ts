/**
 * The benchmark's data, shared by the simulator child (ConnectWise side) and the driver (vendor
 * side): customer i is company COMPANY_BASE + i with one recurring agreement AGREEMENT_BASE + i.
 * The engine bills customers 0…customers-1; the naive baseline works on the next `naive` ones, so
 * the two never touch each other's agreements.
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
