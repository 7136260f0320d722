/**
 * Applying an approved plan: what a run writes once a person approved (or previewed and applied)
 * a plan must be something that plan showed. Pure.
 */
import { keyDigest } from './key-digest';
import type { AdditionValues, PlannedOperation } from './types';

type Write = Extract<
  PlannedOperation,
  { action: 'create' | 'update' | 'adopt' | 'cancel' | 'release' }
>;

/** Operations that write ConnectWise (a release under `leave`, or of an addition at 0, does not). */
const isWrite = (op: PlannedOperation): op is Write =>
  op.action === 'create' ||
  op.action === 'update' ||
  op.action === 'cancel' ||
  (op.action === 'release' &&
    (op.effect === 'cancel' || op.to !== undefined || op.unmark === true)) ||
  (op.action === 'adopt' && (op.to !== undefined || op.uncancel === true));

const valuesKey = (v: AdditionValues) =>
  JSON.stringify([v.quantity, v.unitPrice ?? null, v.unitCost ?? null]);

/**
 * What a write leaves behind for its sku, whatever path gets there: a create, and the adoption a
 * retry makes of that very create, leave the same. Two writes with one effect are one approval.
 */
function effectOf(op: Write): string {
  if (op.action === 'cancel') return `${op.sku}\u0000cancel\u0000${op.additionId}`;
  if (op.action === 'release')
    return `${op.sku}\u0000release\u0000${op.additionId}\u0000${op.effect}`;
  const to = op.action === 'adopt' ? (op.to ?? op.from) : op.to;
  return `${op.sku}\u0000set\u0000${valuesKey(to)}`;
}

/** The writes of a plan (no-ops, skips and conflicts write nothing). */
export const writesOf = (ops: readonly PlannedOperation[]): Write[] => ops.filter(isWrite);

/**
 * Why a fresh plan may not be applied under an approved one, if it may not: every write it would
 * make must have been approved. Writes the approved plan had that the fresh one lacks are fine
 * (already done, e.g. by an earlier attempt).
 */
export function outsideApproved(
  fresh: readonly PlannedOperation[],
  approved: readonly PlannedOperation[],
): string | undefined {
  const allowed = new Set(writesOf(approved).map(effectOf));
  const extra = writesOf(fresh).filter((op) => !allowed.has(effectOf(op)));
  if (extra.length === 0) return undefined;
  const skus = [...new Set(extra.map((op) => op.sku))].join(', ');
  return `ConnectWise or the usage changed since the plan was approved (${skus}): nothing written; the next run plans again`;
}

/**
 * What a decision on one agreement's held plan names: its operations (no-ops aside), without
 * dates, which are the day the write happens. The same plan planned again gives the same hash.
 */
export const agreementPlanHash = (agreementId: number, ops: readonly PlannedOperation[]): string =>
  keyDigest(JSON.stringify([agreementId, ops.filter((op) => op.action !== 'noop')]));

/**
 * Adopted additions read as the planner reads them (`planFirstWrite` in plan.ts): each
 * sku takes the first of its candidates (best match first) that is adopted. An addition listed
 * under several skus (it resembles more than one product) must end up billing exactly one: taken
 * by two skus it would be billed twice, taken by none the adoption would do nothing. Says which,
 * or undefined when each adopted addition bills one sku.
 */
export function adoptionConflict(
  operations: ReadonlyArray<{ action: string; sku: string; additionId?: number }>,
  adopted: ReadonlySet<number>,
): string | undefined {
  const candidates = operations.filter((o) => o.action === 'candidate');
  const skusOf = new Map<number, string[]>();
  for (const sku of new Set(candidates.map((o) => o.sku))) {
    const first = candidates.find((o) => o.sku === sku && adopted.has(o.additionId!));
    if (first) skusOf.set(first.additionId!, [...(skusOf.get(first.additionId!) ?? []), sku]);
  }
  for (const [id, skus] of skusOf)
    if (skus.length > 1) return `addition ${id} would bill ${skus.join(' and ')}`;
  for (const id of adopted)
    if (!skusOf.has(id)) return `addition ${id} would bill nothing: another is adopted for its sku`;
  return undefined;
}
