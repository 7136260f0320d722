import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { modelOn } from './model-on';

/** The vendor side, pushed by the portal: a partner's customers, products and current usage. */
const customerSchema = new Schema(
  {
    partnerId: { type: String, required: true },
    customerId: { type: String, required: true },
    name: { type: String, required: true },
  },
  { timestamps: true },
);
customerSchema.index({ partnerId: 1, customerId: 1 }, { unique: true });

const productSchema = new Schema(
  {
    partnerId: { type: String, required: true },
    sku: { type: String, required: true },
    name: { type: String, required: true },
    description: { type: String, default: '' },
    price: { type: Number, required: true },
    cost: { type: Number, required: true },
  },
  { timestamps: true },
);
productSchema.index({ partnerId: 1, sku: 1 }, { unique: true });

const usageSchema = new Schema(
  {
    partnerId: { type: String, required: true },
    customerId: { type: String, required: true },
    sku: { type: String, required: true },
    quantity: { type: Number, required: true },
    asOf: { type: Date, required: true },
  },
  { timestamps: true },
);
usageSchema.index({ partnerId: 1, customerId: 1, sku: 1 }, { unique: true });

export type CustomerDoc = InferSchemaType<typeof customerSchema>;
export type ProductDoc = InferSchemaType<typeof productSchema>;
export type UsageDoc = InferSchemaType<typeof usageSchema>;

export const customerModel = (conn: Connection) =>
  modelOn<CustomerDoc>(conn, 'Customer', customerSchema);
export const productModel = (conn: Connection) =>
  modelOn<ProductDoc>(conn, 'Product', productSchema);
export const usageModel = (conn: Connection) => modelOn<UsageDoc>(conn, 'Usage', usageSchema);
