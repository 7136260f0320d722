import { isConnectWiseError, listAdditions } from '../../connectwise';
import type { AgreementSnapshot } from '../../db';
import { outsideApproved, writesOf } from '../../domain/billing/approval';
import type { AgreementOutcome, OperationCounts, ReconcileMode } from '../../domain/billing/run';
import { planAgreement } from '../../domain/billing/plan';
import { seatChange, seatDropHold, type SeatChange } from '../../domain/billing/safety';
import type { ExistingAddition, PlannedOperation, WantedLine } from '../../domain/billing/types';
import { toExisting } from './additions';
import { applyOperation, type ApplyContext, type LineResult } from './apply-operation';
import { cwMessage } from './cw-message';
import { agreementOutcome } from './outcome';
import { settleAll } from './settle';

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
  /** The run (or preview) whose kept plans were approved; mode `approved` only. */
  approvedKey?: string;
}

const countsOf = (ops: readonly PlannedOperation[]): OperationCounts => {
  const counts: OperationCounts = {};
  for (const op of ops) counts[op.action] = (counts[op.action] ?? 0) + 1;
  return counts;
};

/** Lists the agreement's additions, or says why it is skipped (403, or deleted since the start). */
async function additionsOf(
  ctx: ApplyContext,
  a: AgreementSnapshot,
): Promise<ExistingAddition[] | string> {
  try {
    const additions = await ctx.limit(() =>
      listAdditions(ctx.client, a.agreementId, {}, { signal: ctx.signal }),
    );
    return additions.map(toExisting);
  } catch (err) {
    if (isConnectWiseError(err) && err.kind === 'not_found')
      return `agreement ${a.agreementId} no longer exists in ConnectWise`;
    if (isConnectWiseError(err) && err.kind === 'permission')
      return `ConnectWise refused to read agreement ${a.agreementId}: ${cwMessage(err)}`;
    throw err;
  }
}

/** Why this plan may not be written now: the approved plan's bound, or the safety valve. */
async function gateOf(
  ctx: ApplyContext,
  a: AgreementSnapshot,
  operations: PlannedOperation[],
  seats: SeatChange,
  options: ReconcileOptions,
): Promise<{ skip?: string; hold?: string }> {
  if (writesOf(operations).length === 0) return {};
  if (options.mode === 'approved') {
    const scope = { ...ctx.run.ref, runKey: options.approvedKey ?? ctx.run.ref.runKey };
    const approved = await ctx.repos.billingSnapshots.getPlan(scope, a.agreementId);
    if (!approved)
      return { skip: 'the approved plan has nothing for this agreement: nothing written' };
    const outside = outsideApproved(operations, approved.operations);
    return outside ? { skip: outside } : {};
  }
  const hold = a.hold ?? seatDropHold(seats, ctx.run.policy);
  return hold ? { hold } : {};
}

/**
 * One agreement, from scratch each time: list ALL its additions (one paged read), plan against
 * the run's snapshot (usage, catalog items, policy, day) and the links saved so far, then write,
 * or keep the plan for approval. A retry therefore finds an addition an earlier attempt created
 * just before failing, and adopts it instead of creating another. ConnectWise refusing the
 * agreement itself (403, or 404: deleted since the run began) skips it with the reason.
 */
export async function reconcileAgreement(
  ctx: ApplyContext,
  a: AgreementSnapshot,
  options: ReconcileOptions = { mode: 'apply' },
): Promise<AgreementOutcome> {
  const ids = { customerId: a.customerId, agreementId: a.agreementId };
  const existing = await additionsOf(ctx, a);
  if (typeof existing === 'string') return skippedOutcome(ids, existing);
  const managed = new Map(ctx.run.products.map((p) => [p.sku, p.catalogItemId]));
  const { partnerId, integrationId } = ctx.run.ref;
  const plan = planAgreement({
    wanted: wantedOf(a, ctx),
    managed,
    existing,
    // A retry reads them as saved now, so it sees what an earlier attempt linked.
    links: ctx.retried
      ? await ctx.repos.additionLinks.forAgreement(partnerId, integrationId, a.agreementId, [
          ...managed.keys(),
        ])
      : a.links.filter((l) => managed.has(l.sku)),
    policy: ctx.run.policy,
    today: ctx.run.today,
  });
  const operations = [...plan.operations, ...uncatalogued(ctx, a, managed)];
  const seats = seatChange(existing, plan, new Set(managed.values()));
  const gate = await gateOf(ctx, a, operations, seats, options);
  if (gate.skip) return skippedOutcome(ids, gate.skip);
  if (gate.hold || options.mode === 'plan') {
    await ctx.repos.billingSnapshots.savePlan(ctx.run.ref, {
      ...ids,
      companyId: a.companyId,
      today: ctx.run.today,
      operations,
      seats,
      ...(gate.hold ? { hold: gate.hold } : {}),
    });
    const planned = countsOf(operations);
    return gate.hold
      ? { ...ids, outcome: 'held', reason: gate.hold, counts: {}, planned }
      : { ...ids, outcome: 'planned', counts: {}, planned };
  }
  const lines: LineResult[] = await settleAll(operations.map((op) => applyOperation(ctx, a, op)));
  return agreementOutcome(ids, lines);
}
