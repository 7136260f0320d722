/**
 * How each planned operation is recorded in the run's audit trail (billing changes): its values,
 * its slot, its date and message, and a write this run already saw refused.
 */
import type { AgreementSnapshot } from '../../db';
import type { WriteDates } from '../../domain/billing/invoice-period';
import type { PlannedOperation } from '../../domain/billing/types';
import { sameValues } from './additions';
import type { ApplyContext, Write } from './apply-context';

export const valuesOf = (op: PlannedOperation) => ({
  from: 'from' in op ? op.from : null,
  to: 'to' in op ? (op.to ?? null) : null,
});

/** Which change of the sku an audit record is: one agreement may release one and create another. */
export const slotOf = (op: PlannedOperation) =>
  `${op.action}:${'additionId' in op && op.additionId !== undefined ? op.additionId : 'new'}`;

/** The message of an earlier attempt of this very write in this run that ConnectWise refused. */
export async function refusedBefore(ctx: ApplyContext, a: AgreementSnapshot, op: Write) {
  const { ref } = ctx.run;
  const before = await ctx.repos.billingChanges.get({
    ...ref,
    agreementId: a.agreementId,
    sku: op.sku,
    slot: slotOf(op),
  });
  const same = before?.outcome === 'failed' && sameValues(before.to, valuesOf(op).to);
  return same ? (before.message ?? 'refused by ConnectWise') : undefined;
}

/** The date a write carries, if it carries one. */
export const dateOf = (op: Write, dates: WriteDates): string | null =>
  op.action === 'create'
    ? dates.effectiveDate
    : op.action === 'cancel' || (op.action === 'release' && op.effect === 'cancel')
      ? dates.cancelDate
      : null;

export const messageOf = (op: PlannedOperation, dates: WriteDates): string | null => {
  const why = 'reason' in op ? (op.reason ?? null) : null;
  if (op.action === 'create' && dates.prorated) return 'prorated by ConnectWise for this period';
  return why;
};

/** On an agreement billed for nobody now, the customer a ledger line was for. */
export function ledgerCustomer(a: AgreementSnapshot, op: PlannedOperation): string {
  const id = 'additionId' in op ? op.additionId : undefined;
  return a.ledger.find((e) => e.additionId === id)?.customerId ?? '';
}
