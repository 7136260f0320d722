/**
 * The engine's ledger of additions: which additions it owns, and when one is no longer backed by
 * a (customer, chosen agreement, sku → catalog item) and must be released. Pure.
 */
import { keyDigest } from './key-digest';
import type { LedgerEntry } from './types';

/** ConnectWise's limit on an addition's `serialNumber`, where the engine's mark lives. */
export const MARK_MAX = 50;

/**
 * The mark the engine puts on an addition it creates (`serialNumber`, a field MSPs leave empty
 * on agreement additions, never printed with the quantity): `dfx:` and a digest of integration,
 * agreement and sku. A lookup finds a create whose answer was lost by it, and an addition with
 * another integration's mark, or none, is never taken for the engine's own.
 */
export const additionMark = (integrationId: string, agreementId: number, sku: string): string =>
  `dfx:${keyDigest(`${integrationId}\u0000${agreementId}\u0000${sku}`)}`;

/** Whether a `serialNumber` carries any engine mark (its own or another integration's). */
export const isEngineMark = (serial: string | null | undefined): boolean =>
  typeof serial === 'string' && /^dfx:[0-9a-f]{16}$/.test(serial);

/** What backs the ledger this run: the settings, mappings and catalog items as they are now. */
export interface LedgerBacking {
  /** Billing is turned off and the partner asked to release every addition. */
  billingOff: boolean;
  /** customer → the agreement chosen for it. */
  choiceOf: ReadonlyMap<string, number>;
  /** customer → company (null: excluded; absent: not mapped). */
  companyOf: ReadonlyMap<string, number | null>;
  /** agreement → the company that owns it in ConnectWise now, for agreements read this run. */
  ownerOf: ReadonlyMap<number, number>;
  /** sku → its catalog item this run (absent: the sku has no item, or no longer exists). */
  itemOf: ReadonlyMap<string, number>;
  /** The vendor's products: a sku not among them was removed. */
  skus: ReadonlySet<string>;
}

/**
 * Why a ledger addition is no longer backed, if it is not: it is then released (zero-usage
 * policy). Usage dropping to zero is not a release: the addition stays the customer's.
 */
export function releaseReason(entry: LedgerEntry, b: LedgerBacking): string | undefined {
  if (entry.state === 'kept_separate') return undefined;
  const who = `customer ${entry.customerId}`;
  if (b.billingOff) return 'billing was turned off with releaseAdditions';
  const chosen = b.choiceOf.get(entry.customerId);
  if (chosen === undefined) return `${who} no longer has a billing agreement chosen`;
  if (chosen !== entry.agreementId) return `${who} moved to agreement ${chosen}`;
  const company = b.companyOf.get(entry.customerId);
  if (company === undefined) return `${who} is no longer mapped to a ConnectWise company`;
  if (company === null) return `${who} is excluded from ConnectWise`;
  const owner = b.ownerOf.get(entry.agreementId);
  if (owner !== undefined && owner !== company)
    return `${who} is mapped to company ${company}, and agreement ${entry.agreementId} belongs to company ${owner}`;
  if (!b.skus.has(entry.sku)) return `product ${entry.sku} is no longer sold`;
  const item = b.itemOf.get(entry.sku);
  if (item !== undefined && item !== entry.productId)
    return `${entry.sku} is now billed as catalog item ${item}, not ${entry.productId}`;
  return undefined;
}

/** The ledger's entries grouped by agreement. */
export function byAgreement<T extends { agreementId: number }>(entries: readonly T[]) {
  const map = new Map<number, T[]>();
  for (const e of entries) map.set(e.agreementId, [...(map.get(e.agreementId) ?? []), e]);
  return map;
}
