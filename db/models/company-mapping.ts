import { modelOn } from './model-on';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * Vendor customer → ConnectWise company of one integration; companyId null = excluded. `_id` is
 * the natural key (db/natural-id.ts: partnerId, integrationId, customerId), so saves filter on
 * `_id` alone (FerretDB answers only those from an index). Rows saved before have an ObjectId
 * `_id`; the repository moves each to its natural `_id` the first time it is saved again.
 */
const companyMappingSchema = new Schema(
  {
    _id: { type: Schema.Types.Mixed, required: true },
    partnerId: { type: String, required: true },
    integrationId: { type: String, required: true },
    customerId: { type: String, required: true },
    companyId: { type: Number, default: null },
    /** The company's name when mapped, to show drift when it is renamed in ConnectWise. */
    companyName: { type: String },
  },
  { timestamps: true },
);
companyMappingSchema.index({ partnerId: 1, integrationId: 1, customerId: 1 }, { unique: true });
// The hosted tab: the customers mapped to a ConnectWise company.
companyMappingSchema.index({ partnerId: 1, integrationId: 1, companyId: 1 });

export type CompanyMappingDoc = InferSchemaType<typeof companyMappingSchema>;
export type CompanyMappingModel = Model<CompanyMappingDoc>;

export function companyMappingModel(conn: Connection): CompanyMappingModel {
  return modelOn<CompanyMappingDoc>(conn, 'CompanyMapping', companyMappingSchema);
}
