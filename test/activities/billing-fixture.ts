import { randomBytes } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createBillingActivities } from '../../activities/billing';
import type { BillingSettings } from '../../db';
import type { Product } from '../../db/repositories/vendor';
import type { ReconcileOptions } from '../../services/billing/reconcile';
import type { BillingRunRef } from '../../domain/billing/run';
import type { BillingPolicySettings } from '../../domain/billing/settings';
import { DEMO_CREDENTIALS, type JournalEntry } from '../../simulator';
import type { CandidateChoice } from '../../db';
import { BillingApprovalService } from '../../services/billing-approvals';
import { sealPrivateKey } from '../../services/integration-client';
import { tenantKeyOfIntegration } from '../../services/tenant';
import { simulatorActivityDeps } from '../support/activity-deps';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { testKeyring } from '../support/keys';
import { useSimulator, type SimContext } from '../connectwise/sim-support';

/** The seed's catalog (simulator/fixtures/demo.json) as the vendor products find it. */
export const PRODUCTS: Product[] = [
  // integrationXRef dfx:browser-security → item 1350
  {
    sku: 'browser-security',
    name: 'DefensX Browser Security',
    description: 'Browser',
    price: 4,
    cost: 2,
  },
  // identifier DFX-SECURE-DNS → item 1351
  { sku: 'DFX-SECURE-DNS', name: 'DefensX Secure DNS', description: '', price: 2.5, cost: 1 },
  // nothing in the catalog: created
  {
    sku: 'dlp',
    name: 'DefensX Data Loss Prevention',
    description: 'DLP seats',
    price: 3,
    cost: 1.5,
  },
];

/** Settings a new catalog item needs in the seed: subcategory 1 (category 2), type 1. */
export const CATALOG_DEFAULTS = {
  categoryId: 2,
  subcategoryId: 1,
  typeId: 1,
  productClass: 'Service' as const,
};

export interface Choice {
  customerId: string;
  agreementId: number;
  /** The company the customer is mapped to; null excluded; undefined not mapped at all. */
  companyId: number | null | undefined;
}

export interface SetupInput {
  choices: Choice[];
  policy?: Partial<BillingPolicySettings>;
  products?: Product[];
  /** customerId → sku → quantity */
  usage?: Record<string, Record<string, number>>;
  enabled?: boolean;
}

/** Request lines of the journal that wrote something. */
export const writesIn = (journal: JournalEntry[]) =>
  journal
    .filter((e) => e.method !== 'GET')
    .map((e) => `${e.method} ${e.path.replace(/^\/[^/]+\/apis\/3\.0/, '')}`);

/** Runs an activity function in Temporal's mock activity context (heartbeats, cancellation). */
const inActivity = <A extends unknown[], R>(
  attempt: number,
  fn: (...args: A) => Promise<R>,
  ...args: A
): Promise<R> => new MockActivityEnvironment({ attempt }).run<A, R, typeof fn>(fn, ...args);

/**
 * The billing activities over real FerretDB and the simulator (reset before each test, and every
 * request checked against the contract after it), run in Temporal's mock activity context. Each
 * setup is a new partner, so tests never see each other's records.
 */
export function useBillingFixture(label: string) {
  const ctx: SimContext = useSimulator();
  let db: TestDatabase | undefined;
  const keyring = testKeyring();
  let runs = 0;
  beforeAll(async () => {
    db = await openTestDatabase(label);
  });
  afterAll(() => db?.close());

  const repos = () => {
    if (!db) throw new Error('database not open');
    return db.repos;
  };
  /** The client's write timeout, and how long a create whose answer was lost is waited out. */
  let writeTimeoutMs: number | undefined;
  const activities = () =>
    createBillingActivities(simulatorActivityDeps(repos(), keyring, writeTimeoutMs));

  async function pushUsage(
    partnerId: string,
    customerId: string,
    lines: Record<string, number>,
    asOf = new Date(),
  ) {
    await repos().vendor.replaceUsage(partnerId, customerId, {
      asOf,
      lines: Object.entries(lines).map(([sku, quantity]) => ({ sku, quantity, asOf })),
    });
  }

  async function setup(input: SetupInput) {
    const partnerId = `p-${randomBytes(4).toString('hex')}`;
    const { id: integrationId } = await repos().integrations.create({
      partnerId,
      site: ctx.sim.origin,
      companyId: DEMO_CREDENTIALS.companyId,
      publicKey: DEMO_CREDENTIALS.publicKey,
      sealPrivateKey: (id) => sealPrivateKey(keyring, id, DEMO_CREDENTIALS.privateKey),
    });
    await repos().integrations.update(partnerId, integrationId, {
      billingSettings: {
        enabled: input.enabled ?? true,
        agreements: input.choices.map(({ customerId, agreementId }) => ({
          customerId,
          agreementId,
        })),
        catalogDefaults: CATALOG_DEFAULTS,
        ...input.policy,
      },
    });
    await repos().companyMappings.save(
      partnerId,
      integrationId,
      input.choices
        .filter((c) => c.companyId !== undefined)
        .map((c) => ({ customerId: c.customerId, companyId: c.companyId ?? null })),
    );
    await repos().vendor.upsertProducts(partnerId, input.products ?? PRODUCTS);
    for (const [customerId, lines] of Object.entries(input.usage ?? {})) {
      await pushUsage(partnerId, customerId, lines);
    }
    const synchronized = { count: 0 };
    const scope = async () => {
      const integration = await repos().integrations.get(partnerId, integrationId);
      return { partnerId, integrationId, tenantKey: tenantKeyOfIntegration(integration!) };
    };
    const newRef = (): BillingRunRef => ({
      partnerId,
      integrationId,
      runKey: `billing-run:${integrationId}:t.${++runs}`,
      trigger: 'manual',
    });
    const prepare = (ref: BillingRunRef) =>
      inActivity(1, (r: BillingRunRef) => activities().prepareBillingRun(r), ref);
    const reconcile = (
      ref: BillingRunRef,
      agreementIds: number[],
      { attempt = 1, ...options }: Partial<ReconcileOptions> & { attempt?: number } = {},
    ) =>
      inActivity(
        attempt,
        (r: BillingRunRef) =>
          activities().reconcileBillingBatch({ ref: r, agreementIds, ...options }),
        ref,
      );
    /** prepare, then every batch: one whole run (in `options.mode`, default apply). */
    const run = async (ref = newRef(), options: Partial<ReconcileOptions> = {}) => {
      const prepared = await prepare(ref);
      const outcomes = [];
      for (const batch of prepared.batches)
        outcomes.push(...(await reconcile(ref, batch, options)));
      return { ref, prepared, outcomes };
    };
    return {
      partnerId,
      integrationId,
      newRef,
      prepare,
      reconcile,
      run,
      pushUsage: (customerId: string, lines: Record<string, number>, asOf?: Date) =>
        pushUsage(partnerId, customerId, lines, asOf),
      changes: (ref: BillingRunRef) =>
        repos().billingChanges.listForRun(partnerId, integrationId, ref.runKey),
      /** The ledger scope of the integration as stored now (its tenant key included). */
      scope,
      /** The ledger's entries (pending creates aside), by agreement and addition. */
      ledger: async () =>
        (await repos().billingLedger.list(await scope())).entries.sort(
          (x, y) => x.agreementId - y.agreementId || x.additionId - y.additionId,
        ),
      /** Creates sent whose answer was not seen. */
      pending: async () => (await repos().billingLedger.list(await scope())).pending,
      /** The agreement's held plan (pending, approved, rejected…), if any. */
      approval: (agreementId: number) =>
        repos().billingApprovals.get({ partnerId, integrationId }, agreementId),
      /**
       * The partner's decision on the agreement's pending approval, as the API takes it (the
       * service: checks, the decision, a kept-separate addition remembered in the ledger). The
       * run it would queue is the test's to start: `synchronized` counts the requests.
       */
      decide: async (
        agreementId: number,
        decision: 'approve' | 'reject',
        candidates?: CandidateChoice[],
      ) => {
        const approval = await repos().billingApprovals.get(
          { partnerId, integrationId },
          agreementId,
        );
        if (!approval) throw new Error(`agreement ${agreementId} has no approval`);
        const service = new BillingApprovalService({
          repos: repos(),
          lifecycle: {
            synchronize: () => {
              synchronized.count += 1;
              return Promise.resolve({
                runWorkflowId: `billing-run:${integrationId}:queued`,
                joined: false,
              });
            },
          },
        });
        const { decided } = await service.decide(
          partnerId,
          [
            {
              approvalId: approval.approvalId,
              planHash: approval.planHash,
              decision,
              ...(candidates ? { candidates } : {}),
            },
          ],
          'Billing tester',
        );
        return decided[0]!;
      },
      synchronized,
      integration: async () => (await repos().integrations.get(partnerId, integrationId))!,
      setSettings: async (settings: Partial<BillingSettings>) => {
        const current = await repos().integrations.get(partnerId, integrationId);
        await repos().integrations.update(partnerId, integrationId, {
          billingSettings: { ...current!.billingSettings!, ...settings },
        });
      },
      setPolicy: async (policy: Partial<BillingPolicySettings>) => {
        const current = await repos().integrations.get(partnerId, integrationId);
        await repos().integrations.update(partnerId, integrationId, {
          billingSettings: { ...current!.billingSettings!, ...policy },
        });
      },
    };
  }

  return {
    sim: ctx,
    get repos() {
      return repos();
    },
    setup,
    /** Sets the ConnectWise write timeout of the activities (default: test/support's 2 s). */
    setWriteTimeout(ms: number | undefined) {
      writeTimeoutMs = ms;
    },
  };
}

/** The simulator's additions of one agreement, as [product id, quantity, cancelled day]. */
export const additionRows = (
  additions: Array<{
    id: number;
    product: { id: number };
    quantity: number;
    cancelledDate?: string;
  }>,
) =>
  additions
    .map((a) => [a.product.id, a.quantity, a.cancelledDate?.slice(0, 10) ?? null] as const)
    .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
