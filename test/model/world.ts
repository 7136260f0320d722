/**
 * The world of the billing model test (billing-model.test.ts): a small tenant in the ConnectWise
 * simulator, a partner in FerretDB, and the REAL billing activities run as the workflow runs them
 * (prepare, then each batch, a failed batch retried with attempt + 1 as Temporal would). Nothing
 * here knows what the engine should do: invariants.ts compares the world with itself.
 */
import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createBillingActivities } from '../../activities/billing';
import type { BillingChange, Repositories } from '../../db';
import type { BillingApproval } from '../../db/repositories/billing-approval-record';
import type { Ledger } from '../../db/repositories/billing-ledger';
import type { RunSnapshot } from '../../db/repositories/billing-snapshots';
import type { Product } from '../../db/repositories/vendor';
import type { AgreementOutcome, BillingRunRef, PreparedRun } from '../../domain/billing/run';
import type { ApplyMode } from '../../domain/billing/settings';
import type { ZeroUsagePolicy } from '../../domain/billing/types';
import type { Keyring } from '../../security';
import {
  DEMO_CREDENTIALS,
  type FaultRuleInput,
  type JournalEntry,
  type SimAddition,
  type SimRecord,
  type SimulatorHandle,
} from '../../simulator';
import { sealPrivateKey } from '../../services/integration-client';
import { tenantKeyOfIntegration } from '../../services/tenant';
import { simulatorActivityDeps } from '../support/activity-deps';

// ---------------------------------------------------------------------------------------------
// The world: 4 customers, 3 companies, their agreements, 3 skus, a few catalog items.

export const CUSTOMERS = ['c1', 'c2', 'c3', 'c4'] as const;
export type CustomerId = (typeof CUSTOMERS)[number];

/** Acme Corp (250), Globex (254), Umbrella (256) of the demo seed. */
export const COMPANIES = [250, 254, 256] as const;

/**
 * Agreements a customer may choose. Seed: 300 Acme recurring (hand-made 5001 bills item 1350,
 * the browser product, 20 seats; 5000 M365; 5005 cancelled), 301 Acme one-time, 303 Globex
 * annual, 304 Globex expired, 307 Umbrella (no proration), 309 ACME Corporation (company 251,
 * never mapped: always another company's). Added by the test: 320 Umbrella, 321 Acme.
 */
export const AGREEMENTS = [300, 301, 303, 304, 307, 309, 320, 321] as const;
/** Agreements an MSP edit may touch (status, additions). */
export const EDITABLE_AGREEMENTS = [300, 303, 307, 320, 321] as const;

export const SKUS = ['browser-security', 'DFX-SECURE-DNS', 'dlp'] as const;
export type Sku = (typeof SKUS)[number];

/** The vendor's products: browser-security → 1350 (xref), DFX-SECURE-DNS → 1351 (identifier), dlp created. */
export const PRODUCTS: Product[] = [
  {
    sku: 'browser-security',
    name: 'DefensX Browser Security',
    description: 'Browser',
    price: 4,
    cost: 2,
  },
  { sku: 'DFX-SECURE-DNS', name: 'DefensX Secure DNS', description: '', price: 2.5, cost: 1 },
  {
    sku: 'dlp',
    name: 'DefensX Data Loss Prevention',
    description: 'DLP seats',
    price: 3,
    cost: 1.5,
  },
];

/** Catalog items the test adds: a look-alike of the browser product, and an unrelated one. */
export const EXTRA_ITEMS = { browserPlus: 1360, firewall: 1361 } as const;

/** What a sku may be mapped to by the partner (undefined: the engine's own choice). */
export const SKU_ITEM_CHOICES: Record<Sku, number[]> = {
  'browser-security': [1350, EXTRA_ITEMS.browserPlus, EXTRA_ITEMS.firewall],
  'DFX-SECURE-DNS': [1351, EXTRA_ITEMS.browserPlus],
  dlp: [EXTRA_ITEMS.firewall, EXTRA_ITEMS.browserPlus],
};

/** Items an MSP bills by hand ('dlp': the engine's dlp item once it exists, else 1361). */
export const HAND_MADE_ITEMS = [1350, 1351, 1353, EXTRA_ITEMS.browserPlus, 'dlp'] as const;
export type HandMadeItem = (typeof HAND_MADE_ITEMS)[number];

const CATALOG_DEFAULTS = {
  categoryId: 2,
  subcategoryId: 1,
  typeId: 1,
  productClass: 'Service' as const,
};

// ---------------------------------------------------------------------------------------------
// The model: what the partner and the vendor said (the engine's inputs), nothing of its outputs.

export interface CustomerModel {
  /** null: excluded; undefined: not mapped. */
  company: number | null | undefined;
  /** The agreement chosen for it in the billing settings, if any. */
  agreement: number | undefined;
  /** The last usage pushed (undefined: none yet); a sku left out has no usage. */
  usage: Partial<Record<Sku, number>> | undefined;
}

export interface PolicyModel {
  zeroUsage: ZeroUsagePolicy;
  apply: ApplyMode;
  maxSeatDropShare: number;
  maxZeroedShare: number;
  syncPrices: boolean;
}

export interface Model {
  customers: Record<CustomerId, CustomerModel>;
  /** Billing settings exist and are on; off, `releaseAdditions` says what happens to the ledger. */
  enabled: boolean;
  releaseAdditions: boolean;
  policy: PolicyModel;
  /** The partner's sku → catalog item choices (absent: the engine finds or creates one). */
  skuItem: Partial<Record<Sku, number>>;
  /**
   * Approvals decided 'approve' and not yet seen by a settled run: `clean` when the plan was held
   * by the last run and nothing but decisions, faults and worker restarts happened since it (then
   * the next run must write it whole: nothing superseded it).
   */
  approved: Map<number, { approvalId: string; clean: boolean }>;
  /** Something that may change a plan happened since the last run. */
  dirty: boolean;
  /** The agreements the last run held (their pending approvals are its plans). */
  lastHeld: Set<number>;
}

export const DEFAULT_POLICY: PolicyModel = {
  zeroUsage: 'zero',
  apply: 'auto',
  maxSeatDropShare: 0.5,
  maxZeroedShare: 0.2,
  syncPrices: false,
};

export const initialModel = (policy: PolicyModel = DEFAULT_POLICY): Model => ({
  customers: {
    c1: { company: 250, agreement: 300, usage: { 'browser-security': 10, dlp: 2 } },
    c2: { company: 254, agreement: 303, usage: { 'browser-security': 5, 'DFX-SECURE-DNS': 3 } },
    c3: { company: 256, agreement: 307, usage: { dlp: 4 } },
    c4: { company: undefined, agreement: undefined, usage: { 'browser-security': 7 } },
  },
  enabled: true,
  releaseAdditions: false,
  policy: { ...policy },
  skuItem: {},
  approved: new Map(),
  dirty: true,
  lastHeld: new Set(),
});

/** Anything that may change an agreement's plan makes every approval "not clean" (I5). */
export const touch = (m: Model) => {
  m.dirty = true;
  for (const a of m.approved.values()) a.clean = false;
};

// ---------------------------------------------------------------------------------------------
// The real world.

export type BillingActivities = ReturnType<typeof createBillingActivities>;

export interface ModelOptions {
  /** Wait out a create in doubt for real (5 s and more), else move its pending create's clock. */
  realWaits: boolean;
  /** The client's write timeout: a slow create is given up after it. */
  writeTimeoutMs: number;
}

export interface Real {
  sim: SimulatorHandle;
  repos: Repositories;
  keyring: Keyring;
  options: ModelOptions;
  partnerId: string;
  integrationId: string;
  /** The worker's activities (its caches live as long as it does). */
  worker: BillingActivities;
  /** Faults armed for the next run, installed when it starts. */
  faults: FaultRuleInput[];
  /** The keys the tenant answers to now (a reset to another tenant brings others). */
  credentials: { publicKey: string; privateKey: string };
  /** Agreements as the test set them up, to restore an MSP's change. */
  originalAgreements: Map<number, SimRecord>;
  runs: number;
  handMade: number;
  /** What each command did, resolved (ids), for the failure report. */
  trace: string[];
}

export const newWorker = (r: Pick<Real, 'repos' | 'keyring' | 'options'>): BillingActivities =>
  createBillingActivities(simulatorActivityDeps(r.repos, r.keyring, r.options.writeTimeoutMs));

/** Agreements and catalog items the seed lacks, cloned from seed records so they read as CW's. */
async function extendSeed(sim: SimulatorHandle): Promise<void> {
  const agreements = await sim.admin.state.agreements();
  const byId = new Map(agreements.map((a) => [a.id, a]));
  const strip = ({ _info, ...rest }: SimRecord) => rest as SimRecord;
  await sim.admin.state.put('agreements', {
    ...strip(byId.get(307)!),
    id: 320,
    name: 'Umbrella - Security Plus',
    prorateFlag: true,
    invoiceProratedAdditionsFlag: true,
  });
  await sim.admin.state.put('agreements', {
    ...strip(byId.get(300)!),
    id: 321,
    name: 'Acme Corp - Managed Endpoint',
    prorateFlag: false,
    invoiceProratedAdditionsFlag: false,
  });
  const catalog = await sim.admin.state.catalog();
  const dns = strip(catalog.find((i) => i.id === 1351)!);
  await sim.admin.state.put('catalog', {
    ...dns,
    id: EXTRA_ITEMS.browserPlus,
    identifier: 'DFX-BROWSER-PLUS',
    description: 'DefensX Browser Security Plus',
    customerDescription: 'DefensX Browser Security Plus',
  });
  await sim.admin.state.put('catalog', {
    ...dns,
    id: EXTRA_ITEMS.firewall,
    identifier: 'NET-FW',
    description: 'Managed Firewall',
    customerDescription: 'Managed Firewall',
  });
}

/** The simulator back to the seed plus the test's records: a tenant as a partner first meets it. */
export async function freshTenant(sim: SimulatorHandle): Promise<Map<number, SimRecord>> {
  await sim.admin.reset();
  await extendSeed(sim);
  return new Map((await sim.admin.state.agreements()).map((a) => [a.id, a]));
}

/** Writes the whole billing settings from the model, as the settings screen's PUT does. */
export async function writeSettings(m: Model, r: Real): Promise<void> {
  const choices = CUSTOMERS.flatMap((customerId) => {
    const agreementId = m.customers[customerId].agreement;
    return agreementId === undefined ? [] : [{ customerId, agreementId }];
  });
  await r.repos.integrations.update(r.partnerId, r.integrationId, {
    billingSettings: {
      enabled: m.enabled,
      releaseAdditions: m.enabled ? null : m.releaseAdditions,
      agreements: choices,
      catalogDefaults: CATALOG_DEFAULTS,
      ...m.policy,
    },
  });
}

let lastAsOf = 0;
/** A usage push as the vendor API stores it: the whole set, newer than the last. */
export async function pushUsage(
  r: Real,
  customerId: CustomerId,
  lines: Partial<Record<Sku, number>>,
): Promise<void> {
  lastAsOf = Math.max(Date.now(), lastAsOf + 1);
  const asOf = new Date(lastAsOf);
  await r.repos.vendor.replaceUsage(r.partnerId, customerId, {
    asOf,
    lines: Object.entries(lines).map(([sku, quantity]) => ({ sku, quantity, asOf })),
  });
}

export async function saveMappings(m: Model, r: Real, customers: readonly CustomerId[]) {
  const rows = customers.flatMap((customerId) => {
    const company = m.customers[customerId].company;
    return company === undefined ? [] : [{ customerId, companyId: company }];
  });
  await r.repos.companyMappings.save(r.partnerId, r.integrationId, rows);
}

/** A new partner over a fresh tenant, set up as the model's initial state says. */
export async function setupWorld(
  sim: SimulatorHandle,
  repos: Repositories,
  keyring: Keyring,
  options: ModelOptions,
  policy: PolicyModel = DEFAULT_POLICY,
): Promise<{ model: Model; real: Real }> {
  const model = initialModel(policy);
  const originalAgreements = await freshTenant(sim);
  const partnerId = `m-${randomBytes(4).toString('hex')}`;
  const { id: integrationId } = await repos.integrations.create({
    partnerId,
    site: sim.origin,
    companyId: DEMO_CREDENTIALS.companyId,
    publicKey: DEMO_CREDENTIALS.publicKey,
    sealPrivateKey: (id) => sealPrivateKey(keyring, id, DEMO_CREDENTIALS.privateKey),
  });
  const real: Real = {
    sim,
    repos,
    keyring,
    options,
    partnerId,
    integrationId,
    worker: newWorker({ repos, keyring, options }),
    faults: [],
    credentials: {
      publicKey: DEMO_CREDENTIALS.publicKey,
      privateKey: DEMO_CREDENTIALS.privateKey,
    },
    originalAgreements,
    runs: 0,
    handMade: 0,
    trace: [`start: ${JSON.stringify(policy)}`],
  };
  await writeSettings(model, real);
  await saveMappings(model, real, CUSTOMERS);
  await repos.vendor.upsertProducts(partnerId, PRODUCTS);
  for (const c of CUSTOMERS) {
    const usage = model.customers[c].usage;
    if (usage) await pushUsage(real, c, usage);
  }
  return { model, real };
}

// ---------------------------------------------------------------------------------------------
// Reading the world.

export async function scopeOf(r: Real) {
  const integration = await r.repos.integrations.get(r.partnerId, r.integrationId);
  return {
    partnerId: r.partnerId,
    integrationId: r.integrationId,
    tenantKey: tenantKeyOfIntegration(integration!),
  };
}

export interface WorldState {
  /** Every addition in the tenant, by id. */
  additions: Map<number, SimAddition>;
  ledger: Ledger;
  /** Approvals of the current tenant that still matter (pending, approved, rejected). */
  approvals: BillingApproval[];
  /** Agreement → the company that owns it in ConnectWise. */
  owners: Map<number, number>;
}

export async function readWorld(r: Real): Promise<WorldState> {
  const scope = await scopeOf(r);
  const [additions, ledger, approvals, agreements] = await Promise.all([
    r.sim.admin.state.additions(),
    r.repos.billingLedger.list(scope),
    r.repos.billingApprovals.listLive(scope),
    r.sim.admin.state.agreements(),
  ]);
  return {
    // The world's agreements only.
    additions: new Map(
      additions
        .filter((a) => (AGREEMENTS as readonly number[]).includes(a.agreementId))
        .map((a) => [a.id, a]),
    ),
    ledger,
    approvals,
    owners: new Map(
      agreements.map((a) => [a.id, (a.company as { id: number } | undefined)?.id ?? 0]),
    ),
  };
}

/** One line per addition, for a failure report. */
export const describeAdditions = (additions: Map<number, SimAddition>, agreements?: number[]) =>
  [...additions.values()]
    .filter((a) => !agreements || agreements.includes(a.agreementId))
    .sort((x, y) => x.agreementId - y.agreementId || x.id - y.id)
    .map(
      (a) =>
        `  ${a.agreementId}/${a.id} item ${a.product.id} qty ${a.quantity}` +
        (a.unitPrice !== undefined ? ` @${a.unitPrice}` : '') +
        (a.cancelledDate ? ` cancelled ${a.cancelledDate.slice(0, 10)}` : '') +
        (typeof a.serialNumber === 'string' ? ` mark ${a.serialNumber}` : ''),
    )
    .join('\n');

// ---------------------------------------------------------------------------------------------
// Driving a run as the workflow does.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Temporal's retry policy for billing activities (workflows/billing-run.ts). */
const MAX_ATTEMPTS = 6;
const CREATE_IN_DOUBT = 'BillingCreateInDoubt';

const durationMs = (d: unknown): number => {
  if (typeof d === 'number') return d;
  if (typeof d === 'string') {
    const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(d.trim());
    if (m) return Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 1);
  }
  return 0;
};

export type Attempted<T> =
  { ok: true; value: T; attempts: number } | { ok: false; error: unknown; attempts: number };

/**
 * Runs an activity as Temporal would: in its activity context, retried with attempt + 1 after a
 * retryable failure (at most MAX_ATTEMPTS), never after a non-retryable one. A create in doubt
 * waits its nextRetryDelay: for real with `realWaits`, else the pending create's clock is moved
 * back by that much (once the simulator's slow commits have landed, it is the same thing).
 */
async function asTemporal<T>(
  r: Real,
  label: string,
  fn: (attempt: number) => Promise<T>,
  slowCommitMs: number,
): Promise<Attempted<T>> {
  let error: unknown;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    try {
      return { ok: true, value: await fn(attempt), attempts: attempt };
    } catch (err) {
      error = err;
      const failure = err instanceof ApplicationFailure ? err : undefined;
      r.trace.push(
        `    ${label} attempt ${attempt}: ${failure?.type ?? (err as Error).name}: ${(err as Error).message.slice(0, 160)}`,
      );
      const pending = (await r.repos.billingLedger.list(await scopeOf(r))).pending;
      if (pending.length > 0)
        r.trace.push(
          `      pending creates: ${pending.map((p) => `${p.agreementId} ${p.sku} sent ${p.sentAt}`).join(', ')}`,
        );
      if (failure?.nonRetryable) return { ok: false, error: err, attempts: attempt };
      const delay = durationMs(failure?.nextRetryDelay);
      if (failure?.type === CREATE_IN_DOUBT) {
        if (r.options.realWaits) await sleep(delay);
        else {
          // Every create sent so far has landed (or never will) before its clock moves on.
          await sleep(slowCommitMs > 0 ? slowCommitMs + 200 : 0);
          const scope = await scopeOf(r);
          for (const p of (await r.repos.billingLedger.list(scope)).pending) {
            const sentAt = new Date(Date.parse(p.sentAt) - delay - 1_000);
            await r.repos.billingLedger.markPending(scope, p.agreementId, p.sku, sentAt);
          }
        }
      } else await sleep(Math.min(delay, 1_500));
    }
  }
  return { ok: false, error, attempts: MAX_ATTEMPTS };
}

const quiet = () => undefined;
/** The activities' own failures are in the trace: the SDK's warning for each is noise here. */
const SILENT = { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet };

const inActivity = <R>(attempt: number, fn: () => Promise<R>): Promise<R> =>
  new MockActivityEnvironment({ attempt }, { logger: SILENT }).run(fn);

export interface RunResult {
  ref: BillingRunRef;
  /** Every batch done (a batch that failed past its retries, or a refused run, is not). */
  settled: boolean;
  /** Why not settled. */
  failure?: unknown;
  prepared?: PreparedRun;
  snapshot?: RunSnapshot;
  outcomes: AgreementOutcome[];
  before: WorldState;
  after: WorldState;
  journal: JournalEntry[];
  changes: BillingChange[];
  /** The faults the run was given. */
  faults: FaultRuleInput[];
}

export const newRef = (r: Real, trigger: BillingRunRef['trigger']): BillingRunRef => ({
  partnerId: r.partnerId,
  integrationId: r.integrationId,
  runKey: `billing-run:${r.integrationId}:m.${++r.runs}`,
  trigger,
});

/**
 * One billing run as the workflow makes it: prepare, then every batch in order, each retried as
 * Temporal retries it; the armed faults are in place for the whole run. `between` runs after
 * prepare (a tenant reset, say). Returns the world before and after, the journal and the audit.
 */
export async function runBilling(
  r: Real,
  trigger: BillingRunRef['trigger'],
  between?: () => Promise<void>,
): Promise<RunResult> {
  const before = await readWorld(r);
  await r.sim.admin.journal.clear();
  const faults = r.faults;
  r.faults = [];
  for (const f of faults) await r.sim.admin.faults.add(f);
  const slowCommitMs = Math.max(
    0,
    ...faults.map((f) => (f.kind === 'slowCommit' || f.kind === 'latency' ? f.ms : 0)),
  );
  const ref = newRef(r, trigger);
  const worker = r.worker;
  const outcomes: AgreementOutcome[] = [];
  let settled = true;
  let failure: unknown;
  const prepared = await asTemporal(
    r,
    'prepare',
    (attempt) => inActivity(attempt, () => worker.prepareBillingRun(ref)),
    slowCommitMs,
  );
  if (!prepared.ok) {
    settled = false;
    failure = prepared.error;
  } else {
    if (between) await between();
    for (const batch of prepared.value.batches) {
      const done = await asTemporal(
        r,
        `batch [${batch.join(', ')}]`,
        (attempt) =>
          inActivity(attempt, () =>
            // A retry may land on the same worker or another: the same here (restarts are a command).
            r.worker.reconcileBillingBatch({ ref, agreementIds: batch }),
          ),
        slowCommitMs,
      );
      // As the workflow does (workflows/billing-run.ts reconcilePass), a batch failed past
      // its retries fails its agreements and the others go on (no credential failures here).
      if (done.ok) outcomes.push(...done.value);
      else {
        settled = false;
        failure = done.error;
      }
    }
  }
  // A slow commit still on its way lands before the world is read.
  if (slowCommitMs > 0) await sleep(slowCommitMs + 100);
  const fired = (await r.sim.admin.faults.list()).filter((f) => f.fired > 0);
  if (faults.length > 0)
    r.trace.push(
      `    faults fired: ${fired.map((f) => `${f.rule.kind} ×${f.fired}`).join(', ') || 'none'}`,
    );
  await r.sim.admin.faults.clear();
  const [after, journal, changes, snapshot] = await Promise.all([
    readWorld(r),
    r.sim.admin.journal.list(),
    r.repos.billingChanges.listForRun(r.partnerId, r.integrationId, ref.runKey),
    r.repos.billingSnapshots.getRun(ref),
  ]);
  return {
    ref,
    settled,
    ...(failure !== undefined ? { failure } : {}),
    ...(prepared.ok ? { prepared: prepared.value } : {}),
    ...(snapshot ? { snapshot } : {}),
    outcomes,
    before,
    after,
    journal,
    changes,
    faults,
  };
}
