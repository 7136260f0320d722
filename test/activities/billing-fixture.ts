import { randomBytes } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createBillingActivities } from '../../activities/billing';
import type { Product } from '../../db/repositories/vendor';
import type { ReconcileOptions } from '../../services/billing/reconcile';
import type { BillingRunRef } from '../../domain/billing/run';
import type { BillingPolicySettings } from '../../domain/billing/settings';
import { DEMO_CREDENTIALS, type JournalEntry } from '../../simulator';
import { sealPrivateKey } from '../../services/integration-client';
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
  const activities = () => createBillingActivities(simulatorActivityDeps(repos(), keyring));

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
      links: () => repos().additionLinks.list(partnerId, integrationId),
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
