import type {
  AdditionLink,
  AdditionValues,
  AgreementPlan,
  ExistingAddition,
  PlannedOperation,
  PlanPolicy,
  WantedLine,
} from './types';

/**
 * Open: still billing. ConnectWise keeps a cancelled addition until its `cancelledDate`, so one
 * cancelled for a later day is open today (API-NOTES §8.2). `today` is `yyyy-MM-dd`.
 */
export const isOpen = (a: Pick<ExistingAddition, 'cancelledDate'>, today: string): boolean =>
  a.cancelledDate === null || a.cancelledDate.slice(0, 10) > today;

export interface PlanInput {
  /** One line per sku with usage for this customer. */
  wanted: WantedLine[];
  /** Every sku the engine manages, with its catalog item: additions of other products are not ours. */
  managed: ReadonlyMap<string, number>;
  existing: ExistingAddition[];
  links: AdditionLink[];
  policy: PlanPolicy;
  today: string;
}

const valuesOf = (a: ExistingAddition, policy: PlanPolicy): AdditionValues => ({
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

function planSku(
  sku: string,
  productId: number,
  want: AdditionValues,
  input: PlanInput,
): PlannedOperation {
  const { existing, links, policy, today } = input;
  const open = existing.filter((a) => a.productId === productId && isOpen(a, today));
  if (open.length > 1) {
    return {
      action: 'conflict',
      sku,
      additionIds: open.map((a) => a.id).sort((x, y) => x - y),
      reason: `${open.length} open additions for product ${productId}; keep one in ConnectWise`,
    };
  }
  const [current] = open;
  if (!current) {
    return want.quantity > 0
      ? { action: 'create', sku, productId, to: want }
      : { action: 'noop', sku };
  }
  const from = valuesOf(current, policy);
  const linked = links.some((l) => l.sku === sku && l.additionId === current.id);
  if (want.quantity === 0 && policy.zeroUsage === 'leave') {
    return { action: 'noop', sku, additionId: current.id };
  }
  if (want.quantity === 0 && policy.zeroUsage === 'cancel') {
    return { action: 'cancel', sku, additionId: current.id, from };
  }
  // Zero usage under `zero` keeps the addition at quantity 0, its prices left as they are.
  const target = want.quantity === 0 ? { quantity: 0 } : want;
  const changed = !satisfies(current, target);
  if (!linked) {
    return {
      action: 'adopt',
      sku,
      additionId: current.id,
      from,
      ...(changed ? { to: target } : {}),
    };
  }
  return changed
    ? { action: 'update', sku, additionId: current.id, from, to: target }
    : { action: 'noop', sku, additionId: current.id };
}

/**
 * The operations that make one agreement's additions say what `wanted` says, for the skus the
 * engine manages and nothing else. Never deletes: a cancel sets `cancelledDate`. Pure.
 */
export function planAgreement(input: PlanInput): AgreementPlan {
  const wantedBySku = new Map(input.wanted.map((w) => [w.sku, w]));
  const skus = [...new Set([...input.managed.keys(), ...wantedBySku.keys()])].sort();
  const shared = sharedProducts(input.managed);
  const operations = skus.map((sku): PlannedOperation => {
    const wanted = wantedBySku.get(sku);
    const productId = input.managed.get(sku) ?? wanted?.productId;
    if (productId === undefined) return { action: 'skip', sku, reason: 'no catalog item' };
    const others = shared.get(productId);
    if (others) {
      return {
        action: 'skip',
        sku,
        reason: `skus ${others.join(', ')} all point at catalog item ${productId}`,
      };
    }
    return planSku(sku, productId, wantedValues(wanted, input.policy), input);
  });
  return { operations, today: input.today };
}
