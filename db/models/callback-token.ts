import { modelOn } from './model-on';
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * The token in the URL of an integration's ticket callback (security/hosted-token.ts's shape):
 * `_id` is its selector, so the public callback route finds it by `_id` alone; only the
 * verifier's hash is kept. Registration adds one before it creates the callback in ConnectWise
 * (so a lost answer still leaves the callback recognisable) and drops those no callback uses.
 */
const callbackTokenSchema = new Schema(
  {
    _id: { type: String, required: true },
    partnerId: { type: String, required: true },
    integrationId: { type: String, required: true },
    verifierHash: { type: String, required: true },
  },
  { timestamps: true, collection: 'callbackTokens' },
);
callbackTokenSchema.index({ partnerId: 1, integrationId: 1 });

export type CallbackTokenDoc = InferSchemaType<typeof callbackTokenSchema>;
export type CallbackTokenModel = Model<CallbackTokenDoc>;

export function callbackTokenModel(conn: Connection): CallbackTokenModel {
  return modelOn<CallbackTokenDoc>(conn, 'CallbackToken', callbackTokenSchema);
}
