import type { CallbackTokenModel } from '../models/callback-token';

export interface CallbackTokenRecord {
  selector: string;
  partnerId: string;
  integrationId: string;
  verifierHash: string;
}

/** The tokens of integrations' ticket callback URLs (db/models/callback-token.ts). */
export class CallbackTokenRepository {
  constructor(private readonly model: CallbackTokenModel) {}

  async add({ selector, ...rest }: CallbackTokenRecord): Promise<void> {
    await this.model.create({ _id: selector, ...rest });
  }

  /** The callback route's look-up: the selector is all it knows until the verifier matches. */
  async find(selector: string): Promise<CallbackTokenRecord | undefined> {
    const doc = await this.model.findOne({ _id: selector }).lean().exec();
    return doc
      ? {
          selector: doc._id,
          partnerId: doc.partnerId,
          integrationId: doc.integrationId,
          verifierHash: doc.verifierHash,
        }
      : undefined;
  }

  async forIntegration(partnerId: string, integrationId: string): Promise<CallbackTokenRecord[]> {
    const docs = await this.model.find({ partnerId, integrationId }).lean().exec();
    return docs.map((doc) => ({
      selector: doc._id,
      partnerId: doc.partnerId,
      integrationId: doc.integrationId,
      verifierHash: doc.verifierHash,
    }));
  }

  /** Drops the integration's tokens but those in `keep`. */
  async removeOthers(partnerId: string, integrationId: string, keep: string[]): Promise<number> {
    const res = await this.model
      .deleteMany({ partnerId, integrationId, _id: { $nin: keep } })
      .exec();
    return res.deletedCount;
  }
}
