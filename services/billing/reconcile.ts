import { ApplicationFailure } from '@temporalio/common';
import { cwMessage, isConnectWiseError, listAdditions, writeInDoubtUntil } from '../../connectwise';
import type { AgreementSnapshot, BillingApproval } from '../../db';
import { agreementPlanHash, outsideApproved, writesOf } from '../../domain/billing/approval';
import { findCandidates } from '../../domain/billing/candidates';
import { writeDatesFor, type AgreementInvoicing } from '../../domain/billing/invoice-period';
import { keyDigest } from '../../domain/billing/key-digest';
import { billedSeats } from '../../domain/billing/coverage';
import { additionMark } from '../../domain/billing/ledger';
import { isOpen, planAgreement, type PlanInput } from '../../domain/billing/plan';
import type { AgreementOutcome, OperationCounts, ReconcileMode } from '../../domain/billing/run';
import { seatChange, seatDropHold } from '../../domain/billing/safety';
import { billingDay } from '../../domain/billing/time-zone';
import type {
  ExistingAddition,
  LedgerEntry,
  PendingCreate,
  PlannedOperation,
  WantedLine,
} from '../../domain/billing/types';
import { toExisting } from './additions';
import { applyOperation, ledgerScope, type ApplyContext, type LineResult } from './apply-operation';
import { agreementOutcome } from './outcome';
import { settleAll } from './settle';

/** A create in doubt: the activity retries once ConnectWise can no longer commit it late. */
export const CREATE_IN_DOUBT = 'BillingCreateInDoubt';

/** Lines whose sku has no catalog item this run: skipped with the reason prepare found. */
function uncatalogued(
  ctx: ApplyContext,
  a: AgreementSnapshot,
  managed: ReadonlyMap<string, number>,
) {
  const reasons = new Map(ctx.run.skippedSkus.map((s) => [s.sku, s.reason]));
  return a.lines
    .filter((l) => !managed.has(l.sku) && l.quantity > 0)
    .map((l): PlannedOperation => ({
      action: 'skip',
      sku: l.sku,
      reason: reasons.get(l.sku) ?? `sku ${l.sku} has no ConnectWise catalog item`,
    }));
}

/** What the snapshot says the agreement should bill, per managed sku. */
function wantedOf(a: AgreementSnapshot, ctx: ApplyContext): WantedLine[] {
  const products = new Map(ctx.run.products.map((p) => [p.sku, p]));
  return a.lines.flatMap((l) => {
    const p = products.get(l.sku);
    if (!p) return [];
    return [
      {
        sku: l.sku,
        productId: p.catalogItemId,
        quantity: l.quantity,
        unitPrice: p.price,
        unitCost: p.cost,
      },
    ];
  });
}

export const skippedOutcome = (
  a: Pick<AgreementOutcome, 'customerId' | 'agreementId'>,
  reason: string,
): AgreementOutcome => ({
  ...a,
  outcome: 'skipped',
  reason,
  counts: {},
});

/** What a batch does with its agreements, and whose kept plan bounds an `approved` write. */
export interface ReconcileOptions {
  mode: ReconcileMode;
  /** The preview whose kept plans were applied by hash; mode `approved` only. */
  approvedKey?: string;
}

const countsOf = (ops: readonly PlannedOperation[]): OperationCounts => {
  const counts: OperationCounts = {};
  for (const op of ops) counts[op.action] = (counts[op.action] ?? 0) + 1;
  return counts;
};

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

/**
 * Why a plan must wait for a person, if it must: additions the engine does not own that may bill
 * its products (only the partner can say what becomes of them), and the guards (safety valve,
 * approval mode), which an applied preview passes (the partner saw it).
 */
function holdsOf(
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
  const scope = ledgerScope(run);
  const today = billingDay(run.zone, new Date());
  // A retry reads the ledger as saved now, so it sees what an earlier attempt wrote.
  const ledger = ctx.retried
    ? await ctx.repos.billingLedger.forAgreement(scope, a.agreementId)
    : { entries: a.ledger, pending: a.pending };
  waitForPendingCreates(
    ctx,
    a,
    ledger.pending,
    existing,
    today,
    new Set(ledger.entries.map((e) => e.additionId)),
  );
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
  const input = planInput(ctx, a, existing, ledger, managed, today);
  const plan0 = planAgreement(input);
  const ops0 = [...plan0.operations, ...uncatalogued(ctx, a, managed)];
  const planHash = agreementPlanHash(a.agreementId, ops0);

  const approval =
    options.mode === 'apply' && (ctx.retried || a.approval !== undefined)
      ? await ctx.repos.billingApprovals.get(run.ref, a.agreementId)
      : undefined;
  const usable =
    approval?.status === 'approved' &&
    approval.tenantKey === run.tenantKey &&
    approval.expiresAt.getTime() > Date.now()
      ? approval
      : undefined;
  const withDecisions = usable?.decisions.length
    ? planAgreement({
        ...input,
        decisions: new Map(usable.decisions.map((d) => [d.additionId, d.decision])),
      })
    : plan0;
  const opsWithDecisions =
    withDecisions === plan0
      ? ops0
      : [...withDecisions.operations, ...uncatalogued(ctx, a, managed)];
  // The approved plan, as planned now; or, for a retry of this very run after it began writing
  // it, what is left of it (what was written is no longer planned; nothing else may be).
  const approved =
    usable &&
    (usable.planHash === planHash ||
      (usable.applying?.runKey === run.ref.runKey &&
        outsideApproved(opsWithDecisions, usable.applying.operations) === undefined))
      ? usable
      : undefined;
  const plan = approved ? withDecisions : plan0;
  const operations = approved ? opsWithDecisions : ops0;
  const seats = seatChange(existing, plan, new Set(managed.values()), ownedIds);

  if (options.mode === 'approved') {
    const scopeKey = { ...run.ref, runKey: options.approvedKey ?? run.ref.runKey };
    const kept = await ctx.repos.billingSnapshots.getPlan(scopeKey, a.agreementId);
    if (writesOf(operations).length > 0) {
      if (!kept)
        return {
          ...skippedOutcome(
            ids,
            'the approved plan has nothing for this agreement: nothing written',
          ),
          billed: billedAfter([]),
        };
      const outside = outsideApproved(operations, kept.operations);
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

  if (approved && approved.applying?.runKey !== run.ref.runKey) {
    // Recorded before the first write: a retry of this run finishes the plan it began.
    await ctx.repos.billingApprovals.markApplying(run.ref, a.agreementId, approved.approvalId, {
      runKey: run.ref.runKey,
      operations,
    });
  }
  // The partner's cancels of additions the engine does not own go first: the engine's own
  // addition of that sku is created only once they are done, so both never bill together.
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
      await ctx.repos.billingLedger.save(scope, entry);
      kept.push(entry);
    }
    await ctx.repos.billingApprovals.markApplied(run.ref, a.agreementId, approved.approvalId);
  }
  const done = [...first, ...rest].filter(
    (_, i) => lines[i]!.outcome === 'applied' || lines[i]!.outcome === 'unchanged',
  );
  return { ...agreementOutcome(ids, lines), billed: billedAfter(done, kept, dates.cancelDate) };
}

function planInput(
  ctx: ApplyContext,
  a: AgreementSnapshot,
  existing: ExistingAddition[],
  { entries, pending }: { entries: LedgerEntry[]; pending: PendingCreate[] },
  managed: ReadonlyMap<string, number>,
  today: string,
): PlanInput {
  const { run } = ctx;
  const names = new Map(run.products.map((p) => [p.sku, p.name]));
  const engineItems = new Set([...managed.values(), ...entries.map((e) => e.productId)]);
  const otherSkuItem = (sku: string, item: number) =>
    [...managed].some(([other, id]) => other !== sku && id === item);
  return {
    wanted: wantedOf(a, ctx),
    managed,
    existing,
    ledger: entries,
    releases: new Map(a.releases.map((r) => [r.additionId, r.reason])),
    decisions: new Map(),
    mark: (sku) => additionMark(run.ref.integrationId, a.agreementId, sku),
    pending: new Set(pending.map((p) => p.sku)),
    candidates: (sku, productId, foreign) =>
      findCandidates(
        foreign.map((f) => ({
          id: f.id,
          productId: f.productId,
          productIdentifier: f.productIdentifier ?? null,
          description: f.description ?? null,
          quantity: f.quantity,
          unitPrice: f.unitPrice ?? null,
        })),
        { sku, name: names.get(sku) ?? sku, productId },
        // An item another sku is billed as now bills that sku, not this one.
        new Set([...engineItems].filter((id) => !otherSkuItem(sku, id))),
      ).map((c) => ({ additionId: c.additionId, why: c.detail })),
    policy: run.policy,
    today,
  };
}

/**
 * Holds the agreement's plan for a person: one pending approval per agreement. The same plan
 * still pending, or rejected, stays as it is; any other replaces it (the older one is then
 * answered `superseded`).
 */
async function hold(
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
