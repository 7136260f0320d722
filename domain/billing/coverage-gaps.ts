/**
 * The reasons billing coverage (domain/billing/coverage.ts) gives for seats in use and seats
 * billed differing, and each in an MSP's words.
 */

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
