import type { SeatChange } from '../../domain/billing/safety';
import type { PlannedOperation } from '../../domain/billing/types';
import type { BillingApprovalModel } from '../models/billing-approval';
import { naturalId } from '../natural-id';
import { retryOnDuplicateKey } from '../retry-duplicate';
import { approvalDecidedEvent, approvalPendingEvent } from '../webhook-events';
import type { BillingApproval, CandidateChoice, NewApproval } from './billing-approval-record';
import type { WebhookEmitter } from './webhook-deliveries';

type Scope = { partnerId: string; integrationId: string };

const idOf = (s: Scope, agreementId: number) =>
  naturalId(s.partnerId, s.integrationId, String(agreementId));

type Lean = Omit<BillingApproval, 'operations' | 'seats'> & {
  body: { operations: PlannedOperation[]; seats: SeatChange };
};

const fromDoc = ({ body, ...doc }: Lean & { _id?: unknown; __v?: unknown }): BillingApproval => {
  const { _id, __v, ...rest } = doc;
  return { ...rest, operations: body.operations, seats: body.seats };
};

/** Held plans, one per agreement; listed by tenant and status (the model's indexes). */
export class BillingApprovalRepository {
  constructor(
    private readonly model: BillingApprovalModel,
    /** Tells the partner's webhooks of each plan held and each decision. */
    private readonly events?: WebhookEmitter,
  ) {}

  async get(scope: Scope, agreementId: number): Promise<BillingApproval | undefined> {
    const doc = await this.model
      .findOne({ _id: idOf(scope, agreementId) })
      .lean<Lean>()
      .exec();
    return doc ? fromDoc(doc) : undefined;
  }

  /**
   * Every approval of the integration in this tenant that may still matter to a run (pending,
   * approved, rejected): read once per run, into its snapshot.
   */
  async listLive(scope: Scope & { tenantKey: string }): Promise<BillingApproval[]> {
    const docs = await this.model
      .find({
        partnerId: scope.partnerId,
        integrationId: scope.integrationId,
        tenantKey: scope.tenantKey,
        status: { $in: ['pending', 'approved', 'rejected'] },
      })
      .lean<Lean[]>()
      .exec();
    return docs.map(fromDoc);
  }

  /**
   * The agreement's new pending plan; whatever it held before is superseded. A new approvalId is
   * `billing.approval_pending` (the same one written again, with new reasons, is the same event).
   */
  async putPending(approval: NewApproval): Promise<void> {
    const { operations, seats, ...rest } = approval;
    await retryOnDuplicateKey(() =>
      this.model
        .replaceOne(
          { _id: idOf(approval, approval.agreementId) },
          { ...rest, status: 'pending', body: { operations, seats }, decisions: [] },
          { upsert: true },
        )
        .exec(),
    );
    await this.events?.emit(approval.partnerId, approvalPendingEvent(approval));
  }

  /**
   * Records a decision if the approval is still the pending one with this plan; returns it
   * decided, or undefined when it is not (superseded, decided, or another plan).
   */
  async decide(
    scope: Scope,
    agreementId: number,
    expect: { approvalId: string; planHash: string; now: Date },
    decision: { status: 'approved' | 'rejected'; by: string; decisions: CandidateChoice[] },
  ): Promise<BillingApproval | undefined> {
    const doc = await this.model
      .findOneAndUpdate(
        {
          _id: idOf(scope, agreementId),
          approvalId: expect.approvalId,
          planHash: expect.planHash,
          status: 'pending',
          expiresAt: { $gt: expect.now },
        },
        {
          $set: {
            status: decision.status,
            decidedBy: decision.by,
            decidedAt: expect.now,
            decisions: decision.decisions,
          },
        },
        { new: true },
      )
      .lean<Lean>()
      .exec();
    if (!doc) return undefined;
    const decided = fromDoc(doc);
    await this.events?.emit(scope.partnerId, approvalDecidedEvent(decided), expect.now);
    return decided;
  }

  /** A run is about to write the approved plan: these writes, and no other, are its. */
  async markApplying(
    scope: Scope,
    agreementId: number,
    approvalId: string,
    applying: { runKey: string; operations: PlannedOperation[] },
  ): Promise<void> {
    await this.model
      .updateOne(
        { _id: idOf(scope, agreementId), approvalId, status: 'approved' },
        { $set: { applying } },
      )
      .exec();
  }

  /** The approved plan was written. */
  async markApplied(scope: Scope, agreementId: number, approvalId: string): Promise<void> {
    await this.model
      .updateOne(
        { _id: idOf(scope, agreementId), approvalId, status: 'approved' },
        { $set: { status: 'applied' } },
      )
      .exec();
  }

  /** A page of pending approvals, by agreement id, optionally of one customer. */
  async listPending(
    scope: Scope & { tenantKey: string },
    options: { customerId?: string; afterAgreementId?: number; limit: number; now: Date },
  ): Promise<{ items: BillingApproval[]; next: number | null }> {
    const docs = await this.model
      .find({
        partnerId: scope.partnerId,
        integrationId: scope.integrationId,
        tenantKey: scope.tenantKey,
        status: 'pending',
        ...(options.customerId ? { customerId: options.customerId } : {}),
        expiresAt: { $gt: options.now },
        ...(options.afterAgreementId !== undefined
          ? { agreementId: { $gt: options.afterAgreementId } }
          : {}),
      })
      .sort({ agreementId: 1 })
      .limit(options.limit + 1)
      .lean<Lean[]>()
      .exec();
    const items = docs.slice(0, options.limit).map(fromDoc);
    return { items, next: docs.length > options.limit ? items.at(-1)!.agreementId : null };
  }

  /** A change of tenant: nothing held or approved in the old one may be written. */
  async expireAll(scope: Scope): Promise<number> {
    const res = await this.model
      .updateMany(
        {
          partnerId: scope.partnerId,
          integrationId: scope.integrationId,
          status: { $in: ['pending', 'approved'] },
        },
        { $set: { status: 'expired' } },
      )
      .exec();
    return res.modifiedCount;
  }
}
