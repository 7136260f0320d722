import { z } from 'zod';
import type { BillingSettings } from '../../db';
import {
  APPLY_MODES,
  billingPolicyOf,
  PRODUCT_CLASSES,
  ZERO_USAGE_POLICIES,
  type CatalogDefaults,
} from '../../domain/billing/settings';
import { isIanaZone } from '../../domain/billing/time-zone';
import { cwIdInBody } from './connectwise-schemas';
import { externalId, unique, uniqueKeys } from './schemas';
import type { billingSettingsView } from './views';

/** Billing settings as the API takes them (PUT) and shows them (GET); the routes are generic. */

const agreementChoice = z.object({ customerId: externalId, agreementId: cwIdInBody });

/** null (as GET shows an unset default) and absent both mean "none". */
const catalogDefaultsBody = z
  .object({
    categoryId: cwIdInBody.nullable().optional(),
    subcategoryId: cwIdInBody.nullable().optional(),
    typeId: cwIdInBody.nullable().optional(),
    productClass: z.enum(PRODUCT_CLASSES).nullable().optional(),
  })
  .transform((d): CatalogDefaults =>
    Object.fromEntries(Object.entries(d).filter(([, v]) => v !== null && v !== undefined)),
  );

const CONCURRENCY = 'must be a whole number from 1 to 10';
const hours = (max: number) => {
  const message = `must be a whole number of hours from 1 to ${max}`;
  return z.number().int(message).min(1, message).max(max, message);
};
/** A share from 0 to 1; 1 turns the rule off. */
const share = z.number().min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1');

/** Policy fields left out take their defaults (a PUT replaces the whole billing settings). */
const TIME_ZONE_MESSAGE = 'must be an IANA time zone name, such as America/New_York';

export const billingBody = z
  .object({
    enabled: z.boolean(),
    agreements: z
      .array(agreementChoice)
      .max(5000)
      // One agreement per customer, and a customer's usage goes into an agreement no other
      // customer uses: additions are kept one per product per agreement.
      .superRefine(unique((a) => a.customerId, 'customerId'))
      .superRefine(unique((a) => String(a.agreementId), 'agreementId'))
      .meta(uniqueKeys('customerId', 'agreementId'))
      .default([]),
    zeroUsage: z.enum(ZERO_USAGE_POLICIES).optional(),
    syncPrices: z.boolean().optional(),
    timeZone: z
      .string()
      .max(64)
      .regex(/^[A-Za-z][A-Za-z0-9_+\-/]*$/, { error: TIME_ZONE_MESSAGE, abort: true })
      .refine(isIanaZone, TIME_ZONE_MESSAGE)
      // Not a format JSON Schema knows: the name of a zone in the IANA database.
      .meta({ format: 'iana-time-zone' })
      .nullable()
      .optional(),
    catalogDefaults: catalogDefaultsBody.optional(),
    concurrency: z.number().int(CONCURRENCY).min(1, CONCURRENCY).max(10, CONCURRENCY).optional(),
    apply: z.enum(APPLY_MODES).optional(),
    approvalExpiryHours: hours(168).optional(),
    approvalOverdueHours: hours(168).optional(),
    maxSeatDropShare: share.optional(),
    maxZeroedShare: share.optional(),
    staleUsageHours: hours(720).optional(),
    syncIntervalMinutes: z
      .number()
      .int('must be a whole number of minutes from 15 to 10080 (a week)')
      .min(15, 'must be a whole number of minutes from 15 to 10080 (a week)')
      .max(10080, 'must be a whole number of minutes from 15 to 10080 (a week)')
      .nullable()
      .optional(),
    /**
     * With `enabled: false`, required: release every addition the engine bills (by the zero-usage
     * policy) or leave them as they are.
     */
    releaseAdditions: z.boolean().nullable().optional(),
  })
  .superRefine((b, ctx) => {
    if (!b.enabled && (b.releaseAdditions === undefined || b.releaseAdditions === null))
      ctx.addIssue({
        code: 'custom',
        path: ['releaseAdditions'],
        message:
          'required when billing is turned off: true releases every addition the engine bills (by zeroUsage), false leaves them as they are',
      });
  })
  // The rule above, for the fuzzer's hooks (dev/fuzz/hooks.py): with `enabled: false`, a yes or
  // no on releasing the additions. (An `anyOf` would state it too, but makes the console's
  // generated types a union it cannot read.)
  .meta({ 'x-required-when-false': { enabled: ['releaseAdditions'] } });

/** The stored settings with every default applied; disabled when never set. */
export function billingSettingsViewOf(
  s: BillingSettings | undefined,
): z.infer<typeof billingSettingsView> {
  const policy = billingPolicyOf(s);
  const defaults = policy.catalogDefaults;
  return {
    enabled: s?.enabled ?? false,
    releaseAdditions: s?.releaseAdditions ?? null,
    agreements: (s?.agreements ?? []).map(({ customerId, agreementId }) => ({
      customerId,
      agreementId,
    })),
    zeroUsage: policy.zeroUsage,
    syncPrices: policy.syncPrices,
    timeZone: policy.timeZone,
    catalogDefaults: {
      categoryId: defaults.categoryId ?? null,
      subcategoryId: defaults.subcategoryId ?? null,
      typeId: defaults.typeId ?? null,
      productClass: defaults.productClass ?? null,
    },
    concurrency: policy.concurrency,
    apply: policy.apply,
    approvalExpiryHours: policy.approvalExpiryHours,
    approvalOverdueHours: policy.approvalOverdueHours,
    maxSeatDropShare: policy.maxSeatDropShare,
    maxZeroedShare: policy.maxZeroedShare,
    staleUsageHours: policy.staleUsageHours,
    syncIntervalMinutes: policy.syncIntervalMinutes,
  };
}
