import type { HostedTabTokenModel } from '../models/hosted-tab-token';

export interface HostedTabTokenRecord {
  partnerId: string;
  integrationId: string;
  verifierHash: string;
  tenantEpoch: string;
}

export interface NewHostedTabToken extends HostedTabTokenRecord {
  selector: string;
}

export class HostedTabTokenRepository {
  constructor(private readonly model: HostedTabTokenModel) {}

  async add({ selector, ...rest }: NewHostedTabToken): Promise<void> {
    await this.model.create({ _id: selector, ...rest });
  }

  /** The public tab route's look-up: the selector is all it knows until the verifier matches. */
  async find(selector: string): Promise<HostedTabTokenRecord | undefined> {
    const doc = await this.model.findOne({ _id: selector }).lean().exec();
    if (!doc) return undefined;
    return {
      partnerId: doc.partnerId,
      integrationId: doc.integrationId,
      verifierHash: doc.verifierHash,
      tenantEpoch: doc.tenantEpoch ?? '',
    };
  }

  /** Drops the integration's tokens, all of them or all but `keep`. */
  async removeAll(partnerId: string, integrationId: string, keep?: string): Promise<number> {
    const filter = keep === undefined ? {} : { _id: { $ne: keep } };
    const res = await this.model.deleteMany({ partnerId, integrationId, ...filter }).exec();
    return res.deletedCount;
  }

  async remove(partnerId: string, integrationId: string, selector: string): Promise<void> {
    await this.model.deleteOne({ _id: selector, partnerId, integrationId }).exec();
  }
}
