import { z } from 'zod';
import { errorBody } from './schemas';

const values = z.object({
  quantity: z.number(),
  unitPrice: z.number().optional(),
  unitCost: z.number().optional(),
});

/** A billing plan as a partner reads it (domain/billing/preview.ts planView). */
export const planViewSchema = z.object({
  previewKey: z.string(),
  today: z.string(),
  planHash: z.string(),
  agreements: z.array(
    z.object({
      customerId: z.string(),
      agreementId: z.number(),
      companyId: z.number(),
      seats: z.object({ before: z.number(), after: z.number() }),
      hold: z.string().nullable(),
      operations: z.array(
        z.object({
          action: z.enum(['create', 'update', 'adopt', 'cancel', 'conflict', 'skip']),
          sku: z.string(),
          additionId: z.number().nullable(),
          productId: z.number().nullable(),
          from: values.nullable(),
          to: values.nullable(),
          effectiveDate: z.string().nullable(),
          reason: z.string().nullable(),
        }),
      ),
    }),
  ),
  unchanged: z.number(),
  skipped: z.array(
    z.object({ customerId: z.string(), agreementId: z.number().nullable(), reason: z.string() }),
  ),
  totals: z.object({
    agreements: z.number(),
    create: z.number(),
    update: z.number(),
    adopt: z.number(),
    cancel: z.number(),
    conflict: z.number(),
    skip: z.number(),
    held: z.number(),
    seatsBefore: z.number(),
    seatsAfter: z.number(),
  }),
  warnings: z.array(z.string()),
});

/** 409 `plan_changed`: the error, with the plan as it is now. */
export const planChangedBody = z.object({
  error: errorBody.shape.error.extend({ plan: planViewSchema.optional() }),
});
