import { PRODUCT_CLASSES as CW_PRODUCT_CLASSES } from '../../connectwise/schemas/catalog';
import {
  billingPolicyOf,
  DEFAULT_BILLING_POLICY,
  PRODUCT_CLASSES,
} from '../../domain/billing/settings';

test('the policy of stored settings: its own fields only, defaults for the missing ones', () => {
  const stored = {
    enabled: true,
    agreements: [{ customerId: 'c1', agreementId: 300 }],
    zeroUsage: 'cancel' as const,
    concurrency: undefined,
  };
  expect(billingPolicyOf(stored)).toEqual({ ...DEFAULT_BILLING_POLICY, zeroUsage: 'cancel' });
  expect(billingPolicyOf(undefined)).toEqual(DEFAULT_BILLING_POLICY);
});

// domain/ and connectwise/ may not import each other at run time (ARCHITECTURE.md), so each keeps
// the list ConnectWise publishes; they must not drift apart.
test("the product classes billing settings accept are ConnectWise's", () => {
  expect([...PRODUCT_CLASSES]).toEqual([...CW_PRODUCT_CLASSES]);
});
