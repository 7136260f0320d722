/**
 * The safety valve and the stale-usage guard: what no run applies without a person's approval.
 * A vendor data glitch (a customer's seats collapsing, many customers zeroed at once, usage that
 * stopped arriving) must never reach an invoice on its own. Pure.
 */
import { applyPlan } from './apply';
import { isOpen } from './plan';
import type { AgreementPlan, ExistingAddition } from './types';

export interface SafetyPolicy {
  /** Hold an agreement whose managed seats would drop by more than this share (1 = never). */
  maxSeatDropShare: number;
  /** Hold every zeroing agreement when more than this share of customers would be zeroed at once. */
  maxZeroedShare: number;
  /** Usage older than this is not billed. */
  staleUsageHours: number;
}

export interface SeatChange {
  before: number;
  after: number;
}

const seats = (
  additions: ExistingAddition[],
  counted: (a: ExistingAddition) => boolean,
  today: string,
) => additions.filter((a) => counted(a) && isOpen(a, today)).reduce((n, a) => n + a.quantity, 0);

/**
 * The managed seats on an agreement before and after a plan: additions of the managed products,
 * and those the engine owns (`ownedIds`, e.g. an adopted hand-made addition of another item) or
 * takes over in the plan. Other products are not counted.
 */
export function seatChange(
  existing: ExistingAddition[],
  plan: AgreementPlan,
  managedProducts: ReadonlySet<number>,
  ownedIds: ReadonlySet<number> = new Set(),
): SeatChange {
  let next = Math.max(0, ...existing.map((a) => a.id)) + 1;
  const after = applyPlan({ additions: existing, ledger: [] }, plan, () => next++);
  const adopted = new Set(
    plan.operations.flatMap((op) => (op.action === 'adopt' ? [op.additionId] : [])),
  );
  const counted = (a: ExistingAddition) =>
    managedProducts.has(a.productId) || ownedIds.has(a.id) || adopted.has(a.id);
  return {
    before: seats(existing, counted, plan.today),
    after: seats(after.additions, counted, plan.today),
  };
}

const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;

/**
 * Why the plan must wait for approval because of the agreement's own drop, if it must. Pass the
 * change without releases: a release follows a partner's own change of mappings or settings, and
 * counts in the run-wide zeroed share instead (zeroedShareHold).
 */
export function seatDropHold(change: SeatChange, policy: SafetyPolicy): string | undefined {
  if (change.before <= 0 || change.after >= change.before) return undefined;
  const drop = (change.before - change.after) / change.before;
  if (drop <= policy.maxSeatDropShare) return undefined;
  return (
    `seats would drop from ${change.before} to ${change.after} (${percent(drop)}), more than the ` +
    `${percent(policy.maxSeatDropShare)} a run applies without approval`
  );
}

/**
 * Why every zeroing agreement must wait for approval, if too many customers would be zeroed at
 * once: more than the allowed share of the billed customers, and more than one.
 */
export function zeroedShareHold(
  zeroing: number,
  billed: number,
  policy: SafetyPolicy,
): string | undefined {
  if (zeroing < 2 || billed === 0 || zeroing / billed <= policy.maxZeroedShare) return undefined;
  return (
    `${zeroing} of ${billed} customers (${percent(zeroing / billed)}) would drop to zero seats at ` +
    `once, more than the ${percent(policy.maxZeroedShare)} a run applies without approval`
  );
}

/** Why this usage is too old to bill, if it is. */
export function staleUsage(asOf: Date, now: Date, policy: SafetyPolicy): string | undefined {
  const ageHours = (now.getTime() - asOf.getTime()) / 3_600_000;
  if (ageHours <= policy.staleUsageHours) return undefined;
  return (
    `usage is ${Math.floor(ageHours)} h old (as of ${asOf.toISOString()}), older than the ` +
    `${policy.staleUsageHours} h a run bills: not billed until fresh usage arrives`
  );
}
