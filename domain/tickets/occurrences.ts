import type { OccurrenceBatch } from './text';

export type { OccurrenceBatch };

/** The batch with one more occurrence at `at` (ISO); times kept as earliest and latest. */
export function addOccurrence(batch: OccurrenceBatch | null, at: string): OccurrenceBatch {
  if (!batch) return { count: 1, first: at, last: at };
  return {
    count: batch.count + 1,
    first: Date.parse(at) < Date.parse(batch.first) ? at : batch.first,
    last: Date.parse(at) > Date.parse(batch.last) ? at : batch.last,
  };
}

/**
 * The batch without its first occurrence, which the ticket itself (or its reopen note) stands
 * for; null when nothing is left. The remaining range keeps its bounds.
 */
export function afterFirst(batch: OccurrenceBatch | null): OccurrenceBatch | null {
  if (!batch || batch.count <= 1) return null;
  return { ...batch, count: batch.count - 1 };
}
