import { isEngineMark } from './ledger';
import type {
  AdditionValues,
  AgreementPlan,
  CandidateDecision,
  ExistingAddition,
  LedgerEntry,
  PlannedOperation,
  PlanPolicy,
  WantedLine,
} from './types';

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

/** A foreign addition that looks like the product being billed, and why (candidates.ts). */
export interface CandidateMatch {
  additionId: number;
  why: string;
}

export interface PlanInput {
  /** One line per sku with usage for the customer billed on this agreement (none: no customer). */
  wanted: WantedLine[];
  /** Every sku the engine manages, with its catalog item: additions of other products are not ours. */
  managed: ReadonlyMap<string, number>;
  existing: ExistingAddition[];
  /** The ledger's entries on this agreement. */
  ledger: readonly LedgerEntry[];
  /** Ledger additions on this agreement no longer backed, and why (ledger.ts releaseReason). */
  releases: ReadonlyMap<number, string>;
  /** The partner's decisions on foreign additions that this plan may carry out (approved). */
  decisions: ReadonlyMap<number, CandidateDecision>;
  /** The engine's mark for a sku on this agreement (ledger.ts additionMark). */
  mark: (sku: string) => string;
  /**
   * Skus with a create sent whose answer was not seen (PendingCreate): only then is an addition
   * with the engine's mark, not in the ledger, the engine's own (a released one keeps its mark).
   */
  pending: ReadonlySet<string>;
  /** Foreign additions that look like the sku's product (candidates.ts findCandidates). */
  candidates: (sku: string, productId: number, foreign: ExistingAddition[]) => CandidateMatch[];
  policy: PlanPolicy;
  today: string;
}

export const valuesOf = (a: ExistingAddition, policy: PlanPolicy): AdditionValues => ({
  quantity: a.quantity,
  ...(policy.syncPrices && a.unitPrice != null ? { unitPrice: a.unitPrice } : {}),
  ...(policy.syncPrices && a.unitCost != null ? { unitCost: a.unitCost } : {}),
});

const wantedValues = (w: WantedLine | undefined, policy: PlanPolicy): AdditionValues => ({
  quantity: w?.quantity ?? 0,
  ...(policy.syncPrices && w?.unitPrice !== undefined ? { unitPrice: w.unitPrice } : {}),
  ...(policy.syncPrices && w?.unitCost !== undefined ? { unitCost: w.unitCost } : {}),
});

/** Whether the addition already says everything wanted says (fields wanted leaves out are free). */
const satisfies = (a: ExistingAddition, want: AdditionValues): boolean =>
  a.quantity === want.quantity &&
  (want.unitPrice === undefined || a.unitPrice === want.unitPrice) &&
  (want.unitCost === undefined || a.unitCost === want.unitCost);

/** Skus that point at one catalog item cannot each have "the" addition of that product. */
function sharedProducts(managed: ReadonlyMap<string, number>): Map<number, string[]> {
  const bySku = new Map<number, string[]>();
  for (const [sku, productId] of managed)
    bySku.set(productId, [...(bySku.get(productId) ?? []), sku]);
  return new Map([...bySku].filter(([, skus]) => skus.length > 1));
}

const DUPLICATE =
  'a second open addition the engine made for this sku (a create whose answer was lost): the later one is cancelled';

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

/** The sku's addition the engine keeps (owned, or its own create found by the mark), or none. */
function planOwned(
  sku: string,
  own: ExistingAddition[],
  want: AdditionValues,
  linked: boolean,
  byMark: boolean,
  policy: PlanPolicy,
): PlannedOperation[] {
  const mark = byMark ? { byMark: true as const } : {};
  // The first one not being cancelled is kept; the others, unless already winding down, go.
  const current = own.find((a) => a.cancelledDate === null) ?? own[0]!;
  const ops: PlannedOperation[] = own
    .filter((a) => a !== current && a.cancelledDate === null)
    .map((a) => ({
      action: 'cancel',
      sku,
      additionId: a.id,
      from: valuesOf(a, policy),
      reason: DUPLICATE,
    }));
  const from = valuesOf(current, policy);
  if (current.cancelledDate !== null) {
    // The engine cancelled it for the period's end: usage back before then takes the cancel back.
    ops.push(
      want.quantity === 0
        ? { action: 'noop', sku, additionId: current.id }
        : {
            action: 'adopt',
            sku,
            additionId: current.id,
            from,
            uncancel: true,
            ...mark,
            ...(satisfies(current, want) ? {} : { to: want }),
          },
    );
  } else if (want.quantity === 0 && policy.zeroUsage === 'leave') {
    ops.push({ action: 'noop', sku, additionId: current.id });
  } else if (want.quantity === 0 && policy.zeroUsage === 'cancel') {
    ops.push({ action: 'cancel', sku, additionId: current.id, from });
  } else {
    // Zero usage under `zero` keeps the addition at quantity 0, its prices left as they are.
    const target = want.quantity === 0 ? { quantity: 0 } : want;
    const changed = !satisfies(current, target);
    if (!linked) {
      ops.push({
        action: 'adopt',
        sku,
        additionId: current.id,
        from,
        ...mark,
        ...(changed ? { to: target } : {}),
      });
    } else if (changed) {
      ops.push({ action: 'update', sku, additionId: current.id, from, to: target });
    } else ops.push({ action: 'noop', sku, additionId: current.id });
  }
  return ops;
}

/**
 * No addition of the engine's for this sku yet: before the first write, additions it does not
 * own that look like the product are the partner's to decide on (adopt, keep separate, cancel).
 */
function planFirstWrite(
  sku: string,
  productId: number,
  want: AdditionValues,
  foreign: ExistingAddition[],
  input: PlanInput,
): PlannedOperation[] {
  if (want.quantity === 0) return [{ action: 'noop', sku }];
  const ops: PlannedOperation[] = [];
  let adopted: ExistingAddition | undefined;
  const byId = new Map(foreign.map((a) => [a.id, a]));
  for (const match of input.candidates(sku, productId, foreign)) {
    const a = byId.get(match.additionId)!;
    const decision = input.decisions.get(a.id);
    if (decision === 'adopt' && !adopted) adopted = a;
    else if (decision === 'cancel') {
      ops.push({
        action: 'cancel',
        sku,
        additionId: a.id,
        from: valuesOf(a, input.policy),
        reason: `the partner chose to cancel addition ${a.id} (${match.why}) and bill ${sku} through the engine`,
      });
    } else if (decision === undefined) {
      ops.push({
        action: 'candidate',
        sku,
        additionId: a.id,
        productId: a.productId,
        productIdentifier: a.productIdentifier ?? null,
        description: a.description ?? null,
        quantity: a.quantity,
        unitPrice: a.unitPrice ?? null,
        why: match.why,
      });
    }
  }
  if (ops.some((op) => op.action === 'candidate')) return ops;
  if (adopted) {
    const changed = !satisfies(adopted, want);
    const from = valuesOf(adopted, input.policy);
    return [
      ...ops,
      { action: 'adopt', sku, additionId: adopted.id, from, ...(changed ? { to: want } : {}) },
    ];
  }
  return [...ops, { action: 'create', sku, productId, to: want }];
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
