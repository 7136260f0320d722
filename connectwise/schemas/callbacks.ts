import { z } from 'zod';
import { id, maxText, nullableBool, optionalString } from './common';

/** A registered callback (`CallbackEntry`): ConnectWise posts to `url` + the record id. */
export const callbackEntrySchema = z.looseObject({
  id,
  description: optionalString,
  url: z.string(),
  objectId: z.number().int().nullable(),
  type: z.string(),
  level: z.string(),
  memberId: z.number().int().nullable().optional(),
  inactiveFlag: nullableBool,
  isSelfSuppressedFlag: nullableBool,
});
export type CallbackEntry = z.infer<typeof callbackEntrySchema>;

export const newCallbackEntrySchema = z.strictObject({
  description: maxText(100).optional(),
  url: maxText(1000).min(1),
  objectId: z.number().int().positive(),
  type: z.enum(['ticket']),
  level: z.enum(['board', 'owner', 'status', 'company']),
  inactiveFlag: z.boolean().optional(),
  isSelfSuppressedFlag: z.boolean().optional(),
});
export type NewCallbackEntry = z.input<typeof newCallbackEntrySchema>;
