import type { SecurityEvent } from '../../domain/tickets/event';
import type { TicketIntakeModel } from '../models/ticket-intake';

/** A report in the intake outbox (db/models/ticket-intake.ts). */
export interface IntakeReport {
  reportId: string;
  partnerId: string;
  integrationId: string;
  workflowId: string;
  event: SecurityEvent;
  seq: number;
  createdAt: Date;
}

/** Deletes and renewals go in slices of this many ids (one `$in` each). */
const SLICE = 1_000;

const slices = <T>(items: readonly T[]): T[][] =>
  Array.from({ length: Math.ceil(items.length / SLICE) }, (_, i) =>
    items.slice(i * SLICE, (i + 1) * SLICE),
  );

/** The outbox of accepted event reports (services/tickets/intake.ts). */
export class TicketIntakeRepository {
  constructor(private readonly model: TicketIntakeModel) {}

  /** A batch's reports, leased to `owner` until `until`: one round trip. */
  async add(reports: readonly IntakeReport[], owner: string, until: Date): Promise<void> {
    if (reports.length === 0) return;
    await this.model.insertMany(
      reports.map(({ reportId, ...r }) => ({
        _id: reportId,
        ...r,
        claimedBy: owner,
        claimedUntil: until,
      })),
      // Built here whole (no defaults to apply): no document hydration or validation.
      { ordered: true, lean: true },
    );
  }

  /** Reports handed to their workflows. */
  async remove(reportIds: readonly string[]): Promise<void> {
    for (const ids of slices(reportIds)) await this.model.deleteMany({ _id: { $in: ids } }).exec();
  }

  /** Keeps the lease of reports `owner` still holds in memory (Temporal slow or down). */
  async renew(owner: string, reportIds: readonly string[], until: Date): Promise<void> {
    for (const ids of slices(reportIds))
      await this.model
        .updateMany({ _id: { $in: ids }, claimedBy: owner }, { $set: { claimedUntil: until } })
        .exec();
  }

  /**
   * Claims every report whose lease ran out for `owner` until `until` (each document is claimed
   * by one sweeper: the filter is checked again as each is updated) and returns them, oldest
   * first.
   */
  async claimExpired(owner: string, now: Date, until: Date): Promise<IntakeReport[]> {
    await this.model
      .updateMany(
        { claimedUntil: { $lt: now } },
        { $set: { claimedBy: owner, claimedUntil: until } },
      )
      .exec();
    const docs = await this.model.find({ claimedBy: owner, claimedUntil: until }).lean().exec();
    return docs
      .map((d) => ({
        reportId: d._id,
        partnerId: d.partnerId,
        integrationId: d.integrationId,
        workflowId: d.workflowId,
        event: d.event as SecurityEvent,
        seq: d.seq,
        createdAt: d.createdAt,
      }))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.seq - b.seq);
  }

  /** Whether any report to this workflow is still waiting (in any process's hands). */
  async waitingFor(workflowId: string): Promise<boolean> {
    return (await this.model.exists({ workflowId }).exec()) !== null;
  }

  /** Reports not handed over yet, across processes (the dispatcher's backlog bound counts its own). */
  async count(): Promise<number> {
    return await this.model.estimatedDocumentCount().exec();
  }
}
