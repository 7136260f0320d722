import type { AgreementCoverage } from '../../domain/billing/coverage';
import type { AgreementOutcome, SeatLine, SkippedAgreement } from '../../domain/billing/run';
import type { BillingSeatsModel, CoverageTotalsModel } from '../models/billing-seats';
import { naturalId } from '../natural-id';

type Writes = Parameters<BillingSeatsModel['bulkWrite']>[0];

/** An integration in one tenant: what coverage knows belongs to the tenant it was read in. */
export interface SeatsScope {
  partnerId: string;
  integrationId: string;
  tenantKey: string;
}

const idOf = (s: SeatsScope, agreementId: number) =>
  naturalId(s.partnerId, s.integrationId, s.tenantKey, String(agreementId));

/**
 * What billing coverage knows of each agreement (db/models/billing-seats.ts), written by every
 * billing run (not previews), and each partner's unbilled totals for the metrics.
 */
export class BillingSeatsRepository {
  constructor(
    private readonly model: BillingSeatsModel,
    private readonly totals: CoverageTotalsModel,
  ) {}

  /**
   * A batch's outcomes: an agreement read replaces what was known of it (its seats included);
   * one not read (refused, not ready) keeps its seats and changes only its outcome.
   */
  async record(
    scope: SeatsScope,
    runKey: string,
    outcomes: ReadonlyArray<AgreementOutcome>,
    at = new Date(),
  ): Promise<void> {
    const { partnerId, integrationId, tenantKey } = scope;
    const ops = outcomes.map((o) => {
      const status = {
        customerId: o.customerId,
        runKey,
        outcome: o.outcome,
        reason: o.reason ?? null,
        problem: null,
        planned: o.planned ?? null,
        at,
      };
      const _id = idOf(scope, o.agreementId);
      const key = { partnerId, integrationId, tenantKey, agreementId: o.agreementId };
      return o.billed
        ? {
            replaceOne: {
              filter: { _id },
              replacement: { _id, ...key, ...status, lines: o.billed, readAt: at },
              upsert: true,
            },
          }
        : {
            updateOne: {
              filter: { _id },
              update: { $set: status, $setOnInsert: { ...key, readAt: null } },
              upsert: true,
            },
          };
    });
    if (ops.length > 0)
      await this.model.bulkWrite(ops as Writes, { ordered: false, throwOnValidationError: true });
  }

  /** The prepared run's skips of chosen agreements (ineligible, stale usage): outcomes only. */
  async recordSkipped(
    scope: SeatsScope,
    runKey: string,
    skipped: ReadonlyArray<SkippedAgreement>,
    at = new Date(),
  ): Promise<void> {
    const { partnerId, integrationId, tenantKey } = scope;
    const ops = skipped.flatMap((s) =>
      s.agreementId === null
        ? []
        : [
            {
              updateOne: {
                filter: { _id: idOf(scope, s.agreementId) },
                update: {
                  $set: {
                    customerId: s.customerId,
                    runKey,
                    outcome: 'skipped',
                    reason: s.reason,
                    problem: s.problem ?? null,
                    planned: null,
                    at,
                  },
                  $setOnInsert: {
                    partnerId,
                    integrationId,
                    tenantKey,
                    agreementId: s.agreementId,
                    readAt: null,
                  },
                },
                upsert: true,
              },
            },
          ],
    );
    if (ops.length > 0)
      await this.model.bulkWrite(ops, { ordered: false, throwOnValidationError: true });
  }

  /** Every agreement of the integration's tenant, in one read. */
  async list(scope: SeatsScope): Promise<Array<AgreementCoverage & { runKey: string }>> {
    const { partnerId, integrationId, tenantKey } = scope;
    const docs = await this.model
      .find({ partnerId, integrationId, tenantKey })
      .sort({ agreementId: 1 })
      .lean()
      .exec();
    return docs.map((d) => ({
      runKey: d.runKey,
      agreementId: d.agreementId,
      customerId: d.customerId ?? '',
      ...(d.lines ? { lines: d.lines.map((l): SeatLine => ({ ...l })) } : {}),
      readAt: d.readAt ?? null,
      outcome: d.outcome,
      reason: d.reason ?? null,
      problem: d.problem ?? null,
      planned: (d.planned as AgreementCoverage['planned']) ?? null,
      at: d.at,
    }));
  }

  /** The partner's unbilled totals, as its latest billing run left them. */
  async saveTotals(
    partnerId: string,
    integrationId: string,
    totals: { unbilled: number; unbilledAmount: number },
    at = new Date(),
  ): Promise<void> {
    await this.totals
      .replaceOne(
        { _id: integrationId },
        { _id: integrationId, partnerId, ...totals, at },
        { upsert: true },
      )
      .exec();
  }

  /** Unbilled totals by partner (one document per integration), for the metrics. */
  async totalsByPartner(): Promise<Record<string, { unbilled: number; unbilledAmount: number }>> {
    const docs = await this.totals.find({}).lean().exec();
    return Object.fromEntries(
      docs.map((d) => [d.partnerId, { unbilled: d.unbilled, unbilledAmount: d.unbilledAmount }]),
    );
  }

  /** What a deleted integration left (its totals; its seats go with its tenant's data). */
  async forget(partnerId: string, integrationId: string): Promise<void> {
    await Promise.all([
      this.totals.deleteOne({ _id: integrationId, partnerId }).exec(),
      this.model.deleteMany({ partnerId, integrationId }).exec(),
    ]);
  }
}
