import { z } from 'zod';
import type { Repositories } from '../../db';
import type { UsageSet } from '../../db/repositories/vendor';
import { validationError, type FieldError } from '../errors';
import { route } from '../route';
import { externalId, partnerParams, unique, uniqueKeys } from './schemas';

/** Clocks differ a little; a time further ahead than this would block every later push. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

const asOf = z.iso
  .datetime({ offset: true })
  .refine((v) => Date.parse(v) <= Date.now() + FUTURE_TOLERANCE_MS, 'must not be in the future')
  // Stated for the fuzzer's hooks (dev/fuzz/hooks.py): a time, at most a few minutes ahead.
  .meta({ 'x-not-in-future': true });

const usageLine = z.object({
  sku: externalId,
  quantity: z.number().int().min(0).max(10_000_000),
  asOf: asOf.optional().describe("When this quantity was true; default: the set's asOf"),
});

const usageBody = z
  .object({
    asOf: asOf
      .optional()
      .describe(
        "When the whole set was true; default: the newest line's asOf, else the time of the request",
      ),
    usage: z
      .array(usageLine)
      .max(1000)
      .superRefine(unique((u) => u.sku, 'sku'))
      .meta(uniqueKeys('sku'))
      .describe('Every product the customer uses now; one left out is no longer used'),
  })
  .superRefine((body, ctx) => {
    if (!body.asOf) return;
    const setAsOf = Date.parse(body.asOf);
    body.usage.forEach((u, i) => {
      if (u.asOf && Date.parse(u.asOf) > setAsOf)
        ctx.addIssue({
          code: 'custom',
          path: ['usage', i, 'asOf'],
          message: "must not be after the set's asOf",
        });
    });
  });

const usageResult = z.object({
  applied: z.boolean().describe('false when a newer set is stored: then nothing changed'),
  received: z.number().describe('Lines in the request'),
  asOf: z.string().describe("The stored set's asOf after this request"),
  reason: z.string().optional().describe('Why the set was not applied'),
});

/** The set to store: its asOf, and every line's, resolved from the request. */
function usageSetFrom(body: z.infer<typeof usageBody>, now: Date): UsageSet {
  const lineTimes = body.usage.flatMap((u) => (u.asOf ? [Date.parse(u.asOf)] : []));
  const setAsOf = body.asOf
    ? new Date(body.asOf)
    : lineTimes.length
      ? new Date(Math.max(...lineTimes))
      : now;
  return {
    asOf: setAsOf,
    lines: body.usage.map((u) => ({
      sku: u.sku,
      quantity: u.quantity,
      asOf: u.asOf ? new Date(u.asOf) : setAsOf,
    })),
  };
}

export function usageRoutes(repos: Repositories) {
  return [
    route({
      method: 'put',
      auth: 'partner',
      path: '/partners/:partnerId/customers/:customerId/usage',
      summary: "Replace a customer's current usage, unless a newer set is stored (idempotent)",
      tags: ['Vendor data'],
      params: partnerParams.extend({ customerId: externalId }),
      body: usageBody,
      responses: {
        200: {
          description:
            'Saved (`applied: true`), or ignored because the stored set is newer (`applied: false`)',
          schema: usageResult,
        },
      },
      handler: async ({ params, body }) => {
        const { partnerId, customerId } = params;
        // Check everything before writing anything, so a refused push leaves no partial state.
        const problems: FieldError[] = [];
        const known = await repos.vendor.existingCustomerIds(partnerId, [customerId]);
        if (!known.has(customerId))
          problems.push({ field: 'params.customerId', message: `unknown customer ${customerId}` });
        const skus = await repos.vendor.existingSkus(
          partnerId,
          body.usage.map((u) => u.sku),
        );
        body.usage.forEach((u, i) => {
          if (!skus.has(u.sku))
            problems.push({ field: `body.usage.${i}.sku`, message: `unknown sku ${u.sku}` });
        });
        if (problems.length) throw validationError(problems);
        const set = usageSetFrom(body, new Date());
        const res = await repos.vendor.replaceUsage(partnerId, customerId, set);
        const received = body.usage.length;
        if (res.applied) return { body: { applied: true, received, asOf: res.asOf.toISOString() } };
        return {
          body: {
            applied: false,
            received,
            asOf: res.storedAsOf.toISOString(),
            reason: `older than the stored set's asOf ${res.storedAsOf.toISOString()}`,
          },
        };
      },
    }),
  ];
}
