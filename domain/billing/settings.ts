import { fitKey } from './key-digest';
import type { SafetyPolicy } from './safety';
import type { ZeroUsagePolicy } from './types';

/** ConnectWise catalog item classes (docs/connectwise.md §5 CatalogItem). */
export const PRODUCT_CLASSES = [
  'Agreement',
  'Bundle',
  'Inventory',
  'NonInventory',
  'Service',
] as const;
export type ProductClass = (typeof PRODUCT_CLASSES)[number];

/** Every zero-usage policy, for validation (domain/billing/types.ts ZeroUsagePolicy). */
export const ZERO_USAGE_POLICIES = [
  'zero',
  'cancel',
  'leave',
] as const satisfies readonly ZeroUsagePolicy[];
// Fails to compile if a policy is added to the type but not to the list.
const _everyPolicyListed: ZeroUsagePolicy extends (typeof ZERO_USAGE_POLICIES)[number]
  ? true
  : never = true;

/** `auto`: runs apply their plan; `approve`: a run plans, then waits for a person's decision. */
export const APPLY_MODES = ['auto', 'approve'] as const;
export type ApplyMode = (typeof APPLY_MODES)[number];

/** What a new catalog item gets when the engine creates one; tenants may enforce some. */
export interface CatalogDefaults {
  categoryId?: number;
  subcategoryId?: number;
  typeId?: number;
  productClass?: ProductClass;
}

/**
 * How billing runs behave, beside which agreement each customer bills through. Every field is
 * optional where it is stored (older integrations have none); `billingPolicyOf` gives defaults.
 */
export interface BillingPolicySettings extends SafetyPolicy {
  zeroUsage: ZeroUsagePolicy;
  /** Also keep unitPrice/unitCost of additions equal to the vendor's price and cost. */
  syncPrices: boolean;
  /** IANA zone for the billing day; null: derived from ConnectWise's serverTimeZone. */
  timeZone: string | null;
  catalogDefaults: CatalogDefaults;
  /** ConnectWise calls in flight per integration during a run (1 to 10). */
  concurrency: number;
  apply: ApplyMode;
  /** A plan waiting for approval is dropped after this many hours (1 to 168). */
  approvalExpiryHours: number;
  /** A plan waiting longer than this many hours is a health issue (1 to 168). */
  approvalOverdueHours: number;
  /** The period of scheduled runs, in minutes; null: the engine's SYNC_INTERVAL_MINUTES. */
  syncIntervalMinutes: number | null;
}

export const DEFAULT_BILLING_POLICY: BillingPolicySettings = {
  zeroUsage: 'zero',
  syncPrices: false,
  timeZone: null,
  catalogDefaults: {},
  concurrency: 4,
  apply: 'auto',
  approvalExpiryHours: 72,
  approvalOverdueHours: 24,
  syncIntervalMinutes: null,
  maxSeatDropShare: 0.5,
  maxZeroedShare: 0.2,
  staleUsageHours: 48,
};

/** The policy fields of stored settings (nothing else, e.g. not the agreements), defaults filled. */
export const billingPolicyOf = (
  stored: Partial<BillingPolicySettings> | undefined,
): BillingPolicySettings => {
  const policy = { ...DEFAULT_BILLING_POLICY };
  for (const key of Object.keys(DEFAULT_BILLING_POLICY) as Array<keyof BillingPolicySettings>) {
    const value = stored?.[key];
    if (value !== undefined && value !== null) Object.assign(policy, { [key]: value });
  }
  return policy;
};

/** ConnectWise's limits (docs/connectwise.md §5 CatalogItem). */
export const CATALOG_XREF_MAX = 50;
export const CATALOG_IDENTIFIER_MAX = 60;

/**
 * The engine's key for a vendor sku: `integrationXRef` of its catalog item (≤ 50 characters). A
 * sku too long for it keeps its start and gets a digest of the whole key, so two skus never share
 * an xref (key-digest.ts).
 */
export const catalogXRef = (sku: string): string => fitKey(`dfx:${sku}`, CATALOG_XREF_MAX);

/** The `identifier` of the catalog item the engine creates for a sku (≤ 60 characters). */
export const catalogIdentifier = (sku: string): string => fitKey(sku, CATALOG_IDENTIFIER_MAX);
