import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { modelOn } from './model-on';

/**
 * The vendor side, pushed by the portal: a partner's customers, products and current usage.
 * Each `_id` is the natural key (db/natural-id.ts), so upserts filter on `_id` alone; the unique
 * (partnerId, …) indexes stay as the tenant-scoped guard.
 */
const customerSchema = new Schema(
  {
    _id: { type: String, required: true }, // naturalId(partnerId, customerId)
    partnerId: { type: String, required: true },
    customerId: { type: String, required: true },
    name: { type: String, required: true },
  },
  { timestamps: true, collection: 'vendorCustomers' },
);
customerSchema.index({ partnerId: 1, customerId: 1 }, { unique: true });
// The partner's customers by name (the mapping screens).
customerSchema.index({ partnerId: 1, name: 1, customerId: 1 });

const productSchema = new Schema(
  {
    _id: { type: String, required: true }, // naturalId(partnerId, sku)
    partnerId: { type: String, required: true },
    sku: { type: String, required: true },
    name: { type: String, required: true },
    description: { type: String, default: '' },
    price: { type: Number, required: true },
    cost: { type: Number, required: true },
  },
  { timestamps: true, collection: 'vendorProducts' },
);
productSchema.index({ partnerId: 1, sku: 1 }, { unique: true });

const usageLineSchema = new Schema(
  {
    sku: { type: String, required: true },
    quantity: { type: Number, required: true },
    asOf: { type: Date, required: true },
  },
  { _id: false },
);

/**
 * A customer's whole usage set, as of a time, in one document: storing a set is one insert. The
 * customer's current usage is the set with the newest `asOf`; older ones are deleted after.
 */
const usageSetSchema = new Schema(
  {
    _id: { type: String, required: true }, // naturalId(partnerId, customerId, asOf ISO)
    partnerId: { type: String, required: true },
    customerId: { type: String, required: true },
    asOf: { type: Date, required: true },
    lines: { type: [usageLineSchema], default: [] },
  },
  { timestamps: true, collection: 'vendorUsage' },
);
usageSetSchema.index({ partnerId: 1, customerId: 1, asOf: 1 }, { unique: true });

export type CustomerDoc = InferSchemaType<typeof customerSchema>;
export type ProductDoc = InferSchemaType<typeof productSchema>;
export type UsageSetDoc = InferSchemaType<typeof usageSetSchema>;

export const customerModel = (conn: Connection) =>
  modelOn<CustomerDoc>(conn, 'Customer', customerSchema);
export const productModel = (conn: Connection) =>
  modelOn<ProductDoc>(conn, 'Product', productSchema);
export const usageSetModel = (conn: Connection) =>
  modelOn<UsageSetDoc>(conn, 'UsageSet', usageSetSchema);
