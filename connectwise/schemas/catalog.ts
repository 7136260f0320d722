import { z } from 'zod';
import {
  setupEntrySchema,
  id,
  maxText,
  nullableBool,
  nullableNumber,
  optionalString,
  reference,
  referenceInput,
} from './common';

export const PRODUCT_CLASSES = [
  'Agreement',
  'Bundle',
  'Inventory',
  'NonInventory',
  'Service',
] as const;

export const catalogItemSchema = z.looseObject({
  id,
  identifier: z.string(),
  description: z.string(),
  customerDescription: z.string(),
  inactiveFlag: nullableBool,
  category: reference.optional(),
  subcategory: reference,
  type: reference,
  productClass: z.enum(PRODUCT_CLASSES).nullable().optional(),
  price: nullableNumber,
  cost: nullableNumber,
  taxableFlag: nullableBool,
  integrationXRef: optionalString,
});
export type CatalogItem = z.infer<typeof catalogItemSchema>;

export const productCategorySchema = setupEntrySchema;
export type ProductCategory = z.infer<typeof productCategorySchema>;

export const productSubcategorySchema = setupEntrySchema.extend({ category: reference });
export type ProductSubcategory = z.infer<typeof productSubcategorySchema>;

export const productTypeSchema = setupEntrySchema;
export type ProductType = z.infer<typeof productTypeSchema>;

/** The contract requires identifier, description, customerDescription, subcategory and type. */
export const newCatalogItemSchema = z.strictObject({
  identifier: maxText(75).min(1),
  description: maxText(60).min(1),
  customerDescription: maxText(6000).min(1),
  subcategory: referenceInput,
  type: referenceInput,
  category: referenceInput.optional(),
  productClass: z.enum(PRODUCT_CLASSES).optional(),
  price: z.number().optional(),
  cost: z.number().optional(),
  taxableFlag: z.boolean().optional(),
  inactiveFlag: z.boolean().optional(),
  integrationXRef: maxText(50).optional(),
});
export type NewCatalogItem = z.input<typeof newCatalogItemSchema>;
