/**
 * One planned operation carried out: its ConnectWise write (look-up-before-create by the mark,
 * PATCH of what the engine owns, cancel by date, never a delete), the ledger kept with it, and its
 * record in the audit trail.
 */
import {
  createAddition,
  isConnectWiseError,
  patchAddition,
  type AdditionPatch,
  cwMessage,
} from '../../connectwise';
import type { AgreementSnapshot, BillingChange } from '../../db';
import type { WriteDates } from '../../domain/billing/invoice-period';
import { additionMark } from '../../domain/billing/ledger';
import { cwDateTime } from '../../domain/billing/time-zone';
import type { LedgerEntry, PlannedOperation } from '../../domain/billing/types';
import { patchOf } from './additions';
import {
  ledgerScope,
  REFUSALS,
  type ApplyContext,
  type LineResult,
  type Write,
} from './apply-context';
import { dateOf, ledgerCustomer, messageOf, refusedBefore, slotOf, valuesOf } from './audit';

/** A pending create whose request is over: no wait before looking it up. */
const ANSWERED = new Date(0);

/**
 * An error answer after which ConnectWise no longer works on the request: a 429, or a 500/503 of
 * its own. A network failure or timeout, or a gateway's 502/504 (the server behind it may still
 * be working), are no such answer.
 */
const finishedAnswer = (err: unknown): boolean =>
  isConnectWiseError(err) &&
  (err.kind === 'throttled' ||
    (err.kind === 'server' && (err.status === 500 || err.status === 503)));

/** Sends the write and keeps the ledger with it; returns the addition id it concerns. */
async function write(
  ctx: ApplyContext,
  a: AgreementSnapshot,
  op: Write,
  dates: WriteDates,
): Promise<number> {
  const { client, run, signal } = ctx;
  const ledger = ctx.repos.billingLedger;
  const scope = ledgerScope(run);
  const options = { signal };
  const itemOf = (sku: string) => run.products.find((p) => p.sku === sku)?.catalogItemId ?? 0;
  const own = (additionId: number, productId = itemOf(op.sku)) =>
    ledger.save(scope, {
      agreementId: a.agreementId,
      additionId,
      sku: op.sku,
      productId,
      customerId: a.customerId,
      state: 'active',
    });
  const patch = (additionId: number, ops: AdditionPatch[]) =>
    ctx.limit(() => patchAddition(client, a.agreementId, additionId, ops, options));
  const cancelAt = (additionId: number) =>
    patch(additionId, [
      { op: 'replace', path: 'cancelledDate', value: cwDateTime(dates.cancelDate) },
    ]);
  switch (op.action) {
    case 'create': {
      // Until its answer is seen, ConnectWise may still commit it: a retry waits it out
      // (reconcile.ts) and finds it by its mark instead of creating another.
      await ledger.markPending(scope, a.agreementId, op.sku, new Date());
      let created;
      try {
        created = await ctx.limit(() =>
          createAddition(
            client,
            a.agreementId,
            {
              product: { id: op.productId },
              billCustomer: 'Billable',
              effectiveDate: cwDateTime(dates.effectiveDate),
              serialNumber: additionMark(run.ref.integrationId, a.agreementId, op.sku),
              ...(dates.prorated ? { prorateCurrentPeriodFlag: true } : {}),
              ...op.to,
            },
            options,
          ),
        );
      } catch (err) {
        // A refusal is an answer: nothing was created.
        if (isConnectWiseError(err) && REFUSALS.has(err.kind))
          await ledger.clearPending(scope, a.agreementId, op.sku);
        // ConnectWise itself answered (a 429 before the work, a 500 or 503 after it): it may have
        // committed, but will not later. The retry looks it up by its mark at once.
        else if (finishedAnswer(err))
          await ledger.markPending(scope, a.agreementId, op.sku, ANSWERED);
        throw err;
      }
      await own(created.id, op.productId);
      await ledger.clearPending(scope, a.agreementId, op.sku);
      return created.id;
    }
    case 'update':
    case 'adopt': {
      const ops = [
        ...(op.to ? patchOf(op.from, op.to) : []),
        ...(op.action === 'adopt' && op.uncancel
          ? [{ op: 'remove' as const, path: 'cancelledDate' }]
          : []),
      ];
      if (ops.length > 0) await patch(op.additionId, ops as AdditionPatch[]);
      await own(op.additionId);
      if (op.action === 'adopt') await ledger.clearPending(scope, a.agreementId, op.sku);
      return op.additionId;
    }
    case 'cancel':
      await cancelAt(op.additionId);
      // A duplicate or a partner's cancel is no longer the engine's; a zero-usage cancel stays
      // its own while it runs to its date (usage coming back takes the cancel back).
      if (op.reason !== undefined) await ledger.remove(scope, a.agreementId, op.additionId);
      return op.additionId;
    case 'release': {
      if (op.effect === 'cancel') await cancelAt(op.additionId);
      else {
        const ops: AdditionPatch[] = [
          ...(op.to ? patchOf(op.from, op.to) : []),
          ...(op.unmark ? [{ op: 'remove' as const, path: 'serialNumber' as const }] : []),
        ];
        if (ops.length > 0) await patch(op.additionId, ops);
      }
      const entry = a.ledger.find((e) => e.additionId === op.additionId);
      if (op.effect === 'leave' && entry) {
        const left: LedgerEntry = { ...entry, state: 'left' };
        await ledger.save(scope, left);
      } else await ledger.remove(scope, a.agreementId, op.additionId);
      return op.additionId;
    }
    case 'forget':
      await ledger.remove(scope, a.agreementId, op.additionId);
      return op.additionId;
  }
}

const writes = (op: Write) => {
  switch (op.action) {
    case 'forget':
      return false;
    case 'release':
      return op.effect === 'cancel' || op.to !== undefined || op.unmark === true;
    case 'adopt':
      return op.uncancel === true || (op.to !== undefined && patchOf(op.from, op.to).length > 0);
    default:
      return true;
  }
};

/**
 * Carries out one planned operation and records it in the audit trail. A write ConnectWise
 * refuses (400, 403, 404, an existing object) is this line failed with ConnectWise's message, and
 * is not sent again unchanged in this run; anything else (5xx, network, 429, 401) is thrown for
 * Temporal to retry, and the retry plans again from what ConnectWise then holds. `dates` are the
 * day of the write's, from the agreement's invoicing.
 */
export async function applyOperation(
  ctx: ApplyContext,
  a: AgreementSnapshot,
  op: PlannedOperation,
  dates: WriteDates,
): Promise<LineResult> {
  const { ref } = ctx.run;
  const customerId =
    op.action === 'release' ? op.customerId : a.customerId || ledgerCustomer(a, op);
  const change = (
    outcome: BillingChange['outcome'],
    additionId: number | null,
    message: string | null,
    date: string | null = null,
  ): BillingChange => ({
    ...ref,
    customerId,
    agreementId: a.agreementId,
    sku: op.sku,
    additionId,
    action: op.action as BillingChange['action'],
    ...valuesOf(op),
    outcome,
    message,
    date,
    at: new Date(),
  });
  const slot = slotOf(op);
  switch (op.action) {
    case 'noop':
    case 'candidate':
      return { action: op.action, outcome: 'unchanged', wrote: false };
    case 'left':
      return { action: op.action, outcome: 'unchanged', message: op.reason, wrote: false };
    case 'skip':
      await ctx.repos.billingChanges.record(change('skipped', null, op.reason), { slot });
      return { action: op.action, outcome: 'skipped', message: op.reason, wrote: false };
    case 'conflict': {
      const message = `${op.reason} (additions ${op.additionIds.join(', ')})`;
      await ctx.repos.billingChanges.record(change('conflict', null, message), { slot });
      return { action: op.action, outcome: 'conflict', message, wrote: false };
    }
    default:
      break;
  }
  const known = 'additionId' in op ? op.additionId : null;
  const refused = ctx.retried ? await refusedBefore(ctx, a, op) : undefined;
  if (refused !== undefined)
    return { action: op.action, outcome: 'failed', message: refused, wrote: false };
  try {
    const wrote = writes(op);
    const additionId = await write(ctx, a, op, dates);
    if (op.action === 'adopt' && op.byMark && !wrote) {
      // The engine's own create, whose answer was lost: audited as the create it was.
      const found = 'created by an earlier attempt whose answer was lost; found by its mark';
      await ctx.repos.billingChanges.record(
        {
          ...change('applied', additionId, found, dates.effectiveDate),
          action: 'create',
          from: null,
          to: op.to ?? op.from,
        },
        { slot: 'create:new' },
      );
      return { action: op.action, outcome: 'applied', wrote };
    }
    await ctx.repos.billingChanges.record(
      change('applied', additionId, messageOf(op, dates), dateOf(op, dates)),
      { slot },
    );
    return { action: op.action, outcome: 'applied', wrote };
  } catch (err) {
    if (!isConnectWiseError(err) || !REFUSALS.has(err.kind)) {
      // Sent, with no answer saying whether it was done: the audit names it all the same (a
      // retry that writes it again, or finds its create by the mark, makes it `applied`).
      const why = err instanceof Error ? err.message : String(err);
      await ctx.repos.billingChanges
        .record(change('unknown', known, `sent; no answer that says it was done: ${why}`), { slot })
        .catch(() => undefined);
      throw err;
    }
    const message = cwMessage(err);
    await ctx.repos.billingChanges.record(change('failed', known, message), { slot });
    return { action: op.action, outcome: 'failed', message, wrote: false };
  }
}
