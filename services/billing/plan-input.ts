/**
 * What the planner (domain/billing/plan.ts) is given for one agreement: the lines the run's
 * snapshot wants billed, the additions ConnectWise holds, the ledger, and how to tell a candidate.
 */
import type { Addition } from '../../connectwise';
import type { AgreementSnapshot } from '../../db';
import { findCandidates } from '../../domain/billing/candidates';
import { additionMark } from '../../domain/billing/ledger';
import type { PlanInput } from '../../domain/billing/plan';
import type {
  ExistingAddition,
  LedgerEntry,
  PendingCreate,
  PlannedOperation,
  WantedLine,
} from '../../domain/billing/types';
import type { ApplyContext } from './apply-context';

/** An addition as the planner sees it (a missing quantity is none; a missing cancel date, open). */
export const toExisting = (a: Addition): ExistingAddition => ({
  id: a.id,
  productId: a.product.id ?? 0,
  productIdentifier: a.product.identifier ?? null,
  description: a.description ?? null,
  serialNumber: a.serialNumber ?? null,
  quantity: a.quantity ?? 0,
  unitPrice: a.unitPrice ?? null,
  unitCost: a.unitCost ?? null,
  cancelledDate: a.cancelledDate ?? null,
});

/** Lines whose sku has no catalog item this run: skipped with the reason prepare found. */
export function uncatalogued(
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

export function planInput(
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
