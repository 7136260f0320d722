/**
 * A plan as a partner reads it (preview, or what a run holds for approval): per customer and
 * agreement the exact ConnectWise operations, totals, warnings, and a hash that changes whenever
 * what would be written changes. Pure.
 */
import type { WriteDates } from './invoice-period';
import { keyDigest } from './key-digest';
import type { SeatChange } from './safety';
import type { SkippedAgreement } from './run';
import type { AdditionValues, PlannedOperation } from './types';

export interface KeptPlan {
  /** The dates its writes would carry, from the agreement's invoicing (absent: the plan's day). */
  dates?: WriteDates;
  agreementId: number;
  customerId: string;
  companyId: number;
  operations: PlannedOperation[];
  seats: SeatChange;
  hold?: string;
}

export interface PlanSource {
  previewKey: string;
  today: string;
  plans: KeptPlan[];
  skipped: SkippedAgreement[];
  failed: number[];
  skippedSkus: Array<{ sku: string; reason: string }>;
  catalogToCreate: string[];
}

export interface OperationView {
  action: Exclude<PlannedOperation['action'], 'noop'>;
  sku: string;
  additionId: number | null;
  /** The catalog item; null when the run would create it first. */
  productId: number | null;
  from: AdditionValues | null;
  to: AdditionValues | null;
  /** The date the write carries (a create's effectiveDate, a cancel's cancelledDate). */
  effectiveDate: string | null;
  /** A create: whether ConnectWise prorates it for the current, already invoiced, period. */
  prorated: boolean | null;
  reason: string | null;
}

/** Every action a partner sees in a plan (no-ops are left out), in the order totals list them. */
export const PLAN_ACTIONS = [
  'create',
  'update',
  'adopt',
  'cancel',
  'release',
  'forget',
  'left',
  'candidate',
  'conflict',
  'skip',
] as const satisfies ReadonlyArray<OperationView['action']>;
const TOTALS = PLAN_ACTIONS;

function reasonOf(op: PlannedOperation): string | null {
  switch (op.action) {
    case 'skip':
    case 'conflict':
    case 'forget':
    case 'left':
      return op.reason;
    case 'release':
      return `${op.reason} (released: ${op.effect === 'zero' ? 'quantity 0' : op.effect === 'cancel' ? 'cancelled at the period end' : 'left open, listed in every run'})`;
    case 'cancel':
      return op.reason ?? null;
    case 'candidate':
      return `${op.why}: ${op.quantity} × ${op.productIdentifier ?? op.productId}${op.unitPrice !== null ? ` at ${op.unitPrice}` : ''}; adopt, keep separate or cancel`;
    case 'adopt':
      return op.byMark
        ? 'the engine created it before, and the answer was lost; found by its mark'
        : 'taken over by the engine';
    default:
      return null;
  }
}

function operationView(
  op: PlannedOperation,
  today: string,
  dates?: WriteDates,
): OperationView | undefined {
  if (op.action === 'noop') return undefined;
  const productId = op.action === 'create' ? (op.productId > 0 ? op.productId : null) : null;
  const dated =
    op.action === 'create' ||
    op.action === 'cancel' ||
    (op.action === 'release' && op.effect === 'cancel');
  return {
    action: op.action,
    sku: op.sku,
    additionId: 'additionId' in op ? op.additionId : null,
    productId,
    from: 'from' in op ? op.from : null,
    to: 'to' in op ? (op.to ?? null) : null,
    effectiveDate: dated
      ? `${(op.action === 'create' ? dates?.effectiveDate : dates?.cancelDate) ?? today}T00:00:00Z`
      : null,
    prorated: op.action === 'create' ? (dates?.prorated ?? false) : null,
    reason: reasonOf(op),
  };
}

/** A plan's operations as a partner reads them (no-ops left out). */
export const operationsView = (
  ops: readonly PlannedOperation[],
  today: string,
  dates?: WriteDates,
): OperationView[] => ops.flatMap((op) => operationView(op, today, dates) ?? []);

/** What a run would write, and only that: the hash a partner's apply must match. */
function planHash(source: PlanSource, agreements: Array<{ id: number; ops: OperationView[] }>) {
  const canonical = JSON.stringify([
    source.today,
    agreements
      .filter((a) => a.ops.length > 0)
      .map((a) => [
        a.id,
        a.ops.map((o) => [o.action, o.sku, o.additionId, o.productId, o.from, o.to]),
      ]),
    source.skipped.map((s) => s.agreementId).sort((x, y) => (x ?? 0) - (y ?? 0)),
    source.failed,
    [...source.catalogToCreate].sort(),
  ]);
  return keyDigest(canonical);
}

export function planView(source: PlanSource) {
  const agreements = [...source.plans]
    .sort((x, y) => x.agreementId - y.agreementId)
    .map((p) => ({
      customerId: p.customerId,
      agreementId: p.agreementId,
      companyId: p.companyId,
      seats: p.seats,
      hold: p.hold ?? null,
      operations: operationsView(p.operations, source.today, p.dates),
    }));
  const totals = Object.fromEntries(TOTALS.map((k) => [k, 0])) as Record<
    (typeof TOTALS)[number],
    number
  >;
  for (const a of agreements) for (const op of a.operations) totals[op.action] += 1;
  const held = agreements.filter((a) => a.hold !== null);
  const warnings = [
    ...held.map(
      (a) => `customer ${a.customerId}, agreement ${a.agreementId}: held for approval: ${a.hold}`,
    ),
    ...source.skipped.map((s) => `customer ${s.customerId} skipped: ${s.reason}`),
    ...source.skippedSkus.map((s) => `${s.sku} not billed: ${s.reason}`),
    ...source.catalogToCreate.map(
      (sku) => `a ConnectWise catalog item would be created for ${sku}`,
    ),
    ...source.failed.map((id) => `agreement ${id}: ConnectWise did not answer; not planned`),
  ];
  return {
    previewKey: source.previewKey,
    today: source.today,
    planHash: planHash(
      source,
      agreements.map((a) => ({ id: a.agreementId, ops: a.operations })),
    ),
    agreements: agreements.filter((a) => a.operations.length > 0),
    unchanged: agreements.filter((a) => a.operations.length === 0).length,
    skipped: source.skipped,
    totals: {
      ...totals,
      agreements: agreements.length,
      held: held.length,
      seatsBefore: agreements.reduce((n, a) => n + a.seats.before, 0),
      seatsAfter: agreements.reduce((n, a) => n + a.seats.after, 0),
    },
    warnings,
  };
}

export type PlanView = ReturnType<typeof planView>;
