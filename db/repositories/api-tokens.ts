import { generateToken, hashToken } from '../../security/tokens';
import type { ApiTokenModel } from '../models/api-token';

export type Principal =
  | { kind: 'partner'; partnerId: string; tokenId: string; tokenName: string }
  | { kind: 'service'; tokenId: string; tokenName: string };

export interface TokenInfo {
  id: string;
  kind: 'partner' | 'service';
  partnerId?: string;
  name: string;
  createdAt: Date;
  revokedAt?: Date;
}

export class ApiTokenRepository {
  constructor(private readonly model: ApiTokenModel) {}

  /** Returns the token itself once; only its hash is stored. */
  async create(
    input: { kind: 'partner'; partnerId: string; name: string } | { kind: 'service'; name: string },
  ): Promise<{ token: string; id: string }> {
    const token = generateToken();
    const doc = await this.model.create({ ...input, tokenHash: hashToken(token) });
    return { token, id: String(doc._id) };
  }

  async authenticate(token: string): Promise<Principal | undefined> {
    const doc = await this.model
      .findOne({ tokenHash: hashToken(token) })
      .lean()
      .exec();
    if (!doc || doc.revokedAt) return undefined;
    const tokenId = String(doc._id);
    if (doc.kind === 'service') return { kind: 'service', tokenId, tokenName: doc.name };
    if (!doc.partnerId) return undefined;
    return { kind: 'partner', partnerId: doc.partnerId, tokenId, tokenName: doc.name };
  }

  async revoke(id: string): Promise<boolean> {
    const res = await this.model
      .updateOne({ _id: id, revokedAt: { $exists: false } }, { $set: { revokedAt: new Date() } })
      .exec();
    return res.modifiedCount === 1;
  }

  async list(): Promise<TokenInfo[]> {
    const docs = await this.model.find({}).sort({ createdAt: 1 }).lean().exec();
    return docs.map((d) => ({
      id: String(d._id),
      kind: d.kind,
      partnerId: d.partnerId ?? undefined,
      name: d.name,
      createdAt: d.createdAt,
      revokedAt: d.revokedAt ?? undefined,
    }));
  }
}
