import { modelOn } from './model-on';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

const apiTokenSchema = new Schema(
  {
    tokenHash: { type: String, required: true },
    /** `partner` tokens act for one partner; `service` tokens (the portal's backend) for any. */
    kind: { type: String, enum: ['partner', 'service'], required: true },
    partnerId: { type: String },
    name: { type: String, required: true },
    revokedAt: { type: Date },
  },
  { timestamps: true },
);
apiTokenSchema.index({ tokenHash: 1 }, { unique: true });
// The command line's token list, oldest first.
apiTokenSchema.index({ createdAt: 1 });

export type ApiTokenDoc = InferSchemaType<typeof apiTokenSchema>;
export type ApiTokenModel = Model<ApiTokenDoc>;

export function apiTokenModel(conn: Connection): ApiTokenModel {
  return modelOn<ApiTokenDoc>(conn, 'ApiToken', apiTokenSchema);
}
