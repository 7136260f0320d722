import request from 'supertest';
import { eventually } from '../support/wait';
import { as, cwBase, fieldsOf, messageFor, useSetupStack, cwCallsOf } from './setup-helpers';

const stack = useSetupStack('settings', [
  { customerId: 'c-acme', name: 'Acme Corp' },
  { customerId: 'c-globex', name: 'Globex' },
  { customerId: 'c-initech', name: 'Initech' },
  { customerId: 'c-stark', name: 'Stark Industries' },
  { customerId: 'c-umbrella', name: 'Umbrella Health' },
  { customerId: 'c-unmapped', name: 'Wayne Enterprises' },
  { customerId: 'c-excluded', name: 'ACME Corporation' },
]);
beforeAll(async () => {
  const mapped = await request(stack.engine.app)
    .put(`${cwBase('p1')}/company-mappings`)
    .set(as(stack.engine.tokens.p1))
    .send({
      mappings: [
        { customerId: 'c-acme', companyId: 250 },
        { customerId: 'c-globex', companyId: 254 },
        { customerId: 'c-initech', companyId: 255 },
        { customerId: 'c-stark', companyId: 257 },
        { customerId: 'c-umbrella', companyId: 256 },
        { customerId: 'c-excluded', companyId: null },
      ],
    });
  if (mapped.status !== 200) throw new Error(`mapping failed: ${JSON.stringify(mapped.body)}`);
});

const call = (
  method: 'get' | 'put',
  path: string,
  body?: unknown,
  token = stack.engine.tokens.p1,
  partnerId = 'p1',
) => {
  const app = request(stack.engine.app);
  const target = `${cwBase(partnerId)}${path}`;
  const req = (method === 'get' ? app.get(target) : app.put(target)).set(as(token));
  return body === undefined ? req : req.send(body as object);
};

const stored = async () =>
  (await stack.engine.db.repos.integrations.get('p1', stack.integrationId))!;

const cwCalls = (prefix: string) => cwCallsOf(stack, prefix);

/** Until the billing run a settings save queued is over (its reads are not this test's). */
async function noBillingRun(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const status = await call('get', '/status');
    if (!status.body.workflow?.currentRun && !status.body.workflow?.queuedRun) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const goodTickets = {
  enabled: true,
  boardId: 2,
  sourceId: 4,
  initialStatusId: 201,
  closingStatusId: 203,
};

/** What GET shows of the ticket policy when nothing of it was set. */
const defaultTicketPolicy = {
  priorityBySeverity: {},
  processNotifications: false,
  noteWindowMinutes: 15,
  reopenWindowHours: 0,
  maxEventAgeHours: 168,
  pollMinutes: 15,
};

describe('ticket settings', () => {
  test('off until set; a valid choice is saved and read back', async () => {
    const before = await call('get', '/ticket-settings');
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      enabled: false,
      boardId: null,
      sourceId: null,
      initialStatusId: null,
      closingStatusId: null,
      ...defaultTicketPolicy,
    });
    await stack.fx.sim.admin.journal.clear();
    const res = await call('put', '/ticket-settings', goodTickets);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...goodTickets, ...defaultTicketPolicy });
    expect((await call('get', '/ticket-settings')).body).toEqual({
      ...goodTickets,
      ...defaultTicketPolicy,
    });
    expect((await stored()).ticketSettings).toEqual(goodTickets);
    // No priority chosen: ConnectWise's priorities are not read.
    expect(await cwCalls('/service/priorities')).toEqual([]);
  });

  test('the ticket policy round-trips; the priorities are checked in one list', async () => {
    const policy = {
      priorityBySeverity: { low: 4, medium: 3, high: 2, critical: 1 },
      processNotifications: true,
      noteWindowMinutes: 1440,
      reopenWindowHours: 720,
      maxEventAgeHours: 2160,
      pollMinutes: 5,
    };
    await stack.fx.sim.admin.journal.clear();
    const res = await call('put', '/ticket-settings', { ...goodTickets, ...policy });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...goodTickets, ...policy });
    expect((await call('get', '/ticket-settings')).body).toEqual({ ...goodTickets, ...policy });
    expect((await stored()).ticketSettings).toEqual({ ...goodTickets, ...policy });
    expect(await cwCalls('/service/priorities')).toHaveLength(1);

    // A PUT replaces the whole settings: what it leaves out is back to its default.
    const some = { priorityBySeverity: { high: 2 }, noteWindowMinutes: 1, maxEventAgeHours: 1 };
    const partial = await call('put', '/ticket-settings', { ...goodTickets, ...some });
    expect(partial.status).toBe(200);
    expect(partial.body).toEqual({ ...goodTickets, ...defaultTicketPolicy, ...some });

    // An empty map is stored as sent (minimize: false), and shown as no priorities.
    const empty = await call('put', '/ticket-settings', { ...goodTickets, priorityBySeverity: {} });
    expect(empty.body).toEqual({ ...goodTickets, ...defaultTicketPolicy });
    expect((await stored()).ticketSettings).toEqual({ ...goodTickets, priorityBySeverity: {} });
  });

  test.each([
    [
      { noteWindowMinutes: 0 },
      'noteWindowMinutes',
      'must be a whole number of minutes from 1 to 1440',
    ],
    [
      { noteWindowMinutes: 1441 },
      'noteWindowMinutes',
      'must be a whole number of minutes from 1 to 1440',
    ],
    [
      { noteWindowMinutes: 2.5 },
      'noteWindowMinutes',
      'must be a whole number of minutes from 1 to 1440',
    ],
    [
      { reopenWindowHours: -1 },
      'reopenWindowHours',
      'must be a whole number of hours from 0 to 720 (0: never reopen)',
    ],
    [
      { reopenWindowHours: 721 },
      'reopenWindowHours',
      'must be a whole number of hours from 0 to 720 (0: never reopen)',
    ],
    [{ maxEventAgeHours: 0 }, 'maxEventAgeHours', 'must be a whole number of hours from 1 to 2160'],
    [{ pollMinutes: 0 }, 'pollMinutes', 'must be a whole number of minutes from 1 to 1440'],
    [{ pollMinutes: 1441 }, 'pollMinutes', 'must be a whole number of minutes from 1 to 1440'],
    [
      { maxEventAgeHours: 2161 },
      'maxEventAgeHours',
      'must be a whole number of hours from 1 to 2160',
    ],
    [
      { maxEventAgeHours: '168' },
      'maxEventAgeHours',
      'must be a whole number of hours from 1 to 2160',
    ],
    [{ processNotifications: 'yes' }, 'processNotifications', undefined],
    [
      { priorityBySeverity: { high: 0 } },
      'priorityBySeverity.high',
      'must be a ConnectWise id (a positive whole number)',
    ],
    [{ priorityBySeverity: { urgent: 1 } }, 'priorityBySeverity', undefined],
    [{ priorityBySeverity: [2] }, 'priorityBySeverity', undefined],
  ])('refuses the policy %j, naming %s, even when turned off', async (change, field, message) => {
    await call('put', '/ticket-settings', goodTickets);
    for (const enabled of [true, false]) {
      const res = await call('put', '/ticket-settings', { ...goodTickets, ...change, enabled });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual([`body.${field}`]);
      if (message !== undefined) expect(messageFor(res.body, `body.${field}`)).toBe(message);
    }
    expect((await stored()).ticketSettings).toEqual(goodTickets);
  });

  test.each([
    [
      'a status of another board',
      { boardId: 1, initialStatusId: 201, closingStatusId: 105 },
      'initialStatusId',
      'status 201 is not a status of board "Help Desk" (1)',
    ],
    [
      'a closing status that is not closed',
      { boardId: 1, initialStatusId: 101, closingStatusId: 102 },
      'closingStatusId',
      'status "In Progress" (102) is not a closed status, so it cannot close a ticket; pick one marked closed',
    ],
    [
      'a closed initial status',
      { boardId: 1, initialStatusId: 104, closingStatusId: 105 },
      'initialStatusId',
      'status "Resolved" (104) is a closed status; a new ticket needs an open one',
    ],
    [
      'an inactive status',
      { boardId: 1, initialStatusId: 101, closingStatusId: 106 },
      'closingStatusId',
      'status "Closed - Old" (106) is inactive',
    ],
    [
      'an inactive board',
      { boardId: 3, initialStatusId: 301, closingStatusId: 302 },
      'boardId',
      'board "Legacy Support" (3) is inactive',
    ],
    [
      'a project board',
      { boardId: 4, initialStatusId: 401, closingStatusId: 403 },
      'boardId',
      'board "Professional Services" (4) is a project board; tickets need a service board',
    ],
    [
      'a board ConnectWise does not have',
      { boardId: 999 },
      'boardId',
      'ConnectWise has no service board 999',
    ],
    [
      'a source ConnectWise does not have',
      { sourceId: 99 },
      'sourceId',
      'ConnectWise has no ticket source 99',
    ],
    [
      'a priority ConnectWise does not have',
      { priorityBySeverity: { low: 4, high: 99 } },
      'priorityBySeverity.high',
      'ConnectWise has no ticket priority 99',
    ],
  ])(
    'refuses %s, naming the field, and keeps what was saved',
    async (_what, change, field, message) => {
      await call('put', '/ticket-settings', goodTickets);
      const res = await call('put', '/ticket-settings', { ...goodTickets, ...change });
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual([`body.${field}`]);
      expect(messageFor(res.body, `body.${field}`)).toBe(message);
      expect((await stored()).ticketSettings).toEqual(goodTickets);
    },
  );

  test('every id is required when enabled; turning off needs no ConnectWise call', async () => {
    const res = await call('put', '/ticket-settings', { enabled: true, boardId: 'x' });
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(['body.boardId']);
    const missing = await call('put', '/ticket-settings', { enabled: true });
    expect(fieldsOf(missing.body)).toEqual([
      'body.boardId',
      'body.closingStatusId',
      'body.initialStatusId',
      'body.sourceId',
    ]);
    expect(messageFor(missing.body, 'body.boardId')).toBe(
      'required when ticket integration is enabled',
    );
    expect(fieldsOf((await call('put', '/ticket-settings', {})).body)).toEqual(['body.enabled']);

    await stack.fx.sim.admin.journal.clear();
    const off = await call('put', '/ticket-settings', { enabled: false });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ enabled: false, boardId: null });
    expect(await cwCalls('/service/')).toEqual([]);
  });
});

const goodBilling = {
  enabled: true,
  agreements: [
    { customerId: 'c-acme', agreementId: 300 },
    { customerId: 'c-globex', agreementId: 303 },
  ],
};

/** What GET shows of the billing policy when nothing of it was set. */
const defaultPolicy = {
  releaseAdditions: null,
  zeroUsage: 'zero',
  syncPrices: false,
  timeZone: null,
  catalogDefaults: { categoryId: null, subcategoryId: null, typeId: null, productClass: null },
  concurrency: 4,
  apply: 'auto',
  approvalExpiryHours: 72,
  approvalOverdueHours: 24,
  maxSeatDropShare: 0.5,
  maxZeroedShare: 0.2,
  staleUsageHours: 48,
  syncIntervalMinutes: null,
  // Derived: the simulator's server zone (Eastern Standard Time), from the saved Test Connection.
  effectiveTimeZone: { zone: 'America/New_York', source: 'connectwise' },
};

describe('billing settings', () => {
  test('off until set; eligible agreements of the mapped companies are saved in one query', async () => {
    const before = await call('get', '/billing-settings');
    expect(before.body).toEqual({ enabled: false, agreements: [], ...defaultPolicy });
    await stack.fx.sim.admin.journal.clear();
    const res = await call('put', '/billing-settings', goodBilling);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...goodBilling, ...defaultPolicy });
    expect((await call('get', '/billing-settings')).body).toEqual({
      ...goodBilling,
      ...defaultPolicy,
    });
    expect((await stored()).billingSettings).toEqual(goodBilling);
    const queries = await cwCalls('/finance/agreements');
    expect(queries).toHaveLength(1);
    expect(queries[0]!.query.conditions).toBe('id in (300,303)');
    // No catalog defaults: the catalog tables are not read.
    expect(await cwCalls('/procurement/')).toEqual([]);
  });

  test('refuses each ineligible agreement with its reason and each unmapped customer', async () => {
    await call('put', '/billing-settings', goodBilling);
    const res = await call('put', '/billing-settings', {
      enabled: true,
      agreements: [
        { customerId: 'c-acme', agreementId: 301 },
        { customerId: 'c-globex', agreementId: 304 },
        { customerId: 'c-initech', agreementId: 305 },
        { customerId: 'c-stark', agreementId: 308 },
        { customerId: 'c-unmapped', agreementId: 307 },
        { customerId: 'c-excluded', agreementId: 309 },
        { customerId: 'c-ghost', agreementId: 306 },
      ],
    });
    expect(res.status).toBe(400);
    const f = (i: number, field: string) => messageFor(res.body, `body.agreements.${i}.${field}`);
    expect(f(0, 'agreementId')).toMatch(
      /^agreement "Acme Corp - Onboarding" \(301\) cannot be used: .*one time/i,
    );
    expect(f(1, 'agreementId')).toMatch(/\(304\) cannot be used: .*Expired/);
    expect(f(2, 'agreementId')).toMatch(/\(305\) cannot be used: .*Inactive/);
    expect(f(3, 'agreementId')).toMatch(/\(308\) cannot be used: .*no billing cycle/);
    expect(f(4, 'customerId')).toBe(
      'customer c-unmapped is not mapped to a ConnectWise company; map it first',
    );
    expect(f(5, 'customerId')).toMatch(/c-excluded is excluded/);
    expect(f(6, 'customerId')).toBe('unknown customer c-ghost');
    expect(fieldsOf(res.body)).toHaveLength(7);
    expect((await stored()).billingSettings).toEqual(goodBilling);
  });

  test('refuses a cancelled agreement, one of another company, and one that does not exist', async () => {
    const res = await call('put', '/billing-settings', {
      enabled: true,
      agreements: [
        { customerId: 'c-acme', agreementId: 302 },
        { customerId: 'c-globex', agreementId: 300 },
        { customerId: 'c-umbrella', agreementId: 999999 },
      ],
    });
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual([
      'body.agreements.0.agreementId',
      'body.agreements.1.agreementId',
      'body.agreements.2.agreementId',
    ]);
    expect(messageFor(res.body, 'body.agreements.0.agreementId')).toBe(
      'agreement "Acme Corp - Legacy AV" (302) cannot be used: This agreement is cancelled.',
    );
    expect(messageFor(res.body, 'body.agreements.1.agreementId')).toMatch(
      /^agreement "Acme Corp - Managed Security" \(300\) belongs to .*\(250\), not to company "Globex Inc" \(254\), the company customer c-globex is mapped to$/,
    );
    expect(messageFor(res.body, 'body.agreements.2.agreementId')).toBe(
      'ConnectWise has no agreement 999999',
    );
  });

  test('400 names malformed fields; turning off needs no ConnectWise call', async () => {
    const bad = await call('put', '/billing-settings', {
      enabled: 'yes',
      agreements: [{ customerId: 'c-acme', agreementId: '300' }],
    });
    expect(fieldsOf(bad.body)).toEqual(['body.agreements.0.agreementId', 'body.enabled']);
    const shared = await call('put', '/billing-settings', {
      enabled: true,
      agreements: [
        { customerId: 'c-acme', agreementId: 300 },
        { customerId: 'c-globex', agreementId: 300 },
      ],
    });
    expect(fieldsOf(shared.body)).toEqual(['body.agreements.1']);
    expect(messageFor(shared.body, 'body.agreements.1')).toMatch(/duplicate agreementId 300/);

    // Turning billing off must say what becomes of the engine's additions.
    const unsaid = await call('put', '/billing-settings', { enabled: false });
    expect(unsaid.status).toBe(400);
    expect(fieldsOf(unsaid.body)).toEqual(['body.releaseAdditions']);

    await noBillingRun();
    await stack.fx.sim.admin.journal.clear();
    const off = await call('put', '/billing-settings', { enabled: false, releaseAdditions: false });
    expect(off.status).toBe(200);
    expect(off.body).toEqual({
      enabled: false,
      agreements: [],
      ...defaultPolicy,
      releaseAdditions: false,
    });
    expect(await cwCalls('/finance/')).toEqual([]);
  });
});

const policy = {
  zeroUsage: 'cancel',
  syncPrices: true,
  timeZone: 'Europe/Berlin',
  catalogDefaults: { categoryId: 2, subcategoryId: 1, typeId: 1, productClass: 'Service' },
  concurrency: 7,
  apply: 'approve',
  approvalExpiryHours: 24,
  approvalOverdueHours: 12,
  maxSeatDropShare: 0.3,
  maxZeroedShare: 1,
  staleUsageHours: 72,
  syncIntervalMinutes: 240,
};

describe('billing policy', () => {
  const lastChange = async () => {
    const res = await call('get', '/status');
    return res.body.workflow?.lastSettingsChange as { what: string; changedAt: string } | null;
  };

  test('is saved with catalog defaults checked in ConnectWise, read back, and tells the lifecycle', async () => {
    const before = new Date().toISOString();
    await stack.fx.sim.admin.journal.clear();
    const res = await call('put', '/billing-settings', { ...goodBilling, ...policy });
    expect(res.status).toBe(200);
    const shown = {
      ...goodBilling,
      ...policy,
      releaseAdditions: null,
      effectiveTimeZone: { zone: 'Europe/Berlin', source: 'setting' },
    };
    expect(res.body).toEqual(shown);
    expect((await call('get', '/billing-settings')).body).toEqual(shown);
    expect((await stored()).billingSettings).toEqual({ ...goodBilling, ...policy });
    for (const table of [
      '/procurement/categories',
      '/procurement/subcategories/',
      '/procurement/types',
    ])
      expect(await cwCalls(table)).toHaveLength(1);
    const told = await eventually('the lifecycle to record the save', async () => {
      const change = await lastChange();
      return change && change.changedAt >= before ? change : undefined;
    });
    expect(told.what).toBe('billing_settings');
  });

  test('what GET shows can be PUT back as is; a PUT leaving the policy out restores the defaults', async () => {
    const partial = { ...goodBilling, catalogDefaults: { typeId: 2 }, timeZone: 'Asia/Kolkata' };
    const shown = (await call('put', '/billing-settings', partial)).body;
    expect(shown).toEqual({
      ...goodBilling,
      ...defaultPolicy,
      timeZone: 'Asia/Kolkata',
      effectiveTimeZone: { zone: 'Asia/Kolkata', source: 'setting' },
      catalogDefaults: { ...defaultPolicy.catalogDefaults, typeId: 2 },
    });
    const again = await call('put', '/billing-settings', shown);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(shown);
    // Nulls from the view are stored as "not set".
    expect((await stored()).billingSettings?.catalogDefaults).toEqual({ typeId: 2 });

    const reset = await call('put', '/billing-settings', goodBilling);
    expect(reset.body).toEqual({ ...goodBilling, ...defaultPolicy });
  });

  test.each([
    [
      'timeZone',
      { timeZone: 'Eastern Standard Time' },
      'must be an IANA time zone name, such as America/New_York',
    ],
    [
      'timeZone',
      { timeZone: 'Mars/Olympus' },
      'must be an IANA time zone name, such as America/New_York',
    ],
    ['zeroUsage', { zeroUsage: 'delete' }, undefined],
    ['syncPrices', { syncPrices: 'yes' }, undefined],
    ['concurrency', { concurrency: 0 }, 'must be a whole number from 1 to 10'],
    ['concurrency', { concurrency: 11 }, 'must be a whole number from 1 to 10'],
    ['concurrency', { concurrency: 2.5 }, 'must be a whole number from 1 to 10'],
    ['catalogDefaults.productClass', { catalogDefaults: { productClass: 'Widget' } }, undefined],
    ['catalogDefaults.categoryId', { catalogDefaults: { categoryId: '2' } }, undefined],
    ['apply', { apply: 'sometimes' }, undefined],
    [
      'approvalExpiryHours',
      { approvalExpiryHours: 169 },
      'must be a whole number of hours from 1 to 168',
    ],
    [
      'approvalOverdueHours',
      { approvalOverdueHours: 0 },
      'must be a whole number of hours from 1 to 168',
    ],
    ['maxSeatDropShare', { maxSeatDropShare: 1.5 }, 'must be from 0 to 1'],
    ['maxZeroedShare', { maxZeroedShare: -0.1 }, 'must be from 0 to 1'],
    ['staleUsageHours', { staleUsageHours: 0 }, 'must be a whole number of hours from 1 to 720'],
    [
      'syncIntervalMinutes',
      { syncIntervalMinutes: 5 },
      'must be a whole number of minutes from 15 to 10080 (a week)',
    ],
  ])('400 names body.%s (%j) and keeps what was saved', async (field, change, message) => {
    await call('put', '/billing-settings', goodBilling);
    const res = await call('put', '/billing-settings', { ...goodBilling, ...change });
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual([`body.${field}`]);
    if (message) expect(messageFor(res.body, `body.${field}`)).toBe(message);
    expect((await stored()).billingSettings).toEqual(goodBilling);
  });

  test.each([
    ['categoryId', { categoryId: 99 }, 'ConnectWise has no product category 99'],
    ['categoryId', { categoryId: 3 }, 'category "Retired Products" (3) is inactive'],
    [
      'subcategoryId',
      { categoryId: 1, subcategoryId: 1 },
      'subcategory "Browser Security" (1) belongs to category "Security Services" (2), not to category "Software" (1)',
    ],
    ['subcategoryId', { subcategoryId: 99 }, 'ConnectWise has no product subcategory 99'],
    ['subcategoryId', { subcategoryId: 4 }, 'subcategory "Legacy Endpoint" (4) is inactive'],
    ['typeId', { typeId: 99 }, 'ConnectWise has no product type 99'],
    ['typeId', { typeId: 4 }, 'type "Hardware (retired)" (4) is inactive'],
  ])('refuses catalogDefaults.%s %j as ConnectWise has it', async (field, defaults, message) => {
    await call('put', '/billing-settings', goodBilling);
    const res = await call('put', '/billing-settings', {
      ...goodBilling,
      catalogDefaults: defaults,
    });
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual([`body.catalogDefaults.${field}`]);
    expect(messageFor(res.body, `body.catalogDefaults.${field}`)).toBe(message);
    expect((await stored()).billingSettings).toEqual(goodBilling);
  });

  test('agreement and catalog problems are named together; turned off, nothing is checked', async () => {
    const res = await call('put', '/billing-settings', {
      enabled: true,
      agreements: [{ customerId: 'c-acme', agreementId: 301 }],
      catalogDefaults: { typeId: 99 },
    });
    expect(fieldsOf(res.body)).toEqual([
      'body.agreements.0.agreementId',
      'body.catalogDefaults.typeId',
    ]);

    await stack.fx.sim.admin.journal.clear();
    const off = await call('put', '/billing-settings', {
      enabled: false,
      releaseAdditions: false,
      catalogDefaults: { typeId: 99 },
    });
    expect(off.status).toBe(200);
    expect(off.body.catalogDefaults.typeId).toBe(99);
    expect(await cwCalls('/procurement/')).toEqual([]);
  });

  test('a refused Product Catalog permission during the check is a 502 naming it', async () => {
    await stack.fx.sim.admin.security.revoke('Procurement/ProductCatalog');
    const res = await call('put', '/billing-settings', { ...goodBilling, ...policy });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('connectwise_permission');
  });
});

describe('access', () => {
  test.each(['/ticket-settings', '/billing-settings'])(
    '%s: 401 without a token, 404 for another partner or without an integration',
    async (path) => {
      const app = request(stack.engine.app);
      const off = {
        enabled: false,
        ...(path === '/billing-settings' ? { releaseAdditions: false } : {}),
      };
      expect((await app.get(`${cwBase('p1')}${path}`)).status).toBe(401);
      expect((await app.put(`${cwBase('p1')}${path}`).send(off)).status).toBe(401);
      expect((await call('get', path, undefined, stack.engine.tokens.p2)).status).toBe(404);
      expect((await call('put', path, off, stack.engine.tokens.p2)).status).toBe(404);
      const none = await call('put', path, off, stack.engine.tokens.p2, 'p2');
      expect(none.status).toBe(404);
      expect((await call('get', path, undefined, stack.engine.tokens.p2, 'p2')).status).toBe(404);
    },
  );

  test('a refused ConnectWise permission during a check is a 502 naming it', async () => {
    await stack.fx.sim.admin.security.revoke('Finance/Agreements');
    const res = await call('put', '/billing-settings', goodBilling);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('connectwise_permission');
    expect(res.body.error.message).toMatch(/Finance → Agreements/);
  });

  test('settings routes are in the OpenAPI document', async () => {
    const doc = await request(stack.engine.app).get('/v1/openapi.json');
    for (const p of ['ticket-settings', 'billing-settings']) {
      const item = doc.body.paths[`/partners/{partnerId}/connectwise/${p}`];
      expect(Object.keys(item as object).sort()).toEqual(['get', 'put']);
    }
  });
});
