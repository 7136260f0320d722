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

export const money = z.number().finite().min(0).max(1_000_000_000);
