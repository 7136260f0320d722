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

/**
 * How long a token found valid is believed without asking the database again: one read less per
 * API request (bench:db: a third of a list route's round trips). A token revoked elsewhere (the
 * token CLI, another API process) stops working within this time; revoked through this
 * repository, at once.
 */
export const TOKEN_CACHE_MS = 5_000;
const TOKEN_CACHE_MAX = 10_000;

export class ApiTokenRepository {
  /** Valid tokens by hash, with when they were read; only found-valid answers are kept. */
  private readonly valid = new Map<string, { principal: Principal; at: number }>();

  constructor(
    private readonly model: ApiTokenModel,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns the token itself once; only its hash is stored. */
  async create(
    input: { kind: 'partner'; partnerId: string; name: string } | { kind: 'service'; name: string },
  ): Promise<{ token: string; id: string }> {
    const token = generateToken();
    const doc = await this.model.create({ ...input, tokenHash: hashToken(token) });
    return { token, id: String(doc._id) };
  }

  async authenticate(token: string): Promise<Principal | undefined> {
    const tokenHash = hashToken(token);
    const cached = this.valid.get(tokenHash);
    if (cached && this.now() - cached.at < TOKEN_CACHE_MS) return cached.principal;
    this.valid.delete(tokenHash);
    const at = this.now();
    const doc = await this.model.findOne({ tokenHash }).lean().exec();
    if (!doc || doc.revokedAt) return undefined;
    const tokenId = String(doc._id);
    let principal: Principal;
    if (doc.kind === 'service') principal = { kind: 'service', tokenId, tokenName: doc.name };
    else if (doc.partnerId)
      principal = { kind: 'partner', partnerId: doc.partnerId, tokenId, tokenName: doc.name };
    else return undefined;
    // Oldest first: when full, the entry read longest ago goes.
    if (this.valid.size >= TOKEN_CACHE_MAX) this.valid.delete(this.valid.keys().next().value!);
    this.valid.set(tokenHash, { principal, at });
    return principal;
  }

  async revoke(id: string): Promise<boolean> {
    for (const [hash, { principal }] of this.valid) {
      if (principal.tokenId === id) this.valid.delete(hash);
    }
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
