import { z } from 'zod';
import {
  setupEntrySchema,
  AGREEMENT_STATUS,
  BILL_CUSTOMER,
  dateInput,
  id,
  identifierReference,
  maxText,
  nullableBool,
  nullableNumber,
  optionalString,
  reference,
  referenceInput,
} from './common';

export const agreementSchema = z.looseObject({
  id,
  name: z.string(),
  type: reference,
  company: identifierReference,
  parentAgreement: reference.optional(),
  startDate: optionalString,
  endDate: optionalString,
  noEndingDateFlag: nullableBool,
  cancelledFlag: nullableBool,
  dateCancelled: optionalString,
  agreementStatus: z.enum(AGREEMENT_STATUS).nullable().optional(),
  oneTimeFlag: nullableBool,
  billOneTimeFlag: nullableBool,
  billingCycle: reference.optional(),
  prorateFlag: nullableBool,
  /** A date (`yyyy-MM-dd`) as ConnectWise serves it, not a date-time. */
  nextInvoiceDate: optionalString,
  /** A date-time; billing started before `nextInvoiceDate` means an invoice has been made. */
  billStartDate: optionalString,
  /** With `prorateFlag`: new additions are prorated on the current period's invoice. */
  invoiceProratedAdditionsFlag: nullableBool,
});
export type Agreement = z.infer<typeof agreementSchema>;

/** Agreement types only hold defaults; the agreement's own flags decide (docs/connectwise.md §5). */
export const agreementTypeSchema = setupEntrySchema.extend({
  oneTimeFlag: nullableBool,
  billOneTimeFlag: nullableBool,
  billingCycle: reference.optional(),
});
export type AgreementType = z.infer<typeof agreementTypeSchema>;

export const additionSchema = z.looseObject({
  id,
  product: identifierReference,
  quantity: nullableNumber,
  lessIncluded: nullableNumber,
  unitPrice: nullableNumber,
  unitCost: nullableNumber,
  billCustomer: z.enum(BILL_CUSTOMER).nullable(),
  effectiveDate: optionalString,
  cancelledDate: optionalString,
  taxableFlag: nullableBool,
  agreementId: id.nullable().optional(),
  description: optionalString,
  invoiceDescription: optionalString,
  serialNumber: optionalString,
  billedQuantity: nullableNumber,
  extPrice: nullableNumber,
  extCost: nullableNumber,
  agreementStatus: z.enum(AGREEMENT_STATUS).nullable().optional(),
  prorateCurrentPeriodFlag: nullableBool,
});
export type Addition = z.infer<typeof additionSchema>;

/** What we POST to `/finance/agreements/{id}/additions`. `billCustomer` is the one required field. */
export const newAdditionSchema = z.strictObject({
  product: referenceInput,
  quantity: z.number().nonnegative(),
  billCustomer: z.enum(BILL_CUSTOMER),
  effectiveDate: dateInput.optional(),
  cancelledDate: dateInput.optional(),
  taxableFlag: z.boolean().optional(),
  unitPrice: z.number().optional(),
  unitCost: z.number().optional(),
  description: z.string().optional(),
  invoiceDescription: maxText(6000).optional(),
  serialNumber: maxText(50).optional(),
  /** Bill the current, already invoiced, period's prorated share (`writeDatesFor().prorated`). */
  prorateCurrentPeriodFlag: z.boolean().optional(),
});
export type NewAddition = z.input<typeof newAdditionSchema>;

/**
 * The addition fields the engine patches and the values each takes (docs/connectwise.md §4). `null` clears
 * `cancelledDate` (un-cancels).
 */
export const additionPatchSchema = z.strictObject({
  quantity: z.number().nonnegative(),
  cancelledDate: dateInput.nullable(),
  unitPrice: z.number(),
  unitCost: z.number(),
  /** The engine's mark (domain/billing/ledger.ts), taken off an addition it releases. */
  serialNumber: maxText(50),
});
export type AdditionPatchValues = z.input<typeof additionPatchSchema>;
