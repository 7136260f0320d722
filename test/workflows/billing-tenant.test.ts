import type { Client } from '@temporalio/client';
import { sealPrivateKey } from '../../services/integration-client';
import { tenantKeyOfIntegration } from '../../services/tenant';
import { billingRunWorkflow } from '../../workflows';
import type { TestDatabase } from '../support/db';
import type { SimulatorFixture } from '../support/simulator';
import { startTimeSkippingEngine, type TimeSkippingEngine } from '../support/time-skipping-engine';

/**
 * A reset to another tenant lands between a run's preparation and its first write: every batch
 * refuses (the tenant guard), and the run ends `cancelled`, not `failed`, with nothing written.
 * Real activities, FerretDB and the simulator; the reset is saved right after `prepareBillingRun`.
 */
let engine: TimeSkippingEngine;
let db: TestDatabase;
let client: Client;
let fx: SimulatorFixture;
let taskQueue: string;
let integrationId = '';
const PARTNER = 'p-tenant';
let resetAfterPrepare = false;

beforeAll(async () => {
  engine = await startTimeSkippingEngine('billing-tenant', (activities) => ({
    ...activities,
    prepareBillingRun: async (...args: Parameters<typeof activities.prepareBillingRun>) => {
      const prepared = await activities.prepareBillingRun(...args);
      if (resetAfterPrepare) await resetToAnotherTenant();
      return prepared;
    },
  }));
  ({ db, client, fx, taskQueue } = engine);
  const { privateKey, ...creds } = fx.credentials;
  const { id } = await db.repos.integrations.create({
    ...creds,
    partnerId: PARTNER,
    sealPrivateKey: (integrationId) => sealPrivateKey(engine.keyring, integrationId, privateKey),
  });
  integrationId = id;
  await db.repos.integrations.update(PARTNER, id, {
    billingSettings: {
      enabled: true,
      agreements: [
        { customerId: 'c-umbrella', agreementId: 307 },
        { customerId: 'c-globex', agreementId: 303 },
      ],
      catalogDefaults: { categoryId: 2, subcategoryId: 1, typeId: 1 },
      apply: 'auto',
    },
  });
  await db.repos.companyMappings.save(PARTNER, id, [
    { customerId: 'c-umbrella', companyId: 256 },
    { customerId: 'c-globex', companyId: 254 },
  ]);
  await db.repos.vendor.upsertProducts(PARTNER, [
    { sku: 'browser-security', name: 'Browser security', description: '', price: 4, cost: 2 },
  ]);
  const asOf = new Date();
  for (const customerId of ['c-umbrella', 'c-globex'])
    await db.repos.vendor.replaceUsage(PARTNER, customerId, {
      asOf,
      lines: [{ sku: 'browser-security', quantity: 9, asOf }],
    });
}, 120_000);

afterAll(() => engine?.stop());

async function resetToAnotherTenant(): Promise<void> {
  const before = (await db.repos.integrations.get(PARTNER, integrationId))!;
  await db.repos.integrations.update(
    PARTNER,
    integrationId,
    { companyId: 'another_tenant' },
    [],
    {},
    {
      at: new Date().toISOString(),
      action: 'reset',
      from: { apiOrigin: before.site, companyId: before.companyId },
      to: { apiOrigin: before.site, companyId: 'another_tenant' },
      cleared: { companyMappings: 0, productMappings: 0, settings: [] },
    },
  );
}

test('a reset between preparation and the first write: the run ends cancelled, nothing is written', async () => {
  const openAdditions = async () => [
    ...(await fx.sim.admin.state.additions(307)),
    ...(await fx.sim.admin.state.additions(303)),
  ];
  const before = await openAdditions();
  const tenantKey = tenantKeyOfIntegration(
    (await db.repos.integrations.get(PARTNER, integrationId))!,
  );
  resetAfterPrepare = true;
  const runKey = `billing-run:${integrationId}:tenant.1`;
  const result = await client.workflow.execute(billingRunWorkflow, {
    taskQueue,
    workflowId: runKey,
    args: [{ partnerId: PARTNER, integrationId, runKey, trigger: 'manual' as const }],
  });
  expect(result.outcome).toBe('cancelled');
  expect(result.summary).toMatch(
    /^cancelled: the integration was moved to another ConnectWise tenant/,
  );
  expect(result.agreements.failed).toBe(0);
  expect(await openAdditions()).toEqual(before);
  const [row] = await db.repos.syncRuns.list(PARTNER, integrationId, 5);
  expect(row).toMatchObject({ outcome: 'cancelled', runKey });
  expect(
    await db.repos.billingLedger.list({ partnerId: PARTNER, integrationId, tenantKey }),
  ).toEqual({
    entries: [],
    pending: [],
  });
});
