import request from 'supertest';
import { tenantKeyOfIntegration } from '../../services/tenant';
import { loadDemoSeed, startSimulator, type SimulatorHandle } from '../../simulator';
import { as, cwBase, useSetupStack } from './setup-helpers';

/**
 * Mappings and settings hold ids of one ConnectWise tenant. Moving the integration to another
 * tenant must not keep them silently: it is refused unless the partner says what to do.
 */
const suite = useSetupStack('tenant-change', [{ customerId: 'c-acme', name: 'Acme' }]);
const others: SimulatorHandle[] = [];
afterAll(() => Promise.all(others.map((s) => s.close())));

const call = (method: 'get' | 'put' | 'patch', path: string, body?: object) => {
  const req = request(suite.engine.app);
  return req[method](`${cwBase('p1')}${path}`)
    .set(as(suite.engine.tokens.p1))
    .send(body);
};

async function anotherSimulator(companyId?: string): Promise<SimulatorHandle> {
  const seed = loadDemoSeed();
  const sim = await startSimulator(
    companyId ? { seed: { ...seed, site: { ...seed.site, companyId } } } : { seed },
  );
  others.push(sim);
  return sim;
}

const mappedCompany = async () =>
  ((await call('get', '/company-mappings')).body.mappings as Array<{ companyId: number | null }>)[0]
    ?.companyId;

beforeEach(async () => {
  expect(
    (
      await call('put', '/company-mappings', {
        mappings: [{ customerId: 'c-acme', companyId: 250 }],
      })
    ).status,
  ).toBe(200);
  const tickets = {
    enabled: true,
    boardId: 2,
    sourceId: 4,
    initialStatusId: 201,
    closingStatusId: 203,
  };
  expect((await call('put', '/ticket-settings', tickets)).status).toBe(200);
});

test('the same Company ID at another address is refused until the partner says it is the same tenant', async () => {
  const moved = await anotherSimulator();
  const change = { site: moved.origin, privateKey: suite.fx.credentials.privateKey };
  const refused = await call('patch', '/integration', change);
  expect(refused.status).toBe(409);
  expect(refused.body.error.code).toBe('tenant_changed');
  expect(refused.body.error.message).toContain(moved.origin);
  const unchanged = await call('get', '/integration');
  expect(unchanged.body.site).toBe(suite.fx.credentials.site);
  expect(unchanged.body.tenantChanges).toEqual([]);

  const kept = await call('patch', '/integration', { ...change, tenantChange: 'same_tenant' });
  expect(kept.status).toBe(200);
  expect(kept.body.site).toBe(moved.origin);
  expect(kept.body.ticketSettings.enabled).toBe(true);
  expect(await mappedCompany()).toBe(250);
  expect(kept.body.tenantChanges.at(-1)).toMatchObject({
    action: 'same_tenant',
    from: { apiOrigin: suite.fx.credentials.site, companyId: 'demomsp' },
    to: { apiOrigin: moved.origin, companyId: 'demomsp' },
    cleared: { companyMappings: 0, settings: [] },
  });

  // Back home the same way, so the next test starts on the suite's simulator.
  const back = { ...change, site: suite.fx.credentials.site, tenantChange: 'same_tenant' };
  expect((await call('patch', '/integration', back)).status).toBe(200);
});

test('another Company ID is another tenant: only a reset moves there, and it clears mappings and settings', async () => {
  const other = await anotherSimulator('othermsp');
  const change = {
    site: other.origin,
    companyId: 'othermsp',
    privateKey: suite.fx.credentials.privateKey,
  };
  for (const tenantChange of [undefined, 'same_tenant']) {
    const refused = await call('patch', '/integration', { ...change, tenantChange });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'tenant_changed']);
    expect(await mappedCompany()).toBe(250);
  }

  const pushed = await request(suite.engine.app)
    .put('/v1/partners/p1/products')
    .set(as(suite.engine.tokens.p1))
    .send({ products: [{ sku: 'seat', name: 'Seat', price: 4, cost: 2 }] });
  expect(pushed.status).toBe(200);
  const productMapped = await call('put', '/product-mappings', {
    mappings: [{ sku: 'seat', catalogItemId: 1350 }],
  });
  expect(productMapped.status).toBe(200);

  // A plan held in the old tenant must never be written after the move.
  const { repos } = suite.engine.db;
  const scope = { partnerId: 'p1', integrationId: suite.integrationId };
  const before = (await repos.integrations.get('p1', suite.integrationId))!;
  await repos.billingApprovals.putPending({
    ...scope,
    approvalId: '300.0000000000000001',
    tenantKey: tenantKeyOfIntegration(before),
    agreementId: 300,
    customerId: 'c-acme',
    companyId: 250,
    runKey: 'billing-run:x:1.1',
    planHash: '0000000000000001',
    reasons: ['approval mode: every change waits for a person'],
    operations: [],
    seats: { before: 0, after: 0 },
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + 3_600_000),
  });

  const reset = await call('patch', '/integration', { ...change, tenantChange: 'reset' });
  expect(reset.status).toBe(200);
  expect(reset.body.companyId).toBe('othermsp');
  const after = (await repos.integrations.get('p1', suite.integrationId))!;
  expect(after.tenantEpoch).toBe(before.tenantEpoch + 1);
  expect(tenantKeyOfIntegration(after)).not.toBe(tenantKeyOfIntegration(before));
  expect((await repos.billingApprovals.get(scope, 300))?.status).toBe('expired');
  expect(reset.body.ticketSettings).toBeNull();
  expect(reset.body.tenantChanges.at(-1)).toMatchObject({
    action: 'reset',
    to: { apiOrigin: other.origin, companyId: 'othermsp' },
    cleared: { companyMappings: 1, productMappings: 1, settings: ['ticketSettings'] },
  });
  expect(await mappedCompany()).toBeNull();
  expect(await suite.engine.db.repos.productMappings.list('p1', suite.integrationId)).toEqual([]);
});
