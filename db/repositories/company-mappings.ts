import type { CompanyMappingModel } from '../models/company-mapping';
import { retryOnDuplicateKey } from '../retry-duplicate';

export interface CompanyMapping {
  customerId: string;
  companyId: number | null;
  companyName?: string;
}

export class CompanyMappingRepository {
  constructor(private readonly model: CompanyMappingModel) {}

  async list(partnerId: string, integrationId: string): Promise<CompanyMapping[]> {
    const docs = await this.model.find({ partnerId, integrationId }).lean().exec();
    return docs.map((d) => ({
      customerId: d.customerId,
      companyId: d.companyId ?? null,
      companyName: d.companyName ?? undefined,
    }));
  }

  /** Removes every mapping of the integration (a change of tenant); returns how many. */
  async clear(partnerId: string, integrationId: string): Promise<number> {
    const res = await this.model.deleteMany({ partnerId, integrationId }).exec();
    return res.deletedCount;
  }

  /** Idempotent: saving the same mappings twice leaves one row per customer. */
  async save(partnerId: string, integrationId: string, mappings: CompanyMapping[]): Promise<void> {
    if (mappings.length === 0) return;
    await retryOnDuplicateKey(() =>
      this.model.bulkWrite(
        mappings.map((m) => ({
          updateOne: {
            filter: { partnerId, integrationId, customerId: m.customerId },
            update: { $set: { companyId: m.companyId, companyName: m.companyName ?? null } },
            upsert: true,
          },
        })),
        { ordered: false },
      ),
    );
  }
}
