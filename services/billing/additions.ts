import type { Addition, AdditionPatch } from '../../connectwise';
import type { AdditionValues, ExistingAddition } from '../../domain/billing/types';

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

const FIELDS = ['quantity', 'unitPrice', 'unitCost'] as const;

/**
 * The PATCH operations that take an addition from `from` to `to`: only the fields `to` names and
 * that differ, so a field the MSP owns, or one already right, is never written.
 */
export function patchOf(from: AdditionValues, to: AdditionValues): AdditionPatch[] {
  const ops: AdditionPatch[] = [];
  for (const field of FIELDS) {
    const value = to[field];
    if (value !== undefined && value !== from[field])
      ops.push({ op: 'replace', path: field, value });
  }
  return ops;
}

/** Same values, field by field (the audit's check that a retried write is the one that failed). */
export const sameValues = (a: AdditionValues | null, b: AdditionValues | null): boolean =>
  FIELDS.every((f) => (a?.[f] ?? null) === (b?.[f] ?? null));
