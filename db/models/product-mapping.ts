import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { modelOn } from './model-on';

export const PRODUCT_MAPPING_SOURCES = ['partner', 'engine'] as const;
export type ProductMappingSource = (typeof PRODUCT_MAPPING_SOURCES)[number];

/**
 * Vendor sku → ConnectWise catalog item of one integration. `partner`: the partner pointed the
 * sku at an item; `engine`: a billing run found or created it. The `_id` is the natural key
 * (db/natural-id.ts: partnerId, integrationId, sku), so writes filter on `_id` alone.
 */
const productMappingSchema = new Schema(
  {
    _id: { type: String, required: true },
    partnerId: { type: String, required: true },
    integrationId: { type: String, required: true },
    sku: { type: String, required: true },
    catalogItemId: { type: Number, required: true },
    source: { type: String, enum: PRODUCT_MAPPING_SOURCES, required: true },
    /** When the item or its source last changed; a save that changes nothing keeps it. */
    updatedAt: { type: Date, required: true },
  },
  { collection: 'productMappings' },
);
productMappingSchema.index({ partnerId: 1, integrationId: 1, sku: 1 }, { unique: true });

export type ProductMappingDoc = InferSchemaType<typeof productMappingSchema>;
export type ProductMappingModel = Model<ProductMappingDoc>;

export function productMappingModel(conn: Connection): ProductMappingModel {
  return modelOn<ProductMappingDoc>(conn, 'ProductMapping', productMappingSchema);
}
