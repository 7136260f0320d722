import { sealPrivateKey } from '../../services/integration-client';
import { integrationLifecycle } from '../../workflows';
import { lifecycleWorkflowId } from '../../workflows/ids';
import { removeSignal, statusQuery } from '../../workflows/messages';
import { startTimeSkippingEngine, type TimeSkippingEngine } from '../support/time-skipping-engine';

/**
 * Ninety days of scheduled billing on the time-skipping server, with the real activities, FerretDB
 * and the simulator: each period's run (a child workflow) leaves the agreement billing exactly
 * that period's usage.
 */
const DAY = 24 * 60 * 60 * 1000;
const PARTNER = 'p-schedule-billing';
let engine: TimeSkippingEngine;

beforeAll(async () => {
  engine = await startTimeSkippingEngine('billing-schedule');
}, 120_000);
afterAll(() => engine?.stop());

test('90 days of schedule with usage changing: every run bills what the usage says then', async () => {
  const { db, fx, keyring, client, env, taskQueue } = engine;

  const { privateKey, ...creds } = fx.credentials;
  const { id: integrationId } = await db.repos.integrations.create({
    ...creds,
    partnerId: PARTNER,
    sealPrivateKey: (id) => sealPrivateKey(keyring, id, privateKey),
  });
  await db.repos.integrations.update(PARTNER, integrationId, {
    billingSettings: {
      enabled: true,
      agreements: [{ customerId: 'c-umbrella', agreementId: 307 }],
      catalogDefaults: { categoryId: 2, subcategoryId: 1, typeId: 1 },
      // Seats fall in one period below: applied, not held (the valve is tested elsewhere).
      maxSeatDropShare: 1,
    },
  });
  await db.repos.companyMappings.save(PARTNER, integrationId, [
    { customerId: 'c-umbrella', companyId: 256 },
  ]);
  await db.repos.vendor.upsertProducts(PARTNER, [
    { sku: 'browser-security', name: 'Browser security', description: '', price: 4, cost: 2 },
  ]);
  const setUsage = async (quantity: number) => {
    const asOf = new Date();
    await db.repos.vendor.replaceUsage(PARTNER, 'c-umbrella', {
      asOf,
      lines: [{ sku: 'browser-security', quantity, asOf }],
    });
  };
  const handle = await client.workflow.start(integrationLifecycle, {
    taskQueue,
    workflowId: lifecycleWorkflowId(integrationId),
    args: [{ integrationId, partnerId: PARTNER, syncIntervalMs: 30 * DAY }],
  });
  const billed = async () =>
    (await fx.sim.admin.state.additions(307))
      .filter((a) => !a.cancelledDate && a.product.id === 1350)
      .map((a) => a.quantity);

  for (const [period, quantity] of [10, 14, 6].entries()) {
    await setUsage(quantity);
    await env.sleep(30 * DAY + 60_000);
    // The run's activities take real time: wait for this period's run to be recorded.
    let status = await handle.query(statusQuery);
    for (let i = 0; i < 100 && status.lastRuns.length <= period; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await handle.query(statusQuery);
    }
    expect(status.lastRuns[period]).toMatchObject({ trigger: 'schedule', outcome: 'succeeded' });
    expect(await billed()).toEqual([quantity]);
  }
  const runs = await db.repos.syncRuns.list(PARTNER, integrationId, 10);
  expect(runs.map((r) => r.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  expect(new Set(runs.map((r) => r.workflowId)).size).toBe(3);
  await handle.signal(removeSignal);
  await handle.result();
});
