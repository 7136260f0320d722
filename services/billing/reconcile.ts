import { isConnectWiseError, listAdditions } from '../../connectwise';
import type { AgreementSnapshot } from '../../db';
import type { AgreementOutcome } from '../../domain/billing/run';
import { planAgreement } from '../../domain/billing/plan';
import type { PlannedOperation, WantedLine } from '../../domain/billing/types';
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

/**
 * One agreement, from scratch each time: list ALL its additions (one paged read), plan against
 * the run's snapshot (usage, catalog items, policy, day) and the links saved so far, apply. A retry therefore finds an addition an earlier attempt created just
 * before failing, and adopts it instead of creating another. ConnectWise refusing the agreement
 * itself (403, or 404: deleted since the run began) skips it with the reason.
 */
export async function reconcileAgreement(
  ctx: ApplyContext,
  a: AgreementSnapshot,
): Promise<AgreementOutcome> {
  const ids = { customerId: a.customerId, agreementId: a.agreementId };
  let additions;
  try {
    additions = await ctx.limit(() =>
      listAdditions(ctx.client, a.agreementId, {}, { signal: ctx.signal }),
    );
  } catch (err) {
    if (isConnectWiseError(err) && err.kind === 'not_found')
      return skippedOutcome(ids, `agreement ${a.agreementId} no longer exists in ConnectWise`);
    if (isConnectWiseError(err) && err.kind === 'permission')
      return skippedOutcome(
        ids,
        `ConnectWise refused to read agreement ${a.agreementId}: ${cwMessage(err)}`,
      );
    throw err;
  }
  const managed = new Map(ctx.run.products.map((p) => [p.sku, p.catalogItemId]));
  const { partnerId, integrationId } = ctx.run.ref;
  const plan = planAgreement({
    wanted: wantedOf(a, ctx),
    managed,
    existing: additions.map(toExisting),
    // As saved now, not as the snapshot froze them: a retry sees what an earlier attempt linked.
    links: await ctx.repos.additionLinks.forAgreement(partnerId, integrationId, a.agreementId, [
      ...managed.keys(),
    ]),
    policy: ctx.run.policy,
    today: ctx.run.today,
  });
  const operations = [...plan.operations, ...uncatalogued(ctx, a, managed)];
  const lines: LineResult[] = await settleAll(operations.map((op) => applyOperation(ctx, a, op)));
  return agreementOutcome(ids, lines);
}
