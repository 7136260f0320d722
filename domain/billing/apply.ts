import { MARK_MAX } from './ledger';
import type { AgreementPlan, ExistingAddition, AdditionValues, LedgerEntry } from './types';

export interface AppliedState {
  additions: ExistingAddition[];
  ledger: LedgerEntry[];
}

const withValues = (a: ExistingAddition, v: AdditionValues): ExistingAddition => ({ ...a, ...v });

/**
 * What the agreement holds once a plan is carried out, as ConnectWise would hold it: the preview's
 * "after" state, and the planner's own proof (applying a plan and planning again changes nothing).
 * New additions take ids from `nextId` and carry `mark(sku)`; cancels are dated `cancelOn`
 * (`plan.today` by default, so a cancelled addition stops being open). An addition the engine
 * cancels for zero usage stays in its ledger until it is no longer open. Pure.
 */
export function applyPlan(
  before: AppliedState,
  plan: AgreementPlan,
  nextId: () => number,
  options: {
    agreementId?: number;
    customerId?: string;
    mark?: (sku: string) => string;
    cancelOn?: string;
    /** sku → catalog item: what the ledger records an adopted addition as (as the service does). */
    managed?: ReadonlyMap<string, number>;
  } = {},
): AppliedState {
  const additions = new Map(before.additions.map((a) => [a.id, a]));
  const ledger = new Map(before.ledger.map((e) => [e.additionId, e]));
  const cancelledDate = `${options.cancelOn ?? plan.today}T00:00:00Z`;
  const own = (sku: string, a: ExistingAddition) =>
    ledger.set(a.id, {
      agreementId: ledger.get(a.id)?.agreementId ?? options.agreementId ?? 0,
      additionId: a.id,
      sku,
      productId: options.managed?.get(sku) ?? a.productId,
      customerId: options.customerId ?? ledger.get(a.id)?.customerId ?? '',
      state: 'active',
    });
  for (const op of plan.operations) {
    switch (op.action) {
      case 'create': {
        const id = nextId();
        const mark = options.mark?.(op.sku).slice(0, MARK_MAX) ?? null;
        const a = {
          id,
          productId: op.productId,
          cancelledDate: null,
          serialNumber: mark,
          ...op.to,
        };
        additions.set(id, a);
        own(op.sku, a);
        break;
      }
      case 'update':
      case 'adopt': {
        const got = additions.get(op.additionId)!;
        const a = op.action === 'adopt' && op.uncancel ? { ...got, cancelledDate: null } : got;
        const next = op.to ? withValues(a, op.to) : a;
        additions.set(a.id, next);
        own(op.sku, next);
        break;
      }
      case 'cancel': {
        const a = additions.get(op.additionId)!;
        additions.set(a.id, { ...a, cancelledDate });
        // A duplicate or a partner's cancel is no longer the engine's; a zero-usage cancel stays
        // its own while it runs to its date (usage coming back takes the cancel back).
        if (op.reason !== undefined) ledger.delete(op.additionId);
        break;
      }
      case 'release': {
        const a = additions.get(op.additionId)!;
        if (op.effect === 'cancel') additions.set(a.id, { ...a, cancelledDate });
        if (op.to) additions.set(a.id, withValues(additions.get(a.id)!, op.to));
        if (op.unmark) additions.set(a.id, { ...additions.get(a.id)!, serialNumber: null });
        if (op.effect === 'leave') ledger.set(a.id, { ...ledger.get(a.id)!, state: 'left' });
        else ledger.delete(op.additionId);
        break;
      }
      case 'forget':
        ledger.delete(op.additionId);
        break;
      default:
        break;
    }
  }
  return { additions: [...additions.values()], ledger: [...ledger.values()] };
}
