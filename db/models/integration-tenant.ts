import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { modelOn } from './model-on';

/**
 * What says which tenant an integration writes into now (site, Company ID, resolved origin, tenant
 * epoch: domain/tenant.ts makes the key of them), one small document per integration (`_id` the
 * integration id), so a billing batch checks it before writing with one cheap read by `_id` (the
 * integration document carries every agreement choice and is costly to read on FerretDB).
 * `changing` while a change of tenant is being saved: no batch writes then.
 */
const integrationTenantSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** True while a change of tenant is being saved. */
    changing: { type: Boolean, required: true },
    site: { type: String, required: true },
    companyId: { type: String, required: true },
    /** The API origin the last Test Connection resolved, when there was one. */
    apiOrigin: { type: String, required: false },
    tenantEpoch: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'integrationTenants' },
);

export type IntegrationTenantDoc = InferSchemaType<typeof integrationTenantSchema>;
export type IntegrationTenantModel = Model<IntegrationTenantDoc>;

export function integrationTenantModel(conn: Connection): IntegrationTenantModel {
  return modelOn<IntegrationTenantDoc>(conn, 'IntegrationTenant', integrationTenantSchema);
}
