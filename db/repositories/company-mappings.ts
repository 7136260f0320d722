import type { CompanyMappingDoc, CompanyMappingModel } from '../models/company-mapping';
import { keyRange } from '../page';
import { naturalId } from '../natural-id';
import { isDuplicateKey, retryOnDuplicateKey } from '../retry-duplicate';

const idOf = (partnerId: string, integrationId: string, customerId: string) =>
  naturalId(partnerId, integrationId, customerId);

export interface CompanyMapping {
  customerId: string;
  companyId: number | null;
  companyName?: string;
}

const toMapping = (d: {
  customerId: string;
  companyId?: number | null;
  companyName?: string | null;
}): CompanyMapping => ({
  customerId: d.customerId,
  companyId: d.companyId ?? null,
  companyName: d.companyName ?? undefined,
});

export class CompanyMappingRepository {
  constructor(private readonly model: CompanyMappingModel) {}

  async list(partnerId: string, integrationId: string): Promise<CompanyMapping[]> {
    const docs = await this.model.find({ partnerId, integrationId }).lean().exec();
    return docs.map(toMapping);
  }

  /** The mappings of a page of customers: ids after `after` up to and including `through`. */
  async forCustomerRange(
    partnerId: string,
    integrationId: string,
    range: { after?: string; through: string },
  ): Promise<CompanyMapping[]> {
    const docs = await keyRange<CompanyMappingDoc, CompanyMappingDoc>(
      this.model,
      { partnerId, integrationId },
      'customerId',
      range,
    );
    return docs.map(toMapping);
  }

  /**
   * One customer's mapping: by its natural `_id`, else (a row from before natural ids) by its key,
   * which scans on FerretDB but only for a customer without a natural-id row.
   */
  async get(
    partnerId: string,
    integrationId: string,
    customerId: string,
  ): Promise<CompanyMapping | undefined> {
    const d =
      (await this.model
        .findOne({ _id: idOf(partnerId, integrationId, customerId) })
        .lean()
        .exec()) ??
      (await this.model.findOne({ partnerId, integrationId, customerId }).lean().exec());
    return d ? toMapping(d) : undefined;
  }

  /** The customers mapped to one ConnectWise company (the hosted tab's `[cw_id]`), by id. */
  async customersOf(
    partnerId: string,
    integrationId: string,
    companyId: number,
  ): Promise<string[]> {
    const docs = await this.model.find({ partnerId, integrationId, companyId }).lean().exec();
    return docs.map((d) => d.customerId).sort();
  }

  /** Removes every mapping of the integration (a change of tenant); returns how many. */
  async clear(partnerId: string, integrationId: string): Promise<number> {
    const res = await this.model.deleteMany({ partnerId, integrationId }).exec();
    return res.deletedCount;
  }

  /**
   * Idempotent: saving the same mappings twice leaves one row per customer. One bulk upsert by
   * `_id`. If a row predates natural ids (an ObjectId `_id` holding the unique key), that bulk write
   * fails (FerretDB may also leave the statements after it undone), so each mapping is saved again
   * on its own: by `_id`, or, for such a row, updated where it is by the key (a slower, scanning
   * statement; never a delete, so nothing can be lost half-way).
   */
  async save(partnerId: string, integrationId: string, mappings: CompanyMapping[]): Promise<void> {
    if (mappings.length === 0) return;
    const byId = (m: CompanyMapping) => ({
      updateOne: {
        filter: { _id: idOf(partnerId, integrationId, m.customerId) },
        update: {
          $set: { companyId: m.companyId, companyName: m.companyName ?? null },
          $setOnInsert: { partnerId, integrationId, customerId: m.customerId },
        },
        upsert: true,
      },
    });
    try {
      await retryOnDuplicateKey(() =>
        this.model.bulkWrite(mappings.map(byId), { ordered: false, throwOnValidationError: true }),
      );
      return;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    for (let i = 0; i < mappings.length; i += ONE_BY_ONE) {
      await Promise.all(
        mappings
          .slice(i, i + ONE_BY_ONE)
          .map((m) => this.saveOne(partnerId, integrationId, m, byId(m))),
      );
    }
  }

  private async saveOne(
    partnerId: string,
    integrationId: string,
    m: CompanyMapping,
    op: { updateOne: { filter: object; update: object; upsert: boolean } },
  ): Promise<void> {
    const { filter, update, upsert } = op.updateOne;
    try {
      await retryOnDuplicateKey(() => this.model.updateOne(filter, update, { upsert }).exec());
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      await this.model
        .updateOne(
          { partnerId, integrationId, customerId: m.customerId },
          { $set: { companyId: m.companyId, companyName: m.companyName ?? null } },
        )
        .exec();
    }
  }
}

/** Mappings saved at once when they must be saved one by one (rows from before natural ids). */
const ONE_BY_ONE = 20;
