/**
 * The invariants of issue 16 ("Proof"), checked after every billing run of the model test. They
 * compare the real world with itself (the simulator's additions before and after, the ledger, the
 * approvals, the journal, the audit trail); the model only says what the partner and the vendor
 * asked for (mappings, choices, usage, policy). Each returns its violations as sentences.
 */
import type { BillingChange } from '../../db';
import type { AgreementCoverage } from '../../domain/billing/coverage';
import type { BillingApproval } from '../../db/repositories/billing-approval-record';
import { isEngineMark } from '../../domain/billing/ledger';
import type { LedgerEntry } from '../../domain/billing/types';
import type { SimAddition } from '../../simulator';
import { inContract } from '../connectwise/sim-support';
import { CUSTOMERS, SKUS, type Model, type RunResult, type Sku } from './world';

const ADDITION_PATH = /\/finance\/agreements\/(\d+)\/additions(?:\/(\d+))?$/;

const dayOf = (v: unknown) => (typeof v === 'string' && v !== '' ? v.slice(0, 10) : null);

/** Open: still billing as ConnectWise sees it (a cancel for a later day is open until then). */
export const isOpen = (a: SimAddition, today: string) => {
  const cancelled = dayOf(a.cancelledDate);
  return cancelled === null || cancelled > today;
};
/** Open with seats: it puts something on the invoice. */
const billing = (a: SimAddition | undefined, today: string): a is SimAddition =>
  a !== undefined && isOpen(a, today) && a.quantity > 0;

const FIELDS = ['quantity', 'unitPrice', 'unitCost', 'cancelledDate', 'product'] as const;
/** The fields of an addition that bill, as comparable values. */
function billedFields(a: SimAddition): Record<(typeof FIELDS)[number], unknown> {
  return {
    quantity: a.quantity,
    unitPrice: a.unitPrice ?? null,
    unitCost: a.unitCost ?? null,
    cancelledDate: dayOf(a.cancelledDate),
    product: a.product.id,
  };
}
/**
 * The billing fields that differ. A price or cost the record lacked before is no change: the
 * simulator fills them from the catalog item when it saves a seed or hand-made record that has
 * none (ConnectWise always has them).
 */
function changedFields(before: SimAddition, after: SimAddition): string[] {
  const [x, y] = [billedFields(before), billedFields(after)];
  return FIELDS.filter(
    (f) => x[f] !== y[f] && !((f === 'unitPrice' || f === 'unitCost') && x[f] === null),
  );
}

const show = (a: SimAddition | undefined) =>
  a
    ? `addition ${a.id} (agreement ${a.agreementId}, item ${a.product.id}, qty ${a.quantity}${a.cancelledDate ? `, cancelled ${dayOf(a.cancelledDate)}` : ''}${typeof a.serialNumber === 'string' ? `, mark ${a.serialNumber}` : ''})`
    : 'no addition';

const TROUBLE = new Set(['skipped', 'conflict', 'failed']);

/** What the run did to one (agreement, sku): a recorded reason not to bill it, or a create. */
const linesOf = (changes: readonly BillingChange[], agreementId: number, sku: string) =>
  changes.filter((c) => c.agreementId === agreementId && c.sku === sku);

/** The audit line's write: a POST, a PATCH, or nothing written. */
function auditWrite(c: BillingChange): 'post' | 'patch' | null {
  if (c.outcome !== 'applied') return null;
  const sameValues =
    c.from !== null &&
    c.to !== null &&
    c.from.quantity === c.to.quantity &&
    (c.to.unitPrice === undefined || c.from.unitPrice === c.to.unitPrice) &&
    (c.to.unitCost === undefined || c.from.unitCost === c.to.unitCost);
  switch (c.action) {
    case 'create':
      return 'post';
    case 'update':
    case 'cancel':
      return 'patch';
    case 'adopt':
      return c.to !== null && !sameValues ? 'patch' : null;
    case 'release':
      return c.date ? 'patch' : c.to !== null && !sameValues ? 'patch' : null;
    default:
      return null;
  }
}

export interface RunContext {
  m: Model;
  res: RunResult;
  /** What coverage knows of each agreement after the run (db/repositories/billing-seats.ts). */
  seats?: ReadonlyArray<AgreementCoverage & { runKey?: string }>;
  /** The approvals `m.approved` names, as stored after the run. */
  approvalsAfter: Map<number, BillingApproval | undefined>;
}

/** The run's billing day (each write takes its own day; the model's runs take well under one). */
const todayOf = (res: RunResult) =>
  res.snapshot?.today ?? res.prepared?.today ?? new Date().toISOString().slice(0, 10);

/** The sku → catalog item of the run (its snapshot), and the skus it could not bill. */
const itemsOf = (res: RunResult) =>
  new Map(res.snapshot?.products.map((p) => [p.sku, p.catalogItemId]));

/**
 * I1: each billed (customer with usage > 0 on its chosen eligible agreement, sku with a catalog
 * item) has exactly one open addition of the engine's on that agreement with that quantity,
 * unless the agreement is held or skipped with a recorded reason; no second open addition of
 * that item was made by the engine, nor created beside a hand-made one without asking.
 */
export function checkBilled({ m, res }: RunContext): string[] {
  const out: string[] = [];
  if (!m.enabled || !res.prepared || res.prepared.nothingToDo !== undefined) return out;
  const today = todayOf(res);
  const items = itemsOf(res);
  const skippedSkus = new Set(res.snapshot?.skippedSkus.map((s) => s.sku));
  const { after, before } = res;
  const ownedAfter = (agreementId: number, sku: string) =>
    after.ledger.entries.filter(
      (e) => e.agreementId === agreementId && e.sku === sku && e.state === 'active',
    );
  const notOurs = new Set(
    after.ledger.entries.filter((e) => e.state !== 'active').map((e) => e.additionId),
  );
  // Additions the partner said, before this run, to keep beside the engine's (asked and answered).
  const keptByDecision = new Set(
    before.approvals
      .filter((a) => a.status === 'approved')
      .flatMap((a) => a.decisions.filter((d) => d.decision === 'keep_separate'))
      .map((d) => d.additionId),
  );
  for (const customerId of CUSTOMERS) {
    const c = m.customers[customerId];
    if (c.agreement === undefined) continue;
    if (res.prepared.skipped.some((s) => s.customerId === customerId)) continue;
    const outcome = res.outcomes.find(
      (o) => o.agreementId === c.agreement && o.customerId === customerId,
    );
    if (!outcome) {
      out.push(
        `I1: customer ${customerId} chose agreement ${c.agreement}, and the run neither reconciled nor skipped it`,
      );
      continue;
    }
    if (outcome.outcome === 'held' || outcome.outcome === 'skipped') continue;
    for (const sku of SKUS) {
      const quantity = c.usage?.[sku] ?? 0;
      if (quantity <= 0) continue;
      const lines = linesOf(res.changes, c.agreement, sku);
      if (lines.some((l) => TROUBLE.has(l.outcome))) continue; // skipped with its reason
      const item = items.get(sku);
      if (item === undefined) {
        if (!skippedSkus.has(sku))
          out.push(
            `I1: ${customerId}'s ${sku} (${quantity}) has no catalog item in the run, and no reason was recorded`,
          );
        continue;
      }
      const owned = ownedAfter(c.agreement, sku)
        .map((e) => after.additions.get(e.additionId))
        .filter((a): a is SimAddition => billing(a, today));
      const who = `${customerId}'s ${sku} on agreement ${c.agreement}`;
      if (owned.length !== 1) {
        out.push(
          `I1: ${who} should be billed ${quantity} by exactly one open addition of the engine; it has ${owned.length}: ${owned.map(show).join('; ') || '-'}`,
        );
        continue;
      }
      const [ours] = owned as [SimAddition];
      // An addition the partner had the engine adopt keeps its own item (a look-alike's).
      const made = isEngineMark(ours.serialNumber as string | undefined);
      if (ours.quantity !== quantity || (made && ours.product.id !== item))
        out.push(`I1: ${who} should be billed ${quantity} of item ${item}; ${show(ours)}`);
      const created = lines.some((l) => l.action === 'create' && l.outcome === 'applied');
      for (const other of after.additions.values()) {
        if (other.id === ours.id || other.agreementId !== c.agreement) continue;
        if (other.product.id !== item || !billing(other, today)) continue;
        if (notOurs.has(other.id) || keptByDecision.has(other.id)) continue;
        if (isEngineMark(other.serialNumber as string | undefined))
          out.push(`I1: ${who} is billed twice by the engine: ${show(ours)} and ${show(other)}`);
        else if (created && billing(before.additions.get(other.id), today))
          out.push(
            `I1: ${who}: the run created ${show(ours)} beside the hand-made ${show(other)} of the same item, without asking the partner`,
          );
      }
    }
  }
  return out;
}

/** Whether the model still backs a ledger addition (ledger.ts releaseReason, from the outside). */
function backed(m: Model, res: RunResult, e: LedgerEntry): boolean {
  if (!m.enabled) return !m.releaseAdditions;
  const c = (m.customers as Record<string, (typeof m.customers)['c1'] | undefined>)[e.customerId];
  if (!c || c.agreement !== e.agreementId) return false;
  if (typeof c.company !== 'number') return false;
  if (res.after.owners.get(e.agreementId) !== c.company) return false;
  const item = itemsOf(res).get(e.sku);
  return item === undefined || item === e.productId;
}

/**
 * I2: no ledger addition (before or after the run) is open with seats where the model no longer
 * backs it (another agreement chosen, unmapped, excluded, item changed, billing off with
 * release), unless its agreement is held or skipped, or `leave` keeps it and the run lists it.
 */
export function checkReleased({ m, res }: RunContext): string[] {
  const out: string[] = [];
  if (!res.prepared) return out;
  const today = todayOf(res);
  const entries = new Map<number, LedgerEntry>();
  for (const e of [...res.before.ledger.entries, ...res.after.ledger.entries])
    if (e.state !== 'kept_separate') entries.set(e.additionId, e);
  for (const e of entries.values()) {
    const a = res.after.additions.get(e.additionId);
    if (!billing(a, today) || a.agreementId !== e.agreementId || backed(m, res, e)) continue;
    const outcome = res.outcomes.find((o) => o.agreementId === e.agreementId);
    if (outcome && ['held', 'skipped', 'failed'].includes(outcome.outcome)) continue;
    if (res.changes.some((c) => c.additionId === e.additionId && TROUBLE.has(c.outcome))) continue;
    const now = res.after.ledger.entries.find((x) => x.additionId === e.additionId);
    const listed =
      (outcome?.counts.left ?? 0) > 0 ||
      res.changes.some(
        (c) => c.additionId === e.additionId && c.action === 'release' && c.outcome === 'applied',
      );
    if (m.policy.zeroUsage === 'leave' && now?.state === 'left' && listed) continue;
    out.push(
      `I2: ledger ${show(a)} of ${e.customerId}/${e.sku} still bills, though the customer's choice no longer backs it (${describeChoice(m, e.customerId)}; policy ${m.policy.zeroUsage}; ledger now ${now?.state ?? 'without it'}; agreement outcome ${outcome?.outcome ?? 'not in the run'})`,
    );
  }
  return out;
}

const describeChoice = (m: Model, customerId: string) => {
  const c = (m.customers as Record<string, (typeof m.customers)['c1'] | undefined>)[customerId];
  if (!m.enabled) return `billing off, releaseAdditions ${m.releaseAdditions}`;
  if (!c) return `customer unknown`;
  return `mapped to ${c.company === undefined ? 'nothing' : c.company === null ? 'excluded' : c.company}, agreement ${c.agreement ?? 'none'}`;
};

/**
 * I3: an addition the engine does not own (not in its ledger, no engine mark) is changed by a run
 * only as the partner decided on it (an approved 'adopt' sets its quantity, 'cancel' cancels it);
 * no addition is ever deleted.
 */
export function checkForeign({ res }: RunContext): string[] {
  const out: string[] = [];
  const owned = new Set(
    res.before.ledger.entries.filter((e) => e.state !== 'kept_separate').map((e) => e.additionId),
  );
  const decided = new Map<number, string>();
  for (const a of res.before.approvals)
    if (a.status === 'approved') for (const d of a.decisions) decided.set(d.additionId, d.decision);
  for (const before of res.before.additions.values()) {
    const after = res.after.additions.get(before.id);
    if (!after) {
      out.push(`I3: the run deleted ${show(before)} (the engine never deletes)`);
      continue;
    }
    if (owned.has(before.id) || isEngineMark(before.serialNumber as string | undefined)) continue;
    const changed = changedFields(before, after);
    if (changed.length === 0) continue;
    const decision = decided.get(before.id);
    const allowed =
      decision === 'adopt'
        ? changed.every((f) => f === 'quantity' || f === 'unitPrice' || f === 'unitCost')
        : decision === 'cancel'
          ? changed.every((f) => f === 'cancelledDate') && dayOf(after.cancelledDate) !== null
          : false;
    if (!allowed)
      out.push(
        `I3: the run changed ${changed.join(', ')} of ${show(before)}, which the engine does not own (partner's decision: ${decision ?? 'none'}); now ${show(after)}`,
      );
  }
  return out;
}

/**
 * I4: every ConnectWise write of the run (the journal's POST/PATCH on additions, and every
 * addition new or changed in the simulator) is in the audit trail, and every 'applied' audit
 * line that writes is in ConnectWise (a request in the journal, and its effect in the state). A
 * write sent without an answer is audited `unknown`: that names it, whichever way it went.
 * Every request the engine sent is one of the contract's.
 */
export function checkAudited({ res }: RunContext): string[] {
  const out: string[] = [];
  const applied = res.changes.filter((c) => c.outcome === 'applied');
  // A write sent without an answer (`unknown`) that a retry then found done names it too.
  const sent = res.changes.filter((c) => c.outcome === 'applied' || c.outcome === 'unknown');
  const auditedIds = new Set(sent.map((c) => c.additionId));
  const { before, after } = res;
  for (const a of after.additions.values()) {
    const was = before.additions.get(a.id);
    if (!was) {
      if (!applied.some((c) => c.additionId === a.id && c.action === 'create'))
        out.push(`I4: ${show(a)} appeared in ConnectWise, and no applied 'create' audits it`);
    } else if (changedFields(was, a).length > 0 && !auditedIds.has(a.id)) {
      out.push(
        `I4: the run changed ${changedFields(was, a).join(', ')} of ${show(was)} → ${show(a)}, and no applied audit line names it`,
      );
    }
  }
  const posts = new Map<number, number>();
  const patched = new Set<number>();
  const posted = new Set<number>();
  for (const e of res.journal) {
    if (!inContract(e)) out.push(`I4: ${e.method} ${e.path} is not an operation of the contract`);
    const match = ADDITION_PATH.exec(e.path);
    if (e.status === 400 && !res.changes.some((c) => c.outcome === 'failed'))
      out.push(`I4: ${e.method} ${e.path} was refused (400), and no failed audit line says so`);
    if (!match || e.method === 'GET') continue;
    const agreementId = Number(match[1]);
    const additionId = match[2] === undefined ? undefined : Number(match[2]);
    const ok = e.status >= 200 && e.status < 300;
    if (e.method === 'PATCH' && additionId !== undefined) {
      patched.add(additionId);
      if (ok && !auditedIds.has(additionId))
        out.push(
          `I4: PATCH of addition ${additionId} (agreement ${agreementId}) answered ${e.status}, and no applied audit line names it`,
        );
    } else if (e.method === 'POST' && additionId === undefined) {
      posted.add(agreementId);
      if (ok) posts.set(agreementId, (posts.get(agreementId) ?? 0) + 1);
    } else out.push(`I4: the engine sent ${e.method} ${e.path}`);
  }
  for (const [agreementId, n] of posts) {
    const made = [...after.additions.values()].filter(
      (a) => a.agreementId === agreementId && !before.additions.has(a.id),
    ).length;
    if (made < n)
      out.push(
        `I4: ${n} creates on agreement ${agreementId} answered 2xx, ${made} additions appeared`,
      );
  }
  for (const c of applied) {
    const kind = auditWrite(c);
    if (kind === null) continue;
    const a = c.additionId === null ? undefined : after.additions.get(c.additionId);
    const line = `audit ${c.action} of ${c.sku} on agreement ${c.agreementId} (addition ${c.additionId ?? '-'}, to ${JSON.stringify(c.to)}, date ${c.date ?? '-'})`;
    // Dates are the day of the write (or later, past an invoiced period): never before it.
    const written = kind === 'post' ? a?.effectiveDate : c.date ? a?.cancelledDate : undefined;
    if (written !== undefined && (dayOf(written) ?? '') < todayOf(res))
      out.push(
        `I4: ${line}: ConnectWise got the date ${dayOf(written)}, before the run's day ${todayOf(res)}`,
      );
    if (kind === 'post') {
      if (!posted.has(c.agreementId))
        out.push(`I4: ${line}: no POST on agreement ${c.agreementId} in the journal`);
      if (!a || a.agreementId !== c.agreementId || before.additions.has(a.id))
        out.push(`I4: ${line}: no new addition of that id in ConnectWise (${show(a)})`);
      else if (c.to && a.quantity !== c.to.quantity)
        out.push(`I4: ${line}: ConnectWise says ${show(a)}`);
      continue;
    }
    if (c.additionId === null || !patched.has(c.additionId))
      out.push(`I4: ${line}: no PATCH of that addition in the journal`);
    if (!a) {
      out.push(`I4: ${line}: the addition is not in ConnectWise`);
      continue;
    }
    const cancelling = c.action === 'cancel' || (c.action === 'release' && c.date);
    if (cancelling ? dayOf(a.cancelledDate) === null : c.to && a.quantity !== c.to.quantity)
      out.push(`I4: ${line}: ConnectWise says ${show(a)}`);
  }
  return out;
}

/**
 * I5: an approval decided 'approve', with nothing changed since but other decisions, faults and
 * worker restarts, is written whole by the next run: it is then 'applied', and the additions say
 * what its operations (and the partner's answers on candidates) said.
 */
export function checkApproved({ m, res, approvalsAfter }: RunContext): string[] {
  const out: string[] = [];
  const today = todayOf(res);
  const { after } = res;
  for (const [agreementId, { approvalId, clean }] of m.approved) {
    if (!clean) continue;
    const approval = approvalsAfter.get(agreementId);
    const outcome = res.outcomes.find((o) => o.agreementId === agreementId);
    if (!approval || approval.approvalId !== approvalId || approval.status !== 'applied') {
      out.push(
        `I5: approval ${approvalId} of agreement ${agreementId} was approved and nothing changed since, yet after the run it is ${approval ? `${approval.approvalId === approvalId ? '' : `replaced by ${approval.approvalId}, `}${approval.status}` : 'gone'} (agreement outcome: ${outcome ? `${outcome.outcome}${outcome.reason ? `: ${outcome.reason}` : ''}` : 'not in the run'})`,
      );
      continue;
    }
    const entryOf = (sku: string) =>
      after.ledger.entries.find(
        (e) => e.agreementId === agreementId && e.sku === sku && e.state === 'active',
      );
    const usageOf = (sku: string) =>
      (m.customers as Record<string, (typeof m.customers)['c1'] | undefined>)[approval.customerId]
        ?.usage?.[sku as Sku] ?? 0;
    for (const op of approval.operations) {
      const what = `I5: approval ${approvalId} (agreement ${agreementId}) said ${op.action} ${op.sku}`;
      switch (op.action) {
        case 'create': {
          const e = entryOf(op.sku);
          const a = e && after.additions.get(e.additionId);
          if (!billing(a, today) || a.quantity !== op.to.quantity)
            out.push(`${what} ×${op.to.quantity}; the engine's addition: ${show(a)}`);
          break;
        }
        case 'update':
        case 'adopt': {
          const a = after.additions.get(op.additionId);
          if (op.to && (!a || a.quantity !== op.to.quantity))
            out.push(`${what} → ${op.to.quantity} on ${op.additionId}; now ${show(a)}`);
          break;
        }
        case 'cancel': {
          const a = after.additions.get(op.additionId);
          if (a && isOpen(a, today) && dayOf(a.cancelledDate) === null)
            out.push(`${what} of ${op.additionId}; now ${show(a)}`);
          break;
        }
        case 'release': {
          const a = after.additions.get(op.additionId);
          const left = after.ledger.entries.find((e) => e.additionId === op.additionId);
          const done =
            op.effect === 'zero'
              ? !a || a.quantity === 0
              : op.effect === 'cancel'
                ? !a || dayOf(a.cancelledDate) !== null
                : left?.state === 'left';
          if (!done) out.push(`${what} (${op.effect}) of ${op.additionId}; now ${show(a)}`);
          break;
        }
        case 'candidate': {
          const decision = approval.decisions.find((d) => d.additionId === op.additionId);
          const a = after.additions.get(op.additionId);
          const want = usageOf(op.sku);
          if (decision?.decision === 'adopt') {
            if (entryOf(op.sku)?.additionId !== op.additionId || a?.quantity !== want)
              out.push(`${what}: adopt ${op.additionId} at ${want}; now ${show(a)}`);
          } else {
            if (decision?.decision === 'cancel' && a && dayOf(a.cancelledDate) === null)
              out.push(`${what}: cancel ${op.additionId}; now ${show(a)}`);
            const e = entryOf(op.sku);
            const ours = e && after.additions.get(e.additionId);
            if (want > 0 && (!billing(ours, today) || ours.quantity !== want))
              out.push(
                `${what}: ${decision?.decision ?? 'no answer'} for ${op.additionId}, then bill ${want} itself; the engine's addition: ${show(ours)}`,
              );
          }
          break;
        }
        default:
          break;
      }
    }
  }
  return out;
}

/**
 * I7: the seats billed that coverage keeps per agreement (by customer and sku) are what ConnectWise
 * holds after the run on the ledger's additions (the engine's, those kept beside them, those left
 * under `leave`), for each agreement the run read whose every write was answered (succeeded,
 * held, skipped): a refused write may have committed, which only the next run's read can tell.
 */
export function checkCoverage({ res, seats }: RunContext): string[] {
  const out: string[] = [];
  if (!res.settled || !seats) return out;
  const today = todayOf(res);
  const entries = new Map(res.after.ledger.entries.map((e) => [e.additionId, e]));
  const read = new Set(
    res.outcomes
      .filter((o) => ['succeeded', 'held', 'skipped'].includes(o.outcome))
      .map((o) => o.agreementId),
  );
  for (const a of seats) {
    // Read by this run: its lines were written with its outcome.
    const readNow = a.runKey === res.ref.runKey && a.readAt?.getTime() === a.at.getTime();
    if (!a.lines || !read.has(a.agreementId) || !readNow) continue;
    const held = new Map<string, number>();
    for (const x of res.after.additions.values()) {
      const e = entries.get(x.id);
      if (x.agreementId !== a.agreementId || !e || !isOpen(x, today)) continue;
      const key = `${e.customerId || a.customerId}/${e.sku}`;
      held.set(key, (held.get(key) ?? 0) + x.quantity);
    }
    const kept = new Map(a.lines.map((l) => [`${l.customerId}/${l.sku}`, l.seats]));
    for (const key of new Set([...held.keys(), ...kept.keys()]))
      if ((held.get(key) ?? 0) !== (kept.get(key) ?? 0))
        out.push(
          `I7: agreement ${a.agreementId} ${key}: coverage says ${kept.get(key) ?? 0} seats billed, ConnectWise holds ${held.get(key) ?? 0} on the ledger's additions`,
        );
  }
  return out;
}

export function checkRun(ctx: RunContext): string[] {
  const out: string[] = [];
  if (!ctx.res.settled)
    out.push(
      `the run did not settle although every fault was transient: ${String((ctx.res.failure as Error | undefined)?.message ?? ctx.res.failure)}`,
    );
  return [
    ...out,
    ...checkBilled(ctx),
    ...checkReleased(ctx),
    ...checkForeign(ctx),
    ...checkAudited(ctx),
    ...(ctx.res.settled ? checkApproved(ctx) : []),
    ...checkCoverage(ctx),
  ];
}
