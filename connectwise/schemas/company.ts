import { z } from 'zod';
import { id, nullableBool, reference } from './common';

export const companySchema = z.looseObject({
  id,
  identifier: z.string(),
  name: z.string(),
  status: reference.optional(),
  types: z.array(reference).optional(),
  deletedFlag: nullableBool,
  parentCompany: reference.extend({ identifier: z.string().optional() }).optional(),
});
export type Company = z.infer<typeof companySchema>;
