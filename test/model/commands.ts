/**
 * The commands of the billing model test: what partners, vendors, MSPs, ConnectWise and
 * Temporal do to the billing engine, one at a time. Each one's toString() is how the failure
 * report prints the (shrunk) sequence; picks by index (`#2`) are resolved when the command runs,
 * and what they resolved to is in the trace the failure report prints.
 */
import fc from 'fast-check';
import { createConnectWiseClient } from '../../connectwise';
import type { CandidateChoice } from '../../db';
import type { BillingApproval } from '../../db/repositories/billing-approval-record';
import type { CandidateDecision } from '../../domain/billing/types';
import { BillingApprovalService } from '../../services/billing-approvals';
import { sealPrivateKey } from '../../services/integration-client';
import { DEMO_CREDENTIALS, type FaultRuleInput, type SimAddition } from '../../simulator';
import { checkRun, isOpen } from './invariants';
import {
  AGREEMENTS,
  COMPANIES,
  CUSTOMERS,
  DEFAULT_POLICY,
  EDITABLE_AGREEMENTS,
  HAND_MADE_ITEMS,
  SKU_ITEM_CHOICES,
  SKUS,
  describeAdditions,
  freshTenant,
  initialModel,
  newWorker,
  pushUsage,
  readWorld,
  runBilling,
  saveMappings,
  scopeOf,
  touch,
  writeSettings,
  type CustomerId,
  type HandMadeItem,
  type Model,
  type PolicyModel,
  type Real,
  type RunResult,
  type Sku,
} from './world';

type Cmd = fc.AsyncCommand<Model, Real>;

abstract class Command implements Cmd {
  check(_m: Readonly<Model>): boolean {
    return true;
  }
  abstract run(m: Model, r: Real): Promise<void>;
  abstract toString(): string;
}

const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------
// The vendor and the partner.

export class PushUsage extends Command {
  constructor(
    readonly customer: CustomerId,
    readonly lines: Partial<Record<Sku, number>>,
  ) {
    super();
  }
  async run(m: Model, r: Real) {
    r.trace.push(this.toString());
    await pushUsage(r, this.customer, this.lines);
    m.customers[this.customer].usage = { ...this.lines };
    touch(m);
  }
  toString() {
    const lines = Object.entries(this.lines).map(([sku, q]) => `${sku}=${q}`);
    return `usage(${this.customer}: ${lines.join(' ') || 'nothing'})`;
  }
}

export class MapCompany extends Command {
  constructor(
    readonly customer: CustomerId,
    /** null: excluded. */
    readonly company: number | null,
  ) {
    super();
  }
  async run(m: Model, r: Real) {
    r.trace.push(this.toString());
    m.customers[this.customer].company = this.company;
    await saveMappings(m, r, [this.customer]);
    touch(m);
  }
  toString() {
    return `map(${this.customer} → ${this.company === null ? 'excluded' : `company ${this.company}`})`;
  }
}

export class ChooseAgreement extends Command {
  constructor(
    readonly customer: CustomerId,
    readonly agreement: number | undefined,
  ) {
    super();
  }
  // The settings API refuses one agreement chosen for two customers.
  override check(m: Readonly<Model>) {
    return CUSTOMERS.every(
      (c) =>
        c === this.customer ||
        this.agreement === undefined ||
        m.customers[c].agreement !== this.agreement,
    );
  }
  async run(m: Model, r: Real) {
    r.trace.push(this.toString());
    m.customers[this.customer].agreement = this.agreement;
    await writeSettings(m, r);
    touch(m);
  }
  toString() {
    return `choose(${this.customer} → ${this.agreement === undefined ? 'no agreement' : `agreement ${this.agreement}`})`;
  }
}

export class SwitchBilling extends Command {
  constructor(
    readonly enabled: boolean,
    readonly releaseAdditions: boolean,
  ) {
    super();
  }
  async run(m: Model, r: Real) {
    r.trace.push(this.toString());
    m.enabled = this.enabled;
    if (!this.enabled) m.releaseAdditions = this.releaseAdditions;
    await writeSettings(m, r);
    touch(m);
  }
  toString() {
    return this.enabled ? 'billing(on)' : `billing(off, releaseAdditions=${this.releaseAdditions})`;
  }
}

export class MapSku extends Command {
  constructor(
    readonly sku: Sku,
    /** undefined: the partner's mapping is removed, the engine finds or creates the item. */
    readonly item: number | undefined,
  ) {
    super();
  }
  async run(m: Model, r: Real) {
    r.trace.push(this.toString());
    if (this.item === undefined) {
      delete m.skuItem[this.sku];
      await r.repos.productMappings.remove(r.partnerId, r.integrationId, [this.sku]);
    } else {
      m.skuItem[this.sku] = this.item;
      await r.repos.productMappings.save(r.partnerId, r.integrationId, [
        { sku: this.sku, catalogItemId: this.item, source: 'partner' },
      ]);
    }
    touch(m);
  }
  toString() {
    return `sku(${this.sku} → ${this.item === undefined ? "engine's choice" : `item ${this.item}`})`;
  }
}

export class SetPolicy extends Command {
  constructor(readonly change: Partial<PolicyModel>) {
    super();
  }
  async run(m: Model, r: Real) {
    r.trace.push(this.toString());
    Object.assign(m.policy, this.change);
    await writeSettings(m, r);
    touch(m);
  }
  toString() {
    return `policy(${Object.entries(this.change)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ')})`;
  }
}

// ---------------------------------------------------------------------------------------------
// The MSP, in ConnectWise's own screens (the simulator's admin API) or its own API calls.

/** The additions an MSP edit picks from: every one on the world's agreements, by agreement and id. */
async function additionsToPick(r: Real, openOnly: boolean): Promise<SimAddition[]> {
  const today = new Date().toISOString().slice(0, 10);
  return (await r.sim.admin.state.additions())
    .filter((a) => (AGREEMENTS as readonly number[]).includes(a.agreementId))
    .filter((a) => !openOnly || isOpen(a, today))
    .sort((x, y) => x.agreementId - y.agreementId || x.id - y.id);
}

const describe = (a: SimAddition) =>
  `addition ${a.id} on ${a.agreementId} (item ${a.product.id}, qty ${a.quantity}${typeof a.serialNumber === 'string' ? ', the engine’s' : ''})`;

type AdditionEdit =
  | { kind: 'quantity'; quantity: number }
  | { kind: 'price'; unitPrice: number }
  | { kind: 'cancel' }
  | { kind: 'delete' };

export class MspEditAddition extends Command {
  constructor(
    readonly pick: number,
    readonly edit: AdditionEdit,
  ) {
    super();
  }
  async run(m: Model, r: Real) {
    const candidates = await additionsToPick(r, this.edit.kind !== 'delete');
    if (candidates.length === 0) {
      r.trace.push(`${this.toString()}: no addition to pick`);
      return;
    }
    const a = candidates[this.pick % candidates.length]!;
    r.trace.push(`${this.toString()}: ${describe(a)}`);
    const { _info, ...record } = a;
    switch (this.edit.kind) {
      case 'quantity':
        await r.sim.admin.state.put('additions', { ...record, quantity: this.edit.quantity });
        break;
      case 'price':
        await r.sim.admin.state.put('additions', { ...record, unitPrice: this.edit.unitPrice });
        break;
      case 'cancel':
        await r.sim.admin.state.put('additions', {
          ...record,
          cancelledDate: `${yesterday()}T00:00:00Z`,
        });
        break;
      case 'delete': {
        // The MSP's own login may delete; the integration's API member may not (seed: None).
        await r.sim.admin.security.setLevels('Finance/Agreements', { delete: 'All' });
        const client = await createConnectWiseClient({
          site: r.sim.origin,
          allowPrivateHosts: true,
          ...DEMO_CREDENTIALS,
          ...r.credentials,
        });
        await client.delete(`/finance/agreements/${a.agreementId}/additions/${a.id}`);
        await r.sim.admin.security.setLevels('Finance/Agreements', { delete: 'None' });
        break;
      }
    }
    touch(m);
  }
  toString() {
    const e = this.edit;
    const what =
      e.kind === 'quantity'
        ? `quantity → ${e.quantity}`
        : e.kind === 'price'
          ? `unitPrice → ${e.unitPrice}`
          : e.kind;
    return `msp.addition(#${this.pick}: ${what})`;
  }
}

export class MspHandMade extends Command {
  constructor(
    readonly agreement: number,
    readonly item: HandMadeItem,
    readonly quantity: number,
  ) {
    super();
  }
  async run(m: Model, r: Real) {
    let item = typeof this.item === 'number' ? this.item : 1361;
    if (this.item === 'dlp') {
      const made = (await r.sim.admin.state.catalog()).find((i) => i.integrationXRef === 'dfx:dlp');
      if (made) item = made.id;
    }
    const all = await r.sim.admin.state.additions();
    // As ConnectWise numbers a new record: after every id in use.
    const id = Math.max(0, ...all.map((a) => a.id)) + 1;
    r.trace.push(`${this.toString()}: addition ${id}, item ${item}`);
    await r.sim.admin.state.put('additions', {
      id,
      agreementId: this.agreement,
      product: { id: item },
      quantity: this.quantity,
      billCustomer: 'Billable',
      effectiveDate: '2025-06-01T00:00:00Z',
      taxableFlag: true,
      lessIncluded: 0,
      uom: 'Each',
    });
    touch(m);
  }
  toString() {
    return `msp.handMade(agreement ${this.agreement}, item ${this.item}, qty ${this.quantity})`;
  }
}

type AgreementEdit = 'cancel' | 'expire' | 'one-time' | 'restore';

export class MspAgreement extends Command {
  constructor(
    readonly agreement: number,
    readonly edit: AgreementEdit,
  ) {
    super();
  }
  async run(m: Model, r: Real) {
    r.trace.push(this.toString());
    const current = (await r.sim.admin.state.agreements()).find((a) => a.id === this.agreement)!;
    const { _info, ...a } = current;
    const day = `${yesterday()}T00:00:00Z`;
    const edited =
      this.edit === 'cancel'
        ? {
            ...a,
            cancelledFlag: true,
            agreementStatus: 'Cancelled',
            dateCancelled: day,
            reasonCancelled: 'Customer left',
          }
        : this.edit === 'expire'
          ? { ...a, agreementStatus: 'Expired', noEndingDateFlag: false, endDate: day }
          : this.edit === 'one-time'
            ? { ...a, oneTimeFlag: true }
            : (({ _info: _, ...o }) => o)(r.originalAgreements.get(this.agreement)!);
    await r.sim.admin.state.put('agreements', { ...edited, id: this.agreement });
    touch(m);
  }
  toString() {
    return `msp.agreement(${this.agreement} → ${this.edit})`;
  }
}

export class MspRenameCompany extends Command {
  constructor(readonly company: number) {
    super();
  }
  async run(_m: Model, r: Real) {
    r.trace.push(this.toString());
    const { _info, ...c } = (await r.sim.admin.state.companies()).find(
      (x) => x.id === this.company,
    )!;
    await r.sim.admin.state.put('companies', { ...c, name: `${String(c.name)} (renamed)` });
  }
  toString() {
    return `msp.renameCompany(${this.company})`;
  }
}

// ---------------------------------------------------------------------------------------------
// The partner's decisions on held plans.

export class Decide extends Command {
  constructor(
    readonly pick: number,
    readonly approve: boolean,
    /** One answer per candidate of the plan, in its order (cycled; a second adopt of one sku keeps it separate). */
    readonly answers: CandidateDecision[],
  ) {
    super();
  }
  async run(m: Model, r: Real) {
    const scope = await scopeOf(r);
    const { items } = await r.repos.billingApprovals.listPending(scope, {
      limit: 100,
      now: new Date(),
    });
    if (items.length === 0) {
      r.trace.push(`${this.toString()}: nothing pending`);
      return;
    }
    const approval = items[this.pick % items.length]!;
    const candidates = this.approve ? this.answersFor(approval) : [];
    r.trace.push(
      `${this.toString()}: approval ${approval.approvalId} of agreement ${approval.agreementId} (${approval.operations
        .filter((o) => o.action !== 'noop')
        .map(
          (o) =>
            `${o.action} ${o.sku}${'additionId' in o && o.additionId ? ` ${o.additionId}` : ''}`,
        )
        .join(
          ', ',
        )}; why: ${approval.reasons.join('; ')})${candidates.length ? ` answers ${candidates.map((c) => `${c.additionId}:${c.decision}`).join(' ')}` : ''}`,
    );
    const service = new BillingApprovalService({
      repos: r.repos,
      lifecycle: {
        synchronize: () =>
          Promise.resolve({
            runWorkflowId: `billing-run:${r.integrationId}:queued`,
            joined: false,
          }),
      },
    });
    const { decided } = await service.decide(
      r.partnerId,
      [
        {
          approvalId: approval.approvalId,
          planHash: approval.planHash,
          decision: this.approve ? 'approve' : 'reject',
          ...(this.approve ? { candidates } : {}),
        },
      ],
      'Model tester',
    );
    // The plan is current if the last run held it and nothing changed since.
    const clean = !m.dirty && m.lastHeld.has(approval.agreementId);
    r.trace.push(`    (${clean ? 'the current plan' : 'a plan the world may have moved past'})`);
    if (this.approve)
      m.approved.set(approval.agreementId, { approvalId: decided[0]!.approvalId, clean });
    else m.approved.delete(approval.agreementId);
  }
  private answersFor(approval: BillingApproval): CandidateChoice[] {
    const adopted = new Set<string>();
    return approval.operations.flatMap((op, i) => {
      if (op.action !== 'candidate') return [];
      let decision = this.answers[i % Math.max(1, this.answers.length)] ?? 'keep_separate';
      if (decision === 'adopt' && adopted.has(op.sku)) decision = 'keep_separate';
      if (decision === 'adopt') adopted.add(op.sku);
      return [{ additionId: op.additionId, decision }];
    });
  }
  toString() {
    return `decide(#${this.pick}, ${this.approve ? `approve${this.answers.length ? ` [${this.answers.join(', ')}]` : ''}` : 'reject'})`;
  }
}

// ---------------------------------------------------------------------------------------------
// ConnectWise's faults, armed for the next run.

const ADDITIONS = '/finance/agreements/{parentId}/additions';
const ADDITION = '/finance/agreements/{parentId}/additions/{id}';

export type FaultKind =
  | 'rateLimit list'
  | 'serverError POST'
  | 'serverError PATCH'
  | 'drop POST'
  | 'drop PATCH'
  | 'slowCommit POST';

export class ArmFault extends Command {
  constructor(
    readonly kind: FaultKind,
    readonly afterCommit: boolean,
  ) {
    super();
  }
  rule(r: Real): FaultRuleInput {
    const [kind, method] = this.kind.split(' ') as [string, string];
    const path = method === 'PATCH' ? ADDITION : ADDITIONS;
    switch (kind) {
      case 'rateLimit':
        return { kind: 'rateLimit', method: 'GET', path, count: 2, retryAfterSeconds: 0 };
      case 'serverError':
        return { kind: 'serverError', method, path, count: 1, afterCommit: this.afterCommit };
      case 'drop':
        return { kind: 'drop', method, path, count: 1, afterCommit: this.afterCommit };
      default:
        // Longer than the client waits for a write: its answer is lost, it commits later.
        return { kind: 'slowCommit', method, path, count: 1, ms: r.options.writeTimeoutMs * 2 };
    }
  }
  run(_m: Model, r: Real) {
    const rule = this.rule(r);
    r.trace.push(`${this.toString()}: ${JSON.stringify(rule)}`);
    r.faults.push(rule);
    return Promise.resolve();
  }
  toString() {
    const commit = /serverError|drop/.test(this.kind) ? `, afterCommit=${this.afterCommit}` : '';
    return `fault(${this.kind}${commit})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Runs, the worker, the tenant.

function report(title: string, violations: string[], r: Real, res: RunResult): Error {
  const touched = [
    ...new Set([
      ...[...res.before.additions.values()].map((a) => a.agreementId),
      ...[...res.after.additions.values()].map((a) => a.agreementId),
    ]),
  ].filter((id) => (AGREEMENTS as readonly number[]).includes(id));
  return new Error(
    [
      `${title}: ${violations.length} violation(s)`,
      ...violations.map((v) => `- ${v}`),
      '',
      'trace (this sequence):',
      ...r.trace.map((t) => `  ${t}`),
      '',
      'run outcomes:',
      ...res.outcomes.map(
        (o) =>
          `  ${o.agreementId} (${o.customerId || 'releases only'}): ${o.outcome} ${JSON.stringify(o.counts)}${o.planned ? ` planned ${JSON.stringify(o.planned)}` : ''}${o.reason ? ` — ${o.reason}` : ''}`,
      ),
      ...(res.prepared?.skipped ?? []).map(
        (s) => `  skipped ${s.customerId} / ${s.agreementId ?? '-'}: ${s.reason}`,
      ),
      'audit:',
      ...res.changes.map(
        (c) =>
          `  ${c.agreementId} ${c.sku} ${c.action} ${c.outcome} addition ${c.additionId ?? '-'} ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}${c.message ? ` — ${c.message}` : ''}`,
      ),
      'journal (writes):',
      ...res.journal
        .filter((e) => e.method !== 'GET')
        .map((e) => `  ${e.method} ${e.path} → ${e.status}${e.fault ? ` (${e.fault})` : ''}`),
      'additions before:',
      describeAdditions(res.before.additions, touched),
      'additions after:',
      describeAdditions(res.after.additions, touched),
      'ledger after:',
      ...res.after.ledger.entries.map(
        (e) =>
          `  ${e.agreementId}/${e.additionId} ${e.customerId} ${e.sku} item ${e.productId} ${e.state}`,
      ),
      ...res.after.ledger.pending.map((p) => `  pending create ${p.agreementId} ${p.sku}`),
    ].join('\n'),
  );
}

export class Run extends Command {
  constructor(readonly trigger: 'schedule' | 'manual' | 'config_change') {
    super();
  }
  async run(m: Model, r: Real) {
    r.trace.push(`${this.toString()} #${r.runs + 1}`);
    const res = await runBilling(r, this.trigger);
    const scope = await scopeOf(r);
    const approvalsAfter = new Map(
      await Promise.all(
        [...m.approved.keys()].map(
          async (id) => [id, await r.repos.billingApprovals.get(scope, id)] as const,
        ),
      ),
    );
    const seats = await r.repos.billingSeats.list(scope);
    const violations = checkRun({ m, res, approvalsAfter, seats });
    const summary = res.outcomes
      .map(
        (o) =>
          `${o.agreementId}:${o.outcome}${Object.keys(o.counts).length ? JSON.stringify(o.counts) : ''}`,
      )
      .join(' ');
    r.trace.push(`    → ${res.prepared?.nothingToDo ?? (summary || 'nothing to reconcile')}`);
    const writes = res.journal.filter((e) => e.method !== 'GET');
    if (writes.length > 0)
      r.trace.push(
        `    wrote ${writes.map((e) => `${e.method} ${e.path.replace(/^.*\/apis\/3\.0/, '')} ${e.status}${e.fault ? ` (${e.fault})` : ''}`).join(', ')}`,
      );
    const audited = res.changes.filter((c) => c.outcome !== 'skipped');
    if (audited.length > 0)
      r.trace.push(
        `    audit ${audited.map((c) => `${c.agreementId}/${c.additionId ?? 'new'} ${c.sku} ${c.action} ${c.outcome}${c.to ? ` ${JSON.stringify(c.to)}` : ''}`).join(', ')}`,
      );
    if (violations.length > 0) throw report(`after ${this.toString()}`, violations, r, res);
    m.approved.clear();
    m.dirty = false;
    m.lastHeld = new Set(
      res.outcomes.filter((o) => o.outcome === 'held').map((o) => o.agreementId),
    );
  }
  toString() {
    return `run(${this.trigger})`;
  }
}

export class RestartWorker extends Command {
  run(_m: Model, r: Real) {
    r.trace.push(this.toString());
    r.worker = newWorker(r);
    return Promise.resolve();
  }
  toString() {
    return 'restartWorker()';
  }
}

/**
 * I6: the partner resets the integration to a tenant (services/integration-service.ts: mappings
 * and billing settings cleared, tenant epoch raised, approvals expired) while a run prepared
 * before is on its way: the run's batches after the reset write nothing. `another tenant`: the
 * simulator becomes a new tenant (the seed again: the same ids, other records) that answers to
 * other keys, given to the integration; `same tenant again`: the very same tenant, additions and
 * all, reached again (only the epoch changes), where nothing decided before the reset may be
 * written either (domain/tenant.ts).
 */
export class TenantReset extends Command {
  constructor(readonly sameTenant: boolean) {
    super();
  }
  async run(m: Model, r: Real) {
    r.trace.push(this.toString());
    const violations: string[] = [];
    let additionsAtReset: Map<number, SimAddition> | undefined;
    const res = await runBilling(r, 'schedule', async () => {
      const integration = (await r.repos.integrations.get(r.partnerId, r.integrationId))!;
      const [companyMappings, productMappings] = await Promise.all([
        r.repos.companyMappings.clear(r.partnerId, r.integrationId),
        r.repos.productMappings.clear(r.partnerId, r.integrationId),
      ]);
      let keys = {};
      if (!this.sameTenant) {
        r.originalAgreements = await freshTenant(r.sim);
        r.credentials = await r.sim.admin.keys.rotate();
        keys = {
          publicKey: r.credentials.publicKey,
          privateKey: sealPrivateKey(r.keyring, r.integrationId, r.credentials.privateKey),
        };
      }
      const tenant = { apiOrigin: r.sim.origin, companyId: integration.companyId };
      await r.repos.integrations.update(
        r.partnerId,
        r.integrationId,
        keys,
        ['billingSettings'],
        {},
        {
          at: new Date().toISOString(),
          action: 'reset',
          from: tenant,
          to: tenant,
          cleared: { companyMappings, productMappings, settings: ['billingSettings'] },
        },
      );
      await r.repos.billingApprovals.expireAll({
        partnerId: r.partnerId,
        integrationId: r.integrationId,
      });
      await r.sim.admin.journal.clear();
      additionsAtReset = (await readWorld(r)).additions;
    });
    const writes = res.journal.filter((e) => e.method !== 'GET');
    if (writes.length > 0)
      violations.push(
        `I6: after the reset the run prepared before it wrote: ${writes.map((e) => `${e.method} ${e.path.replace(/^.*\/apis\/3\.0/, '')} → ${e.status}`).join(', ')}`,
      );
    for (const [id, a] of additionsAtReset ?? []) {
      const now = res.after.additions.get(id);
      if (!now || JSON.stringify({ ...now, _info: 0 }) !== JSON.stringify({ ...a, _info: 0 }))
        violations.push(
          `I6: addition ${id} changed after the reset: ${JSON.stringify(now ?? null)}`,
        );
    }
    const reconciled = res.outcomes.filter((o) => o.outcome !== 'skipped');
    if (reconciled.length > 0)
      violations.push(
        `I6: after the reset the run prepared before it still reconciled ${reconciled.map((o) => `${o.agreementId} (${o.outcome}${Object.keys(o.counts).length ? ` ${JSON.stringify(o.counts)}` : ''})`).join(', ')} with the old tenant's snapshot, instead of refusing (BillingTenantChanged)`,
      );
    const scope = await scopeOf(r);
    const held = (
      await Promise.all(AGREEMENTS.map((id) => r.repos.billingApprovals.get(scope, id)))
    ).filter((a) => a?.status === 'pending' || a?.status === 'approved');
    if (held.length > 0)
      violations.push(
        `I6: approvals of the old tenant are still ${held.map((a) => `${a!.agreementId} ${a!.status}`).join(', ')} after the reset`,
      );
    if (violations.length > 0) throw report(this.toString(), violations, r, res);

    const fresh = initialModel(DEFAULT_POLICY);
    for (const c of CUSTOMERS) {
      m.customers[c].company = undefined;
      m.customers[c].agreement = undefined;
    }
    m.enabled = false;
    m.releaseAdditions = false;
    m.policy = fresh.policy;
    m.skuItem = {};
    m.approved.clear();
    m.dirty = true;
    m.lastHeld = new Set();
    r.trace.push(
      `    → nothing written after the reset${res.failure ? ` (${(res.failure as Error).message.slice(0, 100)})` : ''}`,
    );
  }
  toString() {
    return `tenantReset(${this.sameTenant ? 'same tenant again' : 'another tenant'})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Arbitraries.

const customer = fc.constantFrom(...CUSTOMERS);
const sku = fc.constantFrom(...SKUS);
const quantity = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 30 }));

const usageLines = fc
  .tuple(
    ...SKUS.map((s) =>
      fc.option(
        quantity.map((q) => [s, q] as const),
        { nil: undefined, freq: 3 },
      ),
    ),
  )
  .map((lines) => Object.fromEntries(lines.filter((l) => l !== undefined))) as fc.Arbitrary<
  Partial<Record<Sku, number>>
>;

const policyChange: fc.Arbitrary<Partial<PolicyModel>> = fc.oneof(
  fc.record({ zeroUsage: fc.constantFrom('zero' as const, 'cancel' as const, 'leave' as const) }),
  fc.record({ apply: fc.constantFrom('auto' as const, 'approve' as const) }),
  fc.record({ maxSeatDropShare: fc.constantFrom(0.2, 0.5, 1) }),
  fc.record({ maxZeroedShare: fc.constantFrom(0.2, 1) }),
  fc.record({ syncPrices: fc.boolean() }),
);

const additionEdit: fc.Arbitrary<AdditionEdit> = fc.oneof(
  fc.integer({ min: 0, max: 40 }).map((quantity) => ({ kind: 'quantity' as const, quantity })),
  fc.constantFrom(1, 3.5, 9).map((unitPrice) => ({ kind: 'price' as const, unitPrice })),
  fc.constant({ kind: 'cancel' as const }),
  fc.constant({ kind: 'delete' as const }),
);

const pick = fc.nat({ max: 20 });

const skuMapping = sku.chain((s) =>
  fc
    .option(fc.constantFrom(...SKU_ITEM_CHOICES[s]), { nil: undefined })
    .map((item) => new MapSku(s, item)),
);

const FAULTS: FaultKind[] = [
  'rateLimit list',
  'serverError POST',
  'serverError PATCH',
  'drop POST',
  'drop PATCH',
  'slowCommit POST',
];

/** The policy a sequence starts with (shrinks towards the defaults). */
export const initialPolicy: fc.Arbitrary<PolicyModel> = fc.record({
  zeroUsage: fc.constantFrom('zero' as const, 'cancel' as const, 'leave' as const),
  apply: fc.constantFrom('auto' as const, 'auto' as const, 'auto' as const, 'approve' as const),
  maxSeatDropShare: fc.constantFrom(0.5, 1, 0.2),
  maxZeroedShare: fc.constantFrom(0.2, 1),
  syncPrices: fc.boolean(),
});

/**
 * Which commands, how often (weights), by name. `skip` leaves some out (MODEL_SKIP), e.g. to look
 * for further failures while one is known.
 */
export function commandArbitrary(skip: readonly string[] = []): fc.Arbitrary<Cmd> {
  const usage = fc.tuple(customer, usageLines).map(([c, l]) => new PushUsage(c, l));
  const decide = fc
    .tuple(
      pick,
      fc.constantFrom(true, true, false),
      fc.array(fc.constantFrom<CandidateDecision>('adopt', 'keep_separate', 'cancel'), {
        maxLength: 3,
      }),
    )
    .map(([p, approve, answers]) => new Decide(p, approve, approve ? answers : []));
  const choose = fc
    .tuple(customer, fc.option(fc.constantFrom(...AGREEMENTS), { nil: undefined, freq: 6 }))
    .map(([c, a]) => new ChooseAgreement(c, a));
  const table: Array<[string, number, fc.Arbitrary<Cmd>]> = [
    [
      'run',
      14,
      fc
        .constantFrom('schedule' as const, 'manual' as const, 'config_change' as const)
        .map((t) => new Run(t)),
    ],
    ['usage', 6, usage],
    ['decide', 6, decide],
    [
      'map',
      4,
      fc
        .tuple(customer, fc.constantFrom<number | null>(...COMPANIES, null))
        .map(([c, co]) => new MapCompany(c, co)),
    ],
    ['choose', 6, choose],
    [
      'billing',
      2,
      fc.tuple(fc.boolean(), fc.boolean()).map(([on, release]) => new SwitchBilling(on, release)),
    ],
    ['sku', 2, skuMapping],
    ['policy', 4, policyChange.map((p) => new SetPolicy(p))],
    ['msp.addition', 4, fc.tuple(pick, additionEdit).map(([p, e]) => new MspEditAddition(p, e))],
    [
      'msp.handMade',
      2,
      fc
        .tuple(
          fc.constantFrom(...EDITABLE_AGREEMENTS),
          fc.constantFrom(...HAND_MADE_ITEMS),
          fc.integer({ min: 1, max: 30 }),
        )
        .map(([a, i, q]) => new MspHandMade(a, i, q)),
    ],
    [
      'msp.agreement',
      2,
      fc
        .tuple(
          fc.constantFrom(...EDITABLE_AGREEMENTS),
          fc.constantFrom<AgreementEdit>('cancel', 'expire', 'one-time', 'restore'),
        )
        .map(([a, e]) => new MspAgreement(a, e)),
    ],
    ['msp.renameCompany', 1, fc.constantFrom(...COMPANIES).map((c) => new MspRenameCompany(c))],
    [
      'fault',
      4,
      fc.tuple(fc.constantFrom(...FAULTS), fc.boolean()).map(([k, c]) => new ArmFault(k, c)),
    ],
    ['restartWorker', 1, fc.constant(new RestartWorker())],
    ['tenantReset.another', 1, fc.constant(new TenantReset(false))],
    ['tenantReset.same', 1, fc.constant(new TenantReset(true))],
  ];
  const unknown = skip.filter((name) => !table.some(([n]) => n === name));
  if (unknown.length > 0)
    throw new Error(
      `MODEL_SKIP names no command ${unknown.join(', ')}: ${table.map(([n]) => n).join(', ')}`,
    );
  return fc.oneof(
    ...table
      .filter(([name]) => !skip.includes(name))
      .map(([, weight, arbitrary]) => ({ weight, arbitrary })),
  );
}
