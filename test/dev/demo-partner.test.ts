import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import request from 'supertest';
import {
  DEMO_BILLING,
  DEMO_PARTNER_ID,
  seedDemoIntegration,
  type DemoIntegrationDeps,
} from '../../dev/demo-partner';
import { readDevEnv } from '../../dev/env-file';
import type { BillingRunResult } from '../../domain/billing/run';
import { storedCredentials } from '../../services/integration-client';
import { startEngine, type Engine } from '../support/engine';
import { startTestSimulator, type SimulatorFixture } from '../support/simulator';

jest.setTimeout(120_000);

/**
 * The local stack's demo seeding against FerretDB, the simulator and the engine: connected,
 * mapped, billing on; a second seeding changes nothing a partner changed; the first Synchronize
 * writes agreement additions.
 */
let engine: Engine;
let fx: SimulatorFixture;
let dir: string;
let deps: DemoIntegrationDeps;

beforeAll(async () => {
  [engine, fx] = await Promise.all([startEngine('demo-seed'), startTestSimulator()]);
  dir = mkdtempSync(join(tmpdir(), 'cw-demo-seed-'));
  deps = {
    repos: engine.db.repos,
    keyring: engine.keyring,
    config: engine.config,
    temporal: engine.client,
    devEnvFile: join(dir, 'dev.env'),
  };
  // The vendor data the stack seeds before (customers, products, usage).
  const { vendor } = engine.db.repos;
  await vendor.upsertCustomers(DEMO_PARTNER_ID, [
    { customerId: 'dfx-cust-acme', name: 'Acme Corporation' },
    { customerId: 'dfx-cust-globex', name: 'Globex' },
    { customerId: 'dfx-cust-initech', name: 'Initech LLC' },
    { customerId: 'dfx-cust-umbrella', name: 'Umbrella Health Inc.' },
  ]);
  await vendor.upsertProducts(DEMO_PARTNER_ID, [
    {
      sku: 'DFX-BROWSER-SEAT',
      name: 'DefensX Browser Security',
      description: 'Per-seat browser security',
      price: 4,
      cost: 2,
    },
  ]);
  const asOf = new Date();
  for (const [customerId, quantity] of [
    ['dfx-cust-acme', 10],
    ['dfx-cust-globex', 20],
    ['dfx-cust-umbrella', 40],
  ] as const) {
    await vendor.replaceUsage(DEMO_PARTNER_ID, customerId, {
      asOf,
      lines: [{ sku: 'DFX-BROWSER-SEAT', quantity, asOf }],
    });
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([engine?.stop(), fx?.sim.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const target = () => ({ site: fx.sim.origin, credentials: fx.credentials });
const cw = (path: string) => `/v1/partners/${DEMO_PARTNER_ID}/connectwise${path}`;
const auth = () => ({ Authorization: `Bearer ${engine.tokens.service}` });

async function synchronize(): Promise<BillingRunResult> {
  const res = await request(engine.app).post(cw('/synchronize')).set(auth());
  expect(res.status).toBe(202);
  const runWorkflowId = res.body.runWorkflowId as string;
  for (let i = 0; i < 300; i++) {
    try {
      return (await engine.client.workflow.getHandle(runWorkflowId).result()) as BillingRunResult;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`run ${runWorkflowId} never started`);
}

test('connects, maps and enables billing once; a restart keeps what the partner changed; the first Synchronize writes additions', async () => {
  const first = await seedDemoIntegration(deps, target());
  const { repos } = engine.db;
  const integration = await repos.integrations.findForPartner(DEMO_PARTNER_ID);
  expect(integration).toMatchObject({ id: first.integrationId, state: 'active' });
  expect(readDevEnv(deps.devEnvFile).DEMO_INTEGRATION_ID).toBe(first.integrationId);
  // Sealed at rest, bound to the integration, opened with the engine's keys.
  expect(JSON.stringify(integration!.privateKey)).not.toContain(fx.credentials.privateKey);
  expect(storedCredentials(engine.keyring, integration!).privateKey).toBe(
    fx.credentials.privateKey,
  );
  // The lifecycle workflow runs for it, as after a create through the API.
  const status = await request(engine.app).get(cw('/status')).set(auth());
  expect(status.body.workflow).toMatchObject({ lifecycle: 'running' });

  const mappings = await repos.companyMappings.list(DEMO_PARTNER_ID, integration!.id);
  expect(mappings.map((m) => [m.customerId, m.companyId]).sort()).toEqual(
    DEMO_BILLING.map((b) => [b.customerId, b.companyId]).sort(),
  );
  expect(integration!.billingSettings).toMatchObject({
    enabled: true,
    agreements: DEMO_BILLING.map(({ customerId, agreementId }) => ({ customerId, agreementId })),
    catalogDefaults: { categoryId: 2, subcategoryId: 1, typeId: 1, productClass: 'Service' },
  });
  // Settled through the API's own checks: the API shows it back as saved.
  const billing = await request(engine.app).get(cw('/billing-settings')).set(auth());
  expect(billing.body).toMatchObject({ enabled: true, timeZone: null });

  // Nothing was queued by the seeding: the partner's first Synchronize is the first run, and it
  // bills the chosen agreements with additions the simulator did not have.
  const browserOn = async (agreementId: number) => {
    const catalog = await fx.sim.admin.state.catalog();
    const browser = catalog.find((c) => c.integrationXRef === 'dfx:DFX-BROWSER-SEAT')?.id;
    return (await fx.sim.admin.state.additions(agreementId))
      .filter((a) => !a.cancelledDate && browser !== undefined && a.product.id === browser)
      .map((a) => a.quantity);
  };
  expect(status.body.workflow).toMatchObject({ pendingRequests: 0, lastRuns: [] });
  expect(await browserOn(303)).toEqual([]);
  const result = await synchronize();
  // Agreement 300 (Acme) already bills "DefensX Browser Security" by hand: go-live holds it for
  // the partner's decision instead of billing the product twice; the others are written.
  expect(result.outcome).toBe('partial');
  expect(await browserOn(300)).toEqual([]);
  expect(await browserOn(303)).toEqual([20]);
  expect(await browserOn(307)).toEqual([40]);
  const held = await request(engine.app).get(cw('/billing/approvals')).set(auth());
  expect(held.body.items).toHaveLength(1);
  expect(held.body.items[0]).toMatchObject({ agreementId: 300, status: 'pending' });
  expect(held.body.items[0].operations).toContainEqual(
    expect.objectContaining({ action: 'candidate', sku: 'DFX-BROWSER-SEAT' }),
  );

  // The partner excludes Umbrella and drops its agreement; a restart seeds again.
  const umbrella = (m: { customerId: string }) => m.customerId === 'dfx-cust-umbrella';
  const excluded = await request(engine.app)
    .put(cw('/company-mappings'))
    .set(auth())
    .send({ mappings: [{ customerId: 'dfx-cust-umbrella', companyId: null }] });
  expect(excluded.status).toBe(200);
  const agreements = (billing.body.agreements as Array<{ customerId: string }>).filter(
    (a) => !umbrella(a),
  );
  const kept = await request(engine.app)
    .put(cw('/billing-settings'))
    .set(auth())
    .send({ ...billing.body, agreements, zeroUsage: 'cancel' });
  expect(kept.status).toBe(200);
  const before = await repos.integrations.findForPartner(DEMO_PARTNER_ID);

  const second = await seedDemoIntegration(deps, target());
  expect(second.integrationId).toBe(first.integrationId);
  expect(second.notes).toEqual([]);
  const after = await repos.integrations.findForPartner(DEMO_PARTNER_ID);
  expect(after!.billingSettings).toEqual(before!.billingSettings);
  expect(after!.billingSettings).toMatchObject({ zeroUsage: 'cancel' });
  expect(after!.updatedAt).toEqual(before!.updatedAt);
  const remapped = await repos.companyMappings.list(DEMO_PARTNER_ID, integration!.id);
  expect(remapped.find(umbrella)?.companyId).toBeNull();
  expect(remapped).toHaveLength(DEMO_BILLING.length);
});

test('a demo integration the partner deleted is not created again', async () => {
  const { repos } = engine.db;
  const current = await repos.integrations.findForPartner(DEMO_PARTNER_ID);
  const removed = await request(engine.app).delete(cw('/integration')).set(auth());
  expect(removed.status).toBe(204);
  const again = await seedDemoIntegration(deps, target());
  expect(again.integrationId).toBeUndefined();
  expect(again.notes).toEqual([expect.stringMatching(/deleted; not created again/)]);
  expect(await repos.integrations.findForPartner(DEMO_PARTNER_ID)).toBeUndefined();
  expect((await repos.integrations.get(DEMO_PARTNER_ID, current!.id))?.state).toBe('deleted');
});
