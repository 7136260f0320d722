import type { AdditionLink } from '../../domain/billing/types';
import type { AdditionLinkModel } from '../models/addition-link';
import { naturalId } from '../natural-id';
import { retryOnDuplicateKey } from '../retry-duplicate';

/** A link with the agreement it belongs to. */
export interface AgreementAdditionLink extends AdditionLink {
  agreementId: number;
}

const idOf = (partnerId: string, integrationId: string, agreementId: number, sku: string) =>
  naturalId(partnerId, integrationId, String(agreementId), sku);

/** The additions the engine created or adopted, per agreement and sku. */
export class AdditionLinkRepository {
  constructor(private readonly model: AdditionLinkModel) {}

  /** Every link of the integration (read once per run, into its snapshot). */
  async list(partnerId: string, integrationId: string): Promise<AgreementAdditionLink[]> {
    const docs = await this.model.find({ partnerId, integrationId }).lean().exec();
    return docs.map((d) => ({ agreementId: d.agreementId, sku: d.sku, additionId: d.additionId }));
  }

  /**
   * The links of one agreement for these skus, as saved now (a retried activity sees what an
   * earlier attempt linked). One `_id` lookup per sku: FerretDB answers only those from an index.
   */
  async forAgreement(
    partnerId: string,
    integrationId: string,
    agreementId: number,
    skus: readonly string[],
  ): Promise<AdditionLink[]> {
    const docs = await Promise.all(
      [...new Set(skus)].map((sku) =>
        this.model
          .findOne({ _id: idOf(partnerId, integrationId, agreementId, sku) })
          .lean()
          .exec(),
      ),
    );
    return docs.flatMap((d) => (d ? [{ sku: d.sku, additionId: d.additionId }] : []));
  }

  /** Idempotent: saving the same link twice stores it once. */
  async save(
    partnerId: string,
    integrationId: string,
    agreementId: number,
    link: AdditionLink,
  ): Promise<void> {
    await retryOnDuplicateKey(() =>
      this.model
        .updateOne(
          { _id: idOf(partnerId, integrationId, agreementId, link.sku) },
          {
            $set: { additionId: link.additionId, updatedAt: new Date() },
            $setOnInsert: { partnerId, integrationId, agreementId, sku: link.sku },
          },
          { upsert: true },
        )
        .exec(),
    );
  }

  /** The sku's addition is cancelled: it is history, no longer the one the engine keeps. */
  async remove(
    partnerId: string,
    integrationId: string,
    agreementId: number,
    sku: string,
  ): Promise<void> {
    await this.model.deleteOne({ _id: idOf(partnerId, integrationId, agreementId, sku) }).exec();
  }
}
