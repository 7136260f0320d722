import type { AdditionPatch } from '../../connectwise';
import type { AdditionValues } from '../../domain/billing/types';

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
