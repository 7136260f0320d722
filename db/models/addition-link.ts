import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { modelOn } from './model-on';

/**
 * An agreement addition the engine created or adopted for one sku (domain/billing/types.ts
 * AdditionLink). `_id` is the natural key (partnerId, integrationId, agreementId, sku): a link is
 * saved the moment its addition is written, and saving it again changes nothing.
 */
const additionLinkSchema = new Schema(
  {
    _id: { type: String, required: true },
    partnerId: { type: String, required: true },
    integrationId: { type: String, required: true },
    agreementId: { type: Number, required: true },
    sku: { type: String, required: true },
    additionId: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'additionLinks' },
);
additionLinkSchema.index(
  { partnerId: 1, integrationId: 1, agreementId: 1, sku: 1 },
  { unique: true },
);

export type AdditionLinkDoc = InferSchemaType<typeof additionLinkSchema>;
export type AdditionLinkModel = Model<AdditionLinkDoc>;

export function additionLinkModel(conn: Connection): AdditionLinkModel {
  return modelOn<AdditionLinkDoc>(conn, 'AdditionLink', additionLinkSchema);
}
