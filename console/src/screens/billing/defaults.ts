/**
 * What the engine uses for a billing policy field left out (domain/billing/settings.ts
 * DEFAULT_BILLING_POLICY; test/browser/billing.test.ts fails if the two differ). Shown beside
 * each field so the partner knows what "empty" means.
 */
export const POLICY_DEFAULTS = {
  zeroUsage: 'zero',
  syncPrices: false,
  timeZone: null,
  concurrency: 4,
  apply: 'auto',
  approvalExpiryHours: 72,
  approvalOverdueHours: 24,
  syncIntervalMinutes: null,
  maxSeatDropShare: 0.5,
  maxZeroedShare: 0.2,
  staleUsageHours: 48,
} as const;

/** The zero-usage policies (domain/billing/types.ts ZeroUsagePolicy), as a partner reads them. */
export const ZERO_USAGE_OPTIONS = [
  { value: 'zero', label: 'Zero: keep the addition with quantity 0' },
  { value: 'cancel', label: 'Cancel: cancel the addition' },
  { value: 'leave', label: 'Leave: change nothing' },
] as const;

export const APPLY_OPTIONS = [
  { value: 'auto', label: 'Automatic: runs write their plan' },
  {
    value: 'approve',
    label: 'Approve: each changed agreement waits for a decision before it is written',
  },
] as const;

/** ConnectWise catalog item classes (domain/billing/settings.ts PRODUCT_CLASSES). */
export const PRODUCT_CLASSES = ['Agreement', 'Bundle', 'Inventory', 'NonInventory', 'Service'];
