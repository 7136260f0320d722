import { isEngineMark } from './ledger';
import { planFirstWrite, planOwned, valuesOf, wantedValues } from './plan-sku';
import type { AgreementPlan, ExistingAddition, PlannedOperation, PlanInput } from './types';

export type { CandidateMatch, PlanInput } from './types';

/**
 * Open: still billing. ConnectWise keeps a cancelled addition until its `cancelledDate`, so one
 * cancelled for a later day is open today (docs/connectwise.md §8.2). `today` is `yyyy-MM-dd`.
 */
export const isOpen = (a: Pick<ExistingAddition, 'cancelledDate'>, today: string): boolean =>
  a.cancelledDate === null || a.cancelledDate.slice(0, 10) > today;

/**
 * An addition of the engine's own is still its own until its cancel date has passed: one
 * cancelled today (a zero-usage cancel when no invoiced period runs) is taken back if usage comes
 * back the same day, rather than left beside a second addition for the sku.
 */
const notEnded = (a: Pick<ExistingAddition, 'cancelledDate'>, today: string): boolean =>
  a.cancelledDate === null || a.cancelledDate.slice(0, 10) >= today;

/** Skus that point at one catalog item cannot each have "the" addition of that product. */
function sharedProducts(managed: ReadonlyMap<string, number>): Map<number, string[]> {
  const bySku = new Map<number, string[]>();
  for (const [sku, productId] of managed)
    bySku.set(productId, [...(bySku.get(productId) ?? []), sku]);
  return new Map([...bySku].filter(([, skus]) => skus.length > 1));
}

/** Ledger additions no longer backed: released by the zero-usage policy, or forgotten if gone. */
function releasesOf(input: PlanInput, byId: Map<number, ExistingAddition>): PlannedOperation[] {
  const { policy, today } = input;
  const ops: PlannedOperation[] = [];
  for (const entry of [...input.ledger].sort((x, y) => x.additionId - y.additionId)) {
    const { sku, additionId } = entry;
    const a = byId.get(additionId);
    if (entry.state === 'kept_separate') {
      if (!a || !isOpen(a, today))
        ops.push({
          action: 'forget',
          sku,
          additionId,
          reason: `addition ${additionId}, kept separate, is no longer open`,
        });
      continue;
    }
    // A released one cancelled today is done with; an unreleased one is ours until tomorrow.
    const ended = !a || !(input.releases.has(additionId) ? isOpen(a, today) : notEnded(a, today));
    if (ended) {
      const reason = a
        ? `addition ${additionId} was cancelled in ConnectWise (${a.cancelledDate?.slice(0, 10)})`
        : `addition ${additionId} no longer exists in ConnectWise`;
      ops.push({ action: 'forget', sku, additionId, reason });
      continue;
    }
    const reason = input.releases.get(additionId);
    if (reason === undefined) continue;
    if (policy.zeroUsage === 'leave' && entry.state === 'left') {
      ops.push({ action: 'left', sku, additionId, reason });
      continue;
    }
    const from = valuesOf(a, policy);
    const effect = policy.zeroUsage;
    const to = effect === 'zero' && a.quantity !== 0 ? { to: { quantity: 0 } } : {};
    const unmark =
      effect === 'zero' && isEngineMark(a.serialNumber) ? { unmark: true as const } : {};
    ops.push({
      action: 'release',
      sku,
      additionId,
      customerId: entry.customerId,
      effect,
      from,
      reason,
      ...to,
      ...unmark,
    });
  }
  return ops;
}

/**
 * The operations that make one agreement's additions say what `wanted` says, for the skus the
 * engine manages and nothing else, and that release every ledger addition no longer backed.
 * Additions the engine does not own are changed only by the partner's decision. Never deletes: a
 * cancel sets `cancelledDate`. Pure.
 */
export function planAgreement(input: PlanInput): AgreementPlan {
  const { today, policy } = input;
  const byId = new Map(input.existing.map((a) => [a.id, a]));
  const owned = new Set(
    input.ledger.filter((e) => e.state !== 'kept_separate').map((e) => e.additionId),
  );
  const keptSeparate = new Set(
    input.ledger.filter((e) => e.state === 'kept_separate').map((e) => e.additionId),
  );
  const live = input.existing.filter((a) => isOpen(a, today));
  const ours = input.existing.filter((a) => notEnded(a, today));
  // Whatever else bills open and is not the engine's is the partner's to decide on, even with a
  // mark of the engine's (another integration's, or from before a reset): only a create of its
  // own in doubt (pending) is the engine's by its mark. One cancelled for a later day is winding
  // down, and one at quantity 0 bills nothing: neither can bill a product twice.
  // A create of the engine's in doubt: its mark for a pending sku, on that sku's catalog item.
  const claimedByMark = (a: ExistingAddition, sku: string): boolean =>
    input.pending.has(sku) &&
    a.cancelledDate === null &&
    !owned.has(a.id) &&
    !keptSeparate.has(a.id) &&
    a.serialNumber === input.mark(sku) &&
    a.productId === input.managed.get(sku);
  const foreign = live.filter(
    (a) =>
      a.cancelledDate === null &&
      a.quantity !== 0 &&
      !owned.has(a.id) &&
      !keptSeparate.has(a.id) &&
      ![...input.pending].some((sku) => claimedByMark(a, sku)),
  );
  const operations = releasesOf(input, byId);
  const wantedBySku = new Map(input.wanted.map((w) => [w.sku, w]));
  const skus = [...new Set([...input.managed.keys(), ...wantedBySku.keys()])].sort();
  const shared = sharedProducts(input.managed);
  for (const sku of skus) {
    const wanted = wantedBySku.get(sku);
    const productId = input.managed.get(sku) ?? wanted?.productId;
    if (productId === undefined) {
      operations.push({ action: 'skip', sku, reason: 'no catalog item' });
      continue;
    }
    const others = shared.get(productId);
    if (others) {
      operations.push({
        action: 'skip',
        sku,
        reason: `skus ${others.join(', ')} all point at catalog item ${productId}`,
      });
      continue;
    }
    const want = wantedValues(wanted, policy);
    const mine = input.ledger.filter(
      (e) =>
        e.sku === sku &&
        e.state !== 'kept_separate' &&
        e.productId === productId &&
        !input.releases.has(e.additionId) &&
        ours.some((a) => a.id === e.additionId),
    );
    const own = ours
      .filter((a) => mine.some((e) => e.additionId === a.id) || claimedByMark(a, sku))
      .sort((x, y) => x.id - y.id);
    if (own.length > 0) {
      const keeper = (own.find((a) => a.cancelledDate === null) ?? own[0]!).id;
      const linked = mine.some((e) => e.additionId === keeper && e.state === 'active');
      const byMark = !mine.some((e) => e.additionId === keeper);
      operations.push(...planOwned(sku, own, want, linked, byMark, policy));
    } else {
      operations.push(...planFirstWrite(sku, productId, want, foreign, input));
    }
  }
  // A partner's cancel of a foreign addition stands even once the engine owns an addition for the
  // sku (a retry after the engine's create went through and the cancel did not).
  for (const a of foreign) {
    if (input.decisions.get(a.id) !== 'cancel') continue;
    if (operations.some((op) => 'additionId' in op && op.additionId === a.id)) continue;
    const sku = [...input.managed].find(
      ([s, item]) => input.candidates(s, item, [a]).length > 0,
    )?.[0];
    if (sku === undefined) continue;
    operations.push({
      action: 'cancel',
      sku,
      additionId: a.id,
      from: valuesOf(a, policy),
      reason: `the partner chose to cancel addition ${a.id}`,
    });
  }
  return { operations, today };
}
