/**
 * One sku's operations on an agreement, for the planner (plan.ts): the engine's own addition kept
 * as usage says (updated, cancelled, a cancel taken back, a duplicate cancelled), or, before the
 * engine has one, the partner's candidates or a create. Pure.
 */
import type {
  AdditionValues,
  ExistingAddition,
  PlannedOperation,
  PlanInput,
  PlanPolicy,
  WantedLine,
} from './types';

export const valuesOf = (a: ExistingAddition, policy: PlanPolicy): AdditionValues => ({
  quantity: a.quantity,
  ...(policy.syncPrices && a.unitPrice != null ? { unitPrice: a.unitPrice } : {}),
  ...(policy.syncPrices && a.unitCost != null ? { unitCost: a.unitCost } : {}),
});

export const wantedValues = (w: WantedLine | undefined, policy: PlanPolicy): AdditionValues => ({
  quantity: w?.quantity ?? 0,
  ...(policy.syncPrices && w?.unitPrice !== undefined ? { unitPrice: w.unitPrice } : {}),
  ...(policy.syncPrices && w?.unitCost !== undefined ? { unitCost: w.unitCost } : {}),
});

/** Whether the addition already says everything wanted says (fields wanted leaves out are free). */
const satisfies = (a: ExistingAddition, want: AdditionValues): boolean =>
  a.quantity === want.quantity &&
  (want.unitPrice === undefined || a.unitPrice === want.unitPrice) &&
  (want.unitCost === undefined || a.unitCost === want.unitCost);

const DUPLICATE =
  'a second open addition the engine made for this sku (a create whose answer was lost): the later one is cancelled';

/** The sku's addition the engine keeps (owned, or its own create found by the mark), or none. */
export function planOwned(
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
export function planFirstWrite(
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
