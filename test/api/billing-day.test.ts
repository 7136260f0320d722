import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createV1Router } from '../../api/v1';
import { loadDemoSeed, startSimulator, type SimulatorHandle } from '../../simulator';
import type { ConnectionReport } from '../../services/connection-report';
import { startEngine, type Engine } from '../support/engine';
import { captureLogger } from '../support/logger';
import { DEMO_CREDENTIALS } from '../support/simulator';
import { as, cwBase, messageFor } from './setup-helpers';

/**
 * The setup screens judge agreements on the MSP's billing day, as a run does, and show the zone
 * a run would use. The clock is fixed at 2025-03-11T02:00Z: the 11th in UTC, still the 10th in
 * New York (ConnectWise's "Eastern Standard Time"), the day agreement 303 ends in this seed.
 */
const NOW = new Date('2025-03-11T02:00:00Z');
const ENDS = '2025-03-10T00:00:00Z';

let engine: Engine;
let sim: SimulatorHandle;
let app: Express;
let integrationId: string;

beforeAll(async () => {
  const seed = loadDemoSeed();
  const globexManaged = seed.collections.agreements.find((a) => a.id === 303)!;
  Object.assign(globexManaged, { endDate: ENDS, noEndingDateFlag: false });
  [engine, sim] = await Promise.all([startEngine('billing-day'), startSimulator({ seed })]);
  const { logger } = captureLogger();
  app = createApp({
    logger,
    checks: [],
    v1: createV1Router({
      config: engine.config,
      temporal: engine.client,
      repos: engine.db.repos,
      keyring: engine.keyring,
      logger,
      strictResponses: true,
      now: () => NOW,
    }),
  });
  const created = await service('post', '/integration').send({
    site: sim.origin,
    companyId: DEMO_CREDENTIALS.companyId,
    publicKey: DEMO_CREDENTIALS.publicKey,
    privateKey: DEMO_CREDENTIALS.privateKey,
  });
  expect(created.status).toBe(201);
  integrationId = created.body.id as string;
  const customers = [{ customerId: 'c-globex', name: 'Globex' }];
  expect(
    (await request(app).put('/v1/partners/p1/customers').set(auth()).send({ customers })).status,
  ).toBe(200);
  const mappings = [{ customerId: 'c-globex', companyId: 254 }];
  expect((await service('put', '/company-mappings').send({ mappings })).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await Promise.all([engine?.stop(), sim?.close()]);
});

afterEach(async () => {
  await sim.admin.faults.clear();
});

const auth = () => as(engine.tokens.service);
const service = (method: 'get' | 'put' | 'post', path: string) => {
  const agent = request(app);
  return agent[method](`${cwBase('p1')}${path}`).set(auth());
};
const agreement303 = async () => {
  const res = await service('get', '/companies/254/agreements');
  expect(res.status).toBe(200);
  return (res.body.agreements as Array<{ id: number; eligible: boolean; reason: string }>).find(
    (a) => a.id === 303,
  )!;
};
const globex303 = { enabled: true, agreements: [{ customerId: 'c-globex', agreementId: 303 }] };

describe('agreements judged on the billing day', () => {
  test('derived zone: an agreement ending on the 10th is still eligible in New York at 02:00 UTC on the 11th', async () => {
    // Billing never set: the zone is ConnectWise's server zone, asked as a run asks it.
    expect(await agreement303()).toMatchObject({ eligible: true });
    const saved = await service('put', '/billing-settings').send({ ...globex303, timeZone: null });
    expect(saved.status).toBe(200);
  });

  test("the settings' zone wins: in UTC the same agreement has ended, for the check and the look-up", async () => {
    const refused = await service('put', '/billing-settings').send({
      ...globex303,
      timeZone: 'UTC',
    });
    expect(refused.status).toBe(400);
    expect(messageFor(refused.body, 'body.agreements.0.agreementId')).toBe(
      'agreement "Globex - Managed Services" (303) cannot be used: This agreement ended on 2025-03-10.',
    );
    // Saved switched off (no check), the look-up follows the saved zone.
    const off = await service('put', '/billing-settings').send({
      ...globex303,
      enabled: false,
      releaseAdditions: false,
      timeZone: 'UTC',
    });
    expect(off.status).toBe(200);
    expect(await agreement303()).toMatchObject({
      eligible: false,
      reason: 'This agreement ended on 2025-03-10.',
    });
    // A zone west of UTC keeps it: still the 10th in Los Angeles.
    const west = await service('put', '/billing-settings').send({
      ...globex303,
      timeZone: 'America/Los_Angeles',
    });
    expect(west.status).toBe(200);
    expect(await agreement303()).toMatchObject({ eligible: true });
  });
});

describe('the effective time zone', () => {
  const setLastValidation = async (server: ConnectionReport['server']) => {
    const current = await engine.db.repos.integrations.get('p1', integrationId);
    const report = current!.lastValidation as ConnectionReport;
    await engine.db.repos.integrations.update('p1', integrationId, {
      lastValidation: { ...report, server },
    });
  };

  // Background runs (the lifecycle's config_change runs) ask /system/info too, so whether a GET
  // asks ConnectWise is told by making ConnectWise fail there, not by counting requests.
  const systemInfoDown = () =>
    sim.admin.faults.add({ kind: 'serverError', status: 503, path: '/system/info' });

  test('derived: timeZone stays null, the effective zone is ConnectWise’s, from the saved Test Connection (no call)', async () => {
    await service('put', '/billing-settings').send({ ...globex303, timeZone: null });
    await systemInfoDown();
    const res = await service('get', '/billing-settings');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      timeZone: null,
      effectiveTimeZone: { zone: 'America/New_York', source: 'connectwise' },
    });
    expect((await engine.db.repos.integrations.get('p1', integrationId))!.billingSettings).toEqual(
      expect.objectContaining({ timeZone: null }),
    );
  });

  test('set: the setting itself', async () => {
    // Chicago: still the 10th, so agreement 303 may be chosen.
    const res = await service('put', '/billing-settings').send({
      ...globex303,
      timeZone: 'America/Chicago',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      timeZone: 'America/Chicago',
      effectiveTimeZone: { zone: 'America/Chicago', source: 'setting' },
    });
  });

  test('a server zone that maps to no IANA zone: the UTC fallback a run would use', async () => {
    await service('put', '/billing-settings').send({
      ...globex303,
      enabled: false,
      releaseAdditions: false,
    });
    await setLastValidation({ version: 'v2025.1', timeZone: 'Martian Standard Time' });
    const res = await service('get', '/billing-settings');
    expect(res.body.effectiveTimeZone).toEqual({ zone: 'UTC', source: 'utc' });
  });

  test('not recorded: ConnectWise is asked; ConnectWise down answers unknown, not an error', async () => {
    await service('put', '/billing-settings').send({
      ...globex303,
      enabled: false,
      releaseAdditions: false,
    });
    await setLastValidation({ version: 'v2025.1' });
    const asked = await service('get', '/billing-settings');
    expect(asked.body.effectiveTimeZone).toEqual({
      zone: 'America/New_York',
      source: 'connectwise',
    });

    await systemInfoDown();
    const down = await service('get', '/billing-settings');
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({
      enabled: false,
      timeZone: null,
      effectiveTimeZone: { zone: null, source: 'unknown' },
    });
  });
});
