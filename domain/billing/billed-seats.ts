import { applyPlan } from './apply';
import { isOpen } from './plan';
import type { SeatLine } from './run';
import type { ExistingAddition, LedgerEntry, PlannedOperation } from './types';

/** The seats ConnectWise bills for an agreement once a run's writes are done (coverage.ts). */

/**
 * The seats an agreement bills through the engine's ledger, by customer and sku, as ConnectWise
 * holds them once `applied` (the writes ConnectWise answered done) are carried out over `existing`
 * (the additions as the run read them), cancels dated `cancelOn` (the date the writes carry: an
 * addition cancelled for a later day still bills): the open additions the engine owns, those kept
 * beside them, and those released under `leave` (they still bill). Foreign ones do not count.
 */
export function billedSeats(
  existing: readonly ExistingAddition[],
  ledger: readonly LedgerEntry[],
  applied: readonly PlannedOperation[],
  today: string,
  ids: { agreementId: number; customerId: string },
  cancelOn: string = today,
): SeatLine[] {
  let next = Math.max(0, ...existing.map((a) => a.id)) + 1;
  const after = applyPlan(
    { additions: [...existing], ledger: [...ledger] },
    { operations: [...applied], today },
    () => next++,
    {
      agreementId: ids.agreementId,
      cancelOn,
      ...(ids.customerId ? { customerId: ids.customerId } : {}),
    },
  );
  const entries = new Map(after.ledger.map((e) => [e.additionId, e]));
  const seats = new Map<string, SeatLine>();
  for (const a of after.additions) {
    const e = entries.get(a.id);
    if (!e || !isOpen(a, today)) continue;
    const customerId = e.customerId || ids.customerId;
    const key = `${customerId}\u0000${e.sku}`;
    const line = seats.get(key) ?? { customerId, sku: e.sku, seats: 0 };
    line.seats += a.quantity;
    seats.set(key, line);
  }
  return [...seats.values()].sort(
    (x, y) => x.customerId.localeCompare(y.customerId) || x.sku.localeCompare(y.sku),
  );
}
