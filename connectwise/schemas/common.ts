import { z } from 'zod';
import { CW_DATE_TIME, formatCwDateTime } from '../dates';

/**
 * Shared zod pieces. Every entity schema is a looseObject (unknown fields pass through, so fields
 * ConnectWise adds later never break parsing) listing only the fields the engine reads. Fields are
 * optional unless the contract marks them required, and nullable where it says `nullable`. `id` is
 * required on entities we read: a record without one is useless to us.
 */
export const id = z.number().int();

/** `{id, name, _info}`: the contract types a reference id as nullable. */
export const reference = z.looseObject({
  id: id.nullable().optional(),
  name: z.string().optional(),
});
export type Reference = z.infer<typeof reference>;

/** Company and catalog-item references carry `identifier` as well. */
export const identifierReference = z.looseObject({
  id: id.nullable().optional(),
  identifier: z.string().optional(),
  name: z.string().optional(),
});

export const nullableBool = z.boolean().nullable().optional();
export const nullableNumber = z.number().nullable().optional();
export const optionalString = z.string().optional();

/** The fields every ConnectWise setup table (categories, types, agreement types…) shares. */
export const setupEntrySchema = z.looseObject({
  id,
  name: z.string(),
  inactiveFlag: nullableBool,
  defaultFlag: nullableBool,
});

export const SECURITY_LEVELS = ['None', 'My', 'All'] as const;
export type SecurityLevel = (typeof SECURITY_LEVELS)[number];

export const BILL_CUSTOMER = ['Billable', 'DoNotBill', 'NoCharge'] as const;
export const AGREEMENT_STATUS = ['Active', 'Cancelled', 'Expired', 'Inactive'] as const;

/** Field names to put in `fields=` so ConnectWise returns exactly what the schema reads. */
export function fieldsOf(schema: { shape: Record<string, unknown> }): string[] {
  return Object.keys(schema.shape);
}

/** On writes a reference is sent as `{id}` only (docs/connectwise.md §5). */
export const referenceInput = z.strictObject({ id: id.positive() });

/**
 * Dates we send: a Date, formatted here as `yyyy-MM-ddTHH:mm:ssZ` (never toISOString's
 * milliseconds), or a string already in that form. Anything else is refused before sending.
 */
export const dateInput = z
  .union([z.date(), z.string().regex(CW_DATE_TIME, 'must be yyyy-MM-ddTHH:mm:ssZ')])
  .transform((d) => (d instanceof Date ? formatCwDateTime(d) : d));

export function maxText(max: number) {
  return z.string().max(max, `must be at most ${max} characters`);
}
