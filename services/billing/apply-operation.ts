import {
  createAddition,
  isConnectWiseError,
  patchAddition,
  type AdditionPatch,
  type ConnectWiseClient,
} from '../../connectwise';
import type { AgreementSnapshot, BillingChange, Repositories, RunSnapshot } from '../../db';
import { cwDateTime } from '../../domain/billing/time-zone';
import type { PlannedOperation } from '../../domain/billing/types';
import { patchOf, sameValues } from './additions';
import { cwMessage } from './cw-message';

/** What one run needs to write one agreement's additions. */
export interface ApplyContext {
  repos: Pick<Repositories, 'additionLinks' | 'billingChanges' | 'billingSnapshots'>;
  client: ConnectWiseClient;
  run: RunSnapshot;
  /** Every ConnectWise call goes through it: the integration's concurrency bound. */
  limit: <T>(call: () => Promise<T>) => Promise<T>;
  signal: AbortSignal;
  /**
   * A retry (or a later pass) may follow writes of this run: links and refusals are read as saved
   * now. A first attempt reads them from the snapshot and skips the look-ups (nothing of this run
   * can precede it), which saves database round trips per agreement.
   */
  retried: boolean;
}

export type LineOutcome = 'applied' | 'failed' | 'skipped' | 'conflict' | 'unchanged';

export interface LineResult {
  action: PlannedOperation['action'];
  outcome: LineOutcome;
  message?: string;
  /** True when ConnectWise was written. */
  wrote: boolean;
}

/** Answers about this write that sending it again unchanged would not change (API-NOTES §3). */
const REFUSALS = new Set(['validation', 'object_exists', 'permission', 'not_found']);

type Write = Extract<PlannedOperation, { action: 'create' | 'update' | 'adopt' | 'cancel' }>;

const valuesOf = (op: PlannedOperation) => ({
  from: 'from' in op ? op.from : null,
  to: 'to' in op ? (op.to ?? null) : null,
});

/** The message of an earlier attempt of this very write in this run that ConnectWise refused. */
async function refusedBefore(ctx: ApplyContext, a: AgreementSnapshot, op: Write) {
  const { ref } = ctx.run;
  const before = await ctx.repos.billingChanges.get({
    ...ref,
    agreementId: a.agreementId,
    sku: op.sku,
  });
  const additionId = 'additionId' in op ? op.additionId : null;
  const same =
    before?.outcome === 'failed' &&
    before.action === op.action &&
    before.additionId === additionId &&
    sameValues(before.to, valuesOf(op).to);
  return same ? (before.message ?? 'refused by ConnectWise') : undefined;
}

/** Sends the write; returns the addition id it concerns. Links follow at once. */
async function write(ctx: ApplyContext, a: AgreementSnapshot, op: Write): Promise<number> {
  const { client, run, signal } = ctx;
  const { partnerId, integrationId } = run.ref;
  const options = { signal };
  const link = (additionId: number) =>
    ctx.repos.additionLinks.save(partnerId, integrationId, a.agreementId, {
      sku: op.sku,
      additionId,
    });
  const patch = (additionId: number, ops: AdditionPatch[]) =>
    ctx.limit(() => patchAddition(client, a.agreementId, additionId, ops, options));
  switch (op.action) {
    case 'create': {
      const created = await ctx.limit(() =>
        createAddition(
          client,
          a.agreementId,
          {
            product: { id: op.productId },
            billCustomer: 'Billable',
            effectiveDate: cwDateTime(run.today),
            ...op.to,
          },
          options,
        ),
      );
      await link(created.id);
      return created.id;
    }
    case 'update':
    case 'adopt': {
      const ops = op.to ? patchOf(op.from, op.to) : [];
      if (ops.length > 0) await patch(op.additionId, ops);
      await link(op.additionId);
      return op.additionId;
    }
    case 'cancel':
      await patch(op.additionId, [
        { op: 'replace', path: 'cancelledDate', value: cwDateTime(run.today) },
      ]);
      await ctx.repos.additionLinks.remove(partnerId, integrationId, a.agreementId, op.sku);
      return op.additionId;
  }
}

const writes = (op: Write) =>
  op.action !== 'adopt' || (op.to !== undefined && patchOf(op.from, op.to).length > 0);

/**
 * Carries out one planned operation and records it in the audit trail. A write ConnectWise
 * refuses (400, 403, 404, an existing object) is this line failed with ConnectWise's message, and
 * is not sent again unchanged in this run; anything else (5xx, network, 429, 401) is thrown for
 * Temporal to retry, and the retry plans again from what ConnectWise then holds.
 */
export async function applyOperation(
  ctx: ApplyContext,
  a: AgreementSnapshot,
  op: PlannedOperation,
): Promise<LineResult> {
  const { ref } = ctx.run;
  const change = (
    outcome: BillingChange['outcome'],
    additionId: number | null,
    message: string | null,
  ): BillingChange => ({
    ...ref,
    customerId: a.customerId,
    agreementId: a.agreementId,
    sku: op.sku,
    additionId,
    action: op.action as BillingChange['action'],
    ...valuesOf(op),
    outcome,
    message,
    at: new Date(),
  });
  switch (op.action) {
    case 'noop':
      return { action: op.action, outcome: 'unchanged', wrote: false };
    case 'skip':
      await ctx.repos.billingChanges.record(change('skipped', null, op.reason));
      return { action: op.action, outcome: 'skipped', message: op.reason, wrote: false };
    case 'conflict': {
      const message = `${op.reason} (additions ${op.additionIds.join(', ')})`;
      await ctx.repos.billingChanges.record(change('conflict', null, message));
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
    const additionId = await write(ctx, a, op);
    // An adoption that wrote nothing (a retry finding its own create) keeps the first record.
    await ctx.repos.billingChanges.record(change('applied', additionId, null), {
      keepExisting: !wrote,
    });
    return { action: op.action, outcome: 'applied', wrote };
  } catch (err) {
    if (!isConnectWiseError(err) || !REFUSALS.has(err.kind)) throw err;
    const message = cwMessage(err);
    await ctx.repos.billingChanges.record(change('failed', known, message));
    return { action: op.action, outcome: 'failed', message, wrote: false };
  }
}
