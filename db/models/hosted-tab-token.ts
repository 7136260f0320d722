import { modelOn } from './model-on';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * An install token of an integration's ConnectWise hosted tab (security/hosted-token.ts): `_id` is
 * its selector, so the public tab route finds it by `_id` alone; only the verifier's hash is kept.
 * An install adds its token and then drops the integration's others, so at most one lives after.
 */
const hostedTabTokenSchema = new Schema(
  {
    _id: { type: String, required: true },
    partnerId: { type: String, required: true },
    integrationId: { type: String, required: true },
    verifierHash: { type: String, required: true },
    /** When the integration last moved to another ConnectWise tenant (a reset) at install; '' never. */
    tenantEpoch: { type: String, default: '' },
  },
  { timestamps: true },
);
hostedTabTokenSchema.index({ partnerId: 1, integrationId: 1 });

export type HostedTabTokenDoc = InferSchemaType<typeof hostedTabTokenSchema>;
export type HostedTabTokenModel = Model<HostedTabTokenDoc>;

export function hostedTabTokenModel(conn: Connection): HostedTabTokenModel {
  return modelOn<HostedTabTokenDoc>(conn, 'HostedTabToken', hostedTabTokenSchema);
}
