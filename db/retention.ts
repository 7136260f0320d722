import type { Model } from 'mongoose';
import { ensureTtlIndex } from './ttl-index';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * An integration's records that expire `days` after their date `field`: a TTL index where the
 * server has one (db/ttl-index.ts), and `prune` where it has not (FerretDB 1.x), called at each run.
 */
export class Retention<T> {
  constructor(
    private readonly model: Model<T>,
    private readonly field: string,
    readonly days: number,
  ) {}

  ensure(): Promise<boolean> {
    return ensureTtlIndex(this.model, this.field, this.days * 24 * 60 * 60);
  }

  /** Deletes the integration's records older than the retention; returns how many. */
  async prune(partnerId: string, integrationId: string, now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.days * DAY_MS);
    const res = await this.model
      .deleteMany({ partnerId, integrationId, [this.field]: { $lt: cutoff } })
      .exec();
    return res.deletedCount;
  }
}
