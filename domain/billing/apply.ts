import type { AdditionLink, AgreementPlan, ExistingAddition, AdditionValues } from './types';

export interface AppliedState {
  additions: ExistingAddition[];
  links: AdditionLink[];
}

const withValues = (a: ExistingAddition, v: AdditionValues): ExistingAddition => ({ ...a, ...v });

/**
 * What the agreement holds once a plan is carried out, as ConnectWise would hold it: the preview's
 * "after" state, and the planner's own proof (applying a plan and planning again changes nothing).
 * New additions take ids from `nextId`. Pure.
 */
export function applyPlan(
  before: AppliedState,
  plan: AgreementPlan,
  nextId: () => number,
): AppliedState {
  const additions = new Map(before.additions.map((a) => [a.id, a]));
  const links = new Map(before.links.map((l) => [l.sku, l]));
  for (const op of plan.operations) {
    switch (op.action) {
      case 'create': {
        const id = nextId();
        additions.set(id, { id, productId: op.productId, cancelledDate: null, ...op.to });
        links.set(op.sku, { sku: op.sku, additionId: id });
        break;
      }
      case 'update':
      case 'adopt': {
        const a = additions.get(op.additionId)!;
        if (op.to) additions.set(a.id, withValues(a, op.to));
        links.set(op.sku, { sku: op.sku, additionId: a.id });
        break;
      }
      case 'cancel': {
        const a = additions.get(op.additionId)!;
        additions.set(a.id, { ...a, cancelledDate: `${plan.today}T00:00:00Z` });
        links.delete(op.sku);
        break;
      }
      default:
        break;
    }
  }
  return { additions: [...additions.values()], links: [...links.values()] };
}
