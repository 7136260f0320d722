/**
 * Plans that wait for a person: why one must (additions the engine does not own, the safety
 * valve, approval mode), the partner's approval that lets it through, and holding it as one
 * pending approval per agreement.
 */
import type { AgreementSnapshot, BillingApproval } from '../../db';
import { outsideApproved, writesOf } from '../../domain/billing/approval';
import { keyDigest } from '../../domain/billing/key-digest';
import type { AgreementOutcome, OperationCounts, ReconcileMode } from '../../domain/billing/run';
import { seatChange, seatDropHold } from '../../domain/billing/safety';
import type { ExistingAddition, PlannedOperation } from '../../domain/billing/types';
import type { ApplyContext } from './apply-context';

export const countsOf = (ops: readonly PlannedOperation[]): OperationCounts => {
  const counts: OperationCounts = {};
  for (const op of ops) counts[op.action] = (counts[op.action] ?? 0) + 1;
  return counts;
};

export const skippedOutcome = (
  a: Pick<AgreementOutcome, 'customerId' | 'agreementId'>,
  reason: string,
): AgreementOutcome => ({
  ...a,
  outcome: 'skipped',
  reason,
  counts: {},
});

/**
 * The partner's approval of this agreement's plan that may be carried out now, with the plan it
 * lets through: approved, for this tenant, not expired, and either the very plan planned now, or
 * (a retry of the run that began writing it) what is left of it. `approval` is the agreement's
 * approval whatever its state (a hold keeps or replaces it).
 */
export async function approvalFor<P>(
  ctx: ApplyContext,
  a: AgreementSnapshot,
  mode: ReconcileMode,
  planHash: string,
  withDecisions: (approval: BillingApproval) => { plan: P; operations: PlannedOperation[] },
): Promise<{
  approval?: BillingApproval;
  approved?: { approval: BillingApproval; plan: P; operations: PlannedOperation[] };
}> {
  const { run } = ctx;
  const approval =
    mode === 'apply' && (ctx.retried || a.approval !== undefined)
      ? await ctx.repos.billingApprovals.get(run.ref, a.agreementId)
      : undefined;
  const usable =
    approval?.status === 'approved' &&
    approval.tenantKey === run.tenantKey &&
    approval.expiresAt.getTime() > Date.now()
      ? approval
      : undefined;
  if (!usable) return approval ? { approval } : {};
  const decided = withDecisions(usable);
  const approved =
    usable.planHash === planHash ||
    (usable.applying?.runKey === run.ref.runKey &&
      outsideApproved(decided.operations, usable.applying.operations) === undefined);
  return approved ? { approval, approved: { approval: usable, ...decided } } : { approval };
}

/**
 * Why a plan must wait for a person, if it must: additions the engine does not own that may bill
 * its products (only the partner can say what becomes of them), and the guards (safety valve,
 * approval mode), which an applied preview passes (the partner saw it).
 */
export function holdsOf(
  ctx: ApplyContext,
  a: AgreementSnapshot,
  ops: readonly PlannedOperation[],
  existing: ExistingAddition[],
  plan: { operations: PlannedOperation[]; today: string },
  managed: ReadonlyMap<string, number>,
  ownedIds: ReadonlySet<number>,
): { candidates?: string; guards: string[] } {
  const candidates = ops.filter((op) => op.action === 'candidate');
  const writing = writesOf(ops).length > 0;
  const usageOnly = {
    ...plan,
    operations: plan.operations.filter((op) => op.action !== 'release'),
  };
  const drop = seatDropHold(
    seatChange(existing, usageOnly, new Set(managed.values()), ownedIds),
    ctx.run.policy,
  );
  const skus = [...new Set(candidates.map((c) => c.sku))].join(', ');
  const guards = [
    writing ? a.hold : undefined,
    writing ? drop : undefined,
    writing && ctx.run.policy.apply === 'approve' && !ctx.run.ref.approvedKey
      ? 'approval mode: every change waits for a person'
      : undefined,
  ].filter((r): r is string => r !== undefined);
  return candidates.length > 0
    ? {
        candidates: `${candidates.length} addition${candidates.length > 1 ? 's' : ''} the engine does not own may already bill ${skus}: adopt, keep separate or cancel`,
        guards,
      }
    : { guards };
}

/**
 * Holds the agreement's plan for a person: one pending approval per agreement. The same plan
 * still pending, or rejected, stays as it is; any other replaces it (the older one is then
 * answered `superseded`).
 */
export async function hold(
  ctx: ApplyContext,
  a: AgreementSnapshot,
  held: {
    operations: PlannedOperation[];
    seats: ReturnType<typeof seatChange>;
    planHash: string;
    holds: string[];
    approval: BillingApproval | undefined;
  },
): Promise<AgreementOutcome> {
  const { run } = ctx;
  const ids = { customerId: a.customerId, agreementId: a.agreementId };
  const now = new Date();
  const current = held.approval;
  const same = current?.planHash === held.planHash && current.tenantKey === run.tenantKey;
  if (same && current.status === 'rejected') {
    return skippedOutcome(
      ids,
      `this plan was rejected by ${current.decidedBy ?? 'a partner'}: not written (a changed plan is asked again)`,
    );
  }
  const live = same && current.status === 'pending' && current.expiresAt > now;
  // The same plan still pending keeps its approval (and its expiry); only why it waits may change.
  if (!live || current.reasons.join('\n') !== held.holds.join('\n')) {
    await ctx.repos.billingApprovals.putPending({
      approvalId: live
        ? current.approvalId
        : `${a.agreementId}.${keyDigest(`${run.ref.runKey}\u0000${held.planHash}`)}`,
      partnerId: run.ref.partnerId,
      integrationId: run.ref.integrationId,
      tenantKey: run.tenantKey,
      agreementId: a.agreementId,
      customerId: a.customerId || (a.ledger[0]?.customerId ?? ''),
      companyId: a.companyId,
      runKey: live ? current.runKey : run.ref.runKey,
      planHash: held.planHash,
      reasons: held.holds,
      operations: held.operations,
      seats: held.seats,
      createdAt: live ? current.createdAt : now,
      expiresAt: live
        ? current.expiresAt
        : new Date(now.getTime() + run.policy.approvalExpiryHours * 3_600_000),
    });
  }
  const reason = held.holds.join('; ');
  return { ...ids, outcome: 'held', reason, counts: {}, planned: countsOf(held.operations) };
}
