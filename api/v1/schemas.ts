import { z } from 'zod';

/** Shared request pieces. Ids are opaque strings from the portal: keep them to a safe alphabet. */
export const externalId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/,
    'letters, digits, . _ : - only, 1 to 128 characters',
  );

export const partnerParams = z.object({ partnerId: externalId });

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  }),
});

/** 429: too much waits already; the same number is in the Retry-After header. */
export const busyBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    retryAfterSeconds: z.number().int().min(1).describe('Send again after this many seconds'),
  }),
});

export const money = z.number().finite().min(0).max(1_000_000_000);

/**
 * Text that must hold more than spaces, trimmed: `message` when it holds none. The pattern says so
 * in the OpenAPI document (a string of spaces would pass a `minLength`); U+FEFF is named because
 * JavaScript trims it and other regular-expression engines' `\s` do not know it.
 */
export const nonBlank = (max: number, message = 'must not be empty') =>
  z
    .string()
    .trim()
    .regex(/[^\s\uFEFF]/, message)
    .max(max, `must be at most ${max} characters`);

/**
 * How the OpenAPI document states the rule `unique` checks, for an array whose items are each named
 * once by `fields`: `uniqueItems` says only that no two items are equal, so `x-unique-keys` names
 * the fields too (the fuzzer's hooks, dev/fuzz/hooks.py, read it to send only bodies it allows).
 */
export const uniqueKeys = (...fields: string[]) => ({ uniqueItems: true, 'x-unique-keys': fields });

/** A refinement for arrays: each `key(row)` at most once; a duplicate is named with both indexes. */
export const unique =
  <T>(key: (t: T) => string, what: string) =>
  (rows: T[], ctx: z.RefinementCtx) => {
    const seen = new Map<string, number>();
    rows.forEach((row, i) => {
      const k = key(row);
      if (seen.has(k))
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `duplicate ${what} ${k} (also at index ${seen.get(k)})`,
        });
      seen.set(k, i);
    });
  };
