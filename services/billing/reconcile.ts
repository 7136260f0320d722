import { ApplicationFailure } from '@temporalio/common';
import { cwMessage, isConnectWiseError, listAdditions, writeInDoubtUntil } from '../../connectwise';
import type { AgreementSnapshot, BillingApproval } from '../../db';
import { agreementPlanHash, outsideApproved, writesOf } from '../../domain/billing/approval';
import { billedSeats } from '../../domain/billing/coverage';
import {
  writeDatesFor,
  type AgreementInvoicing,
  type WriteDates,
} from '../../domain/billing/invoice-period';
import { additionMark } from '../../domain/billing/ledger';
import { isOpen, planAgreement } from '../../domain/billing/plan';
import type { AgreementOutcome, ReconcileMode } from '../../domain/billing/run';
import { seatChange } from '../../domain/billing/safety';
import { billingDay } from '../../domain/billing/time-zone';
import type {
  CandidateDecision,
  ExistingAddition,
  LedgerEntry,
  PendingCreate,
  PlannedOperation,
} from '../../domain/billing/types';
import {
  agreementOutcome,
  ledgerScope,
  settleAll,
  type ApplyContext,
  type LineResult,
} from './apply-context';
import { applyOperation } from './apply-operation';
import { approvalFor, countsOf, hold, holdsOf, skippedOutcome } from './holds';
import { planInput, toExisting, uncatalogued } from './plan-input';

export { skippedOutcome } from './holds';

/** A create in doubt: the activity retries once ConnectWise can no longer commit it late. */
export const CREATE_IN_DOUBT = 'BillingCreateInDoubt';

/** What a batch does with its agreements, and whose kept plan bounds an `approved` write. */
export interface ReconcileOptions {
  mode: ReconcileMode;
  /** The preview whose kept plans were applied by hash; mode `approved` only. */
  approvedKey?: string;
}

/**
 * One agreement, from scratch each time: list ALL its additions (one paged read), plan against
 * the run's snapshot (usage, catalog items, policy), the ledger and the releases, then write, or
 * hold the plan for a person's decision. A retry therefore finds an addition an earlier attempt
 * created just before failing, by its mark, and adopts it instead of creating another.
 * ConnectWise refusing the agreement itself (403, or 404: deleted since the run began) skips it
 * with the reason. Every date is of the day the write happens.
 */
export async function reconcileAgreement(
  ctx: ApplyContext,
  a: AgreementSnapshot,
  options: ReconcileOptions = { mode: 'apply' },
): Promise<AgreementOutcome> {
  const ids = { customerId: a.customerId, agreementId: a.agreementId };
  const existing = await additionsOf(ctx, a);
  if (!Array.isArray(existing))
    return {
      ...skippedOutcome(ids, existing.skip),
      ...(existing.gone ? { billed: [] } : {}),
    };
  const { run } = ctx;
  const today = billingDay(run.zone, new Date());
  // A retry reads the ledger as saved now, so it sees what an earlier attempt wrote.
  const ledger = ctx.retried
    ? await ctx.repos.billingLedger.forAgreement(ledgerScope(run), a.agreementId)
    : { entries: a.ledger, pending: a.pending };
  const owned = new Set(ledger.entries.map((e) => e.additionId));
  waitForPendingCreates(ctx, a, ledger.pending, existing, today, owned);
  const managed = new Map(run.products.map((p) => [p.sku, p.catalogItemId]));
  const ownedIds = new Set(
    ledger.entries.filter((e) => e.state !== 'kept_separate').map((e) => e.additionId),
  );
  // The seats billed once the writes ConnectWise answered done are carried out (coverage).
  const billedAfter = (
    applied: readonly PlannedOperation[],
    kept: readonly LedgerEntry[] = [],
    cancelOn = today,
  ) => billedSeats(existing, [...ledger.entries, ...kept], applied, today, ids, cancelOn);

  // The plan, from what ConnectWise holds; with the partner's decisions once they approved it.
  const input = planInput(ctx, a, existing, ledger, managed, today);
  const planned = (decisions: ReadonlyMap<number, CandidateDecision> = new Map()) => {
    const plan = planAgreement({ ...input, decisions });
    return { plan, operations: [...plan.operations, ...uncatalogued(ctx, a, managed)] };
  };
  const first = planned();
  const planHash = agreementPlanHash(a.agreementId, first.operations);
  const { approval, approved } = await approvalFor(ctx, a, options.mode, planHash, (usable) =>
    usable.decisions.length
      ? planned(new Map(usable.decisions.map((d) => [d.additionId, d.decision])))
      : first,
  );
  const { plan, operations } = approved ?? first;
  const seats = seatChange(existing, plan, new Set(managed.values()), ownedIds);

  if (options.mode === 'approved') {
    const scopeKey = { ...run.ref, runKey: options.approvedKey ?? run.ref.runKey };
    const kept = await ctx.repos.billingSnapshots.getPlan(scopeKey, a.agreementId);
    if (writesOf(operations).length > 0) {
      const outside = kept
        ? outsideApproved(operations, kept.operations)
        : 'the approved plan has nothing for this agreement: nothing written';
      if (outside) return { ...skippedOutcome(ids, outside), billed: billedAfter([]) };
    }
  }
  // An applied preview needs no approval (the partner saw it), but for candidates: only the
  // partner's answer on each decides what becomes of an addition the engine does not own.
  const found = approved
    ? undefined
    : holdsOf(ctx, a, operations, existing, plan, managed, ownedIds);
  const holds = [
    ...(found?.candidates ? [found.candidates] : []),
    ...(options.mode === 'approved' ? [] : (found?.guards ?? [])),
  ];
  const dates = writeDatesFor(a.invoicing ?? NOT_READ, today);
  if (options.mode === 'plan') {
    await ctx.repos.billingSnapshots.savePlan(run.ref, {
      ...ids,
      dates,
      companyId: a.companyId,
      today,
      operations,
      seats,
      ...(holds.length ? { hold: holds.join('; ') } : {}),
    });
    return { ...ids, outcome: 'planned', counts: {}, planned: countsOf(operations) };
  }
  if (holds.length > 0) {
    const held = await hold(ctx, a, { operations, seats, planHash, holds, approval });
    return { ...held, billed: billedAfter([]) };
  }

  const { lines, done, kept } = await applyPlan(ctx, a, {
    operations,
    dates,
    ownedIds,
    approved: approved?.approval,
  });
  return { ...agreementOutcome(ids, lines), billed: billedAfter(done, kept, dates.cancelDate) };
}

/**
 * Carries out the plan: the partner's cancels of additions the engine does not own first (the
 * engine's own addition of that sku is created only once they are done, so both never bill
 * together), then the rest; an approved plan's decisions to keep an addition separate are
 * remembered for good. The lines, the operations done, and the additions kept separate.
 */
async function applyPlan(
  ctx: ApplyContext,
  a: AgreementSnapshot,
  {
    operations,
    dates,
    ownedIds,
    approved,
  }: {
    operations: PlannedOperation[];
    dates: WriteDates;
    ownedIds: ReadonlySet<number>;
    approved: BillingApproval | undefined;
  },
): Promise<{ lines: LineResult[]; done: PlannedOperation[]; kept: LedgerEntry[] }> {
  const { run } = ctx;
  if (approved && approved.applying?.runKey !== run.ref.runKey) {
    // Recorded before the first write: a retry of this run finishes the plan it began.
    await ctx.repos.billingApprovals.markApplying(run.ref, a.agreementId, approved.approvalId, {
      runKey: run.ref.runKey,
      operations,
    });
  }
  const first = operations.filter((op) => op.action === 'cancel' && !ownedIds.has(op.additionId));
  const firstLines = await settleAll(first.map((op) => applyOperation(ctx, a, op, dates)));
  const refused = new Set(
    first.filter((_, i) => firstLines[i]!.outcome === 'failed').map((op) => op.sku),
  );
  const rest = operations
    .filter((op) => !first.includes(op))
    .map((op): PlannedOperation =>
      op.action === 'create' && refused.has(op.sku)
        ? {
            action: 'skip',
            sku: op.sku,
            reason: `not created: ConnectWise refused to cancel the addition the partner chose to replace`,
          }
        : op,
    );
  const lines: LineResult[] = [
    ...firstLines,
    ...(await settleAll(rest.map((op) => applyOperation(ctx, a, op, dates)))),
  ];
  const kept: LedgerEntry[] = [];
  if (approved) {
    // Keeping an addition beside the engine's is remembered for good: never asked again.
    for (const c of approved.decisions.filter((d) => d.decision === 'keep_separate')) {
      const op = approved.operations.find(
        (o) => o.action === 'candidate' && o.additionId === c.additionId,
      );
      if (op?.action !== 'candidate') continue;
      const entry: LedgerEntry = {
        agreementId: a.agreementId,
        additionId: c.additionId,
        sku: op.sku,
        productId: op.productId,
        customerId: a.customerId,
        state: 'kept_separate',
      };
      await ctx.repos.billingLedger.save(ledgerScope(run), entry);
      kept.push(entry);
    }
    await ctx.repos.billingApprovals.markApplied(run.ref, a.agreementId, approved.approvalId);
  }
  const done = [...first, ...rest].filter(
    (_, i) => lines[i]!.outcome === 'applied' || lines[i]!.outcome === 'unchanged',
  );
  return { lines, done, kept };
}

/**
 * Lists the agreement's additions, or says why it is skipped: 403, or deleted since the start
 * (`gone`: it bills nothing any more).
 */
async function additionsOf(
  ctx: ApplyContext,
  a: AgreementSnapshot,
): Promise<ExistingAddition[] | { skip: string; gone: boolean }> {
  try {
    const additions = await ctx.limit(() =>
      listAdditions(ctx.client, a.agreementId, {}, { signal: ctx.signal }),
    );
    return additions.map(toExisting);
  } catch (err) {
    if (isConnectWiseError(err) && err.kind === 'not_found')
      return { skip: `agreement ${a.agreementId} no longer exists in ConnectWise`, gone: true };
    if (isConnectWiseError(err) && err.kind === 'permission')
      return {
        skip: `ConnectWise refused to read agreement ${a.agreementId}: ${cwMessage(err)}`,
        gone: false,
      };
    throw err;
  }
}

/**
 * A create sent earlier whose answer was never seen may still be committed by ConnectWise until
 * its own timeout has passed: until then nothing is planned for that sku (the activity retries
 * when it has passed), so the create is found by its mark instead of made twice.
 */
function waitForPendingCreates(
  ctx: ApplyContext,
  a: AgreementSnapshot,
  pending: readonly PendingCreate[],
  existing: readonly ExistingAddition[],
  today: string,
  owned: ReadonlySet<number>,
): void {
  const now = Date.now();
  let wait = 0;
  for (const p of pending) {
    const mark = additionMark(ctx.run.ref.integrationId, a.agreementId, p.sku);
    // Landed: an open addition with its mark that the ledger does not hold already (an older
    // one of the engine's, e.g. released under leave, carries the same mark).
    const landed = existing.some(
      (x) => x.serialNumber === mark && isOpen(x, today) && !owned.has(x.id),
    );
    if (landed) continue;
    wait = Math.max(wait, writeInDoubtUntil(p.sentAt, ctx.createTimeoutMs) - now);
  }
  if (wait > 0) {
    throw ApplicationFailure.create({
      type: CREATE_IN_DOUBT,
      message: `a create on agreement ${a.agreementId} was sent without an answer seen; ConnectWise may still commit it, so it is looked up again in ${Math.ceil(wait / 1000)} s`,
      nextRetryDelay: wait,
    });
  }
}

/** How the agreement invoices (no read: nothing invoiced, no proration). */
const NOT_READ: AgreementInvoicing = {
  billingCycle: null,
  nextInvoiceDate: null,
  billStartDate: null,
  prorateFlag: false,
  invoiceProratedAdditionsFlag: false,
};
