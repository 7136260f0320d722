import request from 'supertest';
import type { ConnectWiseClient } from '../../connectwise';
import { HostedTabService } from '../../services/hosted-tab';
import { as, cwBase, useSetupStack } from './setup-helpers';

const BASE = 'http://engine.test';
const CONSOLE = 'https://console.defensx.test/customers/{customerId}';
const stack = useSetupStack(
  'hosted-tab',
  [
    { customerId: 'c-acme', name: 'Acme Corp' },
    { customerId: 'c-globex', name: 'Globex' },
  ],
  { PUBLIC_BASE_URL: BASE, VENDOR_CONSOLE_CUSTOMER_URL: CONSOLE },
);

const tab = (partnerId = 'p1') => `${cwBase(partnerId)}/hosted-tab`;
const send = (method: 'post' | 'get' | 'delete', token = stack.engine.tokens.p1) =>
  request(stack.engine.app)[method](tab()).set(as(token));

interface Setup {
  id: number;
  screenId: number;
  description: string;
  url: string;
  origin?: string;
  type: string;
  disabledFlag?: boolean;
}
const setups = async () => (await stack.fx.sim.admin.state.hostedSetups()) as unknown as Setup[];
const ours = async () => (await setups()).filter((s) => s.description === 'DefensX');

/** Installs and answers the setup ConnectWise now holds, with its real URL (token included). */
async function install(): Promise<Setup> {
  const res = await send('post');
  expect(res.status).toBe(200);
  const found = await ours();
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** The engine-relative path ConnectWise opens for a company, from a setup's URL. */
const opened = (url: string, companyId: number) =>
  url.replace(BASE, '').replace('[cw_id]', String(companyId)).replace('[cw_screen]', 'company');

const open = (path: string) => request(stack.engine.app).get(path);

async function saveMappings(mappings: Array<{ customerId: string; companyId: number | null }>) {
  const res = await request(stack.engine.app)
    .put(`${cwBase('p1')}/company-mappings`)
    .set(as(stack.engine.tokens.p1))
    .send({ mappings });
  expect(res.status).toBe(200);
}

beforeAll(() => saveMappings([{ customerId: 'c-acme', companyId: 250 }]));

test('without PUBLIC_BASE_URL the tab cannot be installed', async () => {
  const service = new HostedTabService({ repos: stack.engine.db.repos, publicBaseUrl: undefined });
  const client = {} as ConnectWiseClient; // never reached
  await expect(
    service.install(client, { id: 'i', partnerId: 'p1', tenantChanges: [] }),
  ).rejects.toMatchObject({
    kind: 'unavailable',
    code: 'hosted_tab_not_configured',
  });
});

describe('install', () => {
  test('creates one setup on the Company screen, with the engine\u2019s URL and origin', async () => {
    const res = await send('post');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ action: 'created', changed: [] });
    const all = await setups();
    const mine = all.filter((s) => s.description === 'DefensX');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ screenId: 1, type: 'Tab', origin: BASE });
    expect(mine[0]!.url).toMatch(
      /^http:\/\/engine\.test\/hosted\/connectwise\?t=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}&id=\[cw_id\]&screen=\[cw_screen\]$/,
    );
    // The answer hides the token; the other vendor's setup is untouched.
    expect(res.body.setup.url).toBe(
      `${BASE}/hosted/connectwise?t=\u2026&id=[cw_id]&screen=[cw_screen]`,
    );
    expect(all.find((s) => s.id === 1)).toMatchObject({ description: 'Other Vendor Contact Tab' });
  });

  test('a second install repairs the same setup and replaces the token', async () => {
    const first = await install();
    await stack.fx.sim.admin.state.put('hostedSetups', { ...first, origin: 'https://evil.test' });
    const res = await send('post');
    expect(res.body).toMatchObject({ action: 'repaired', setup: { id: first.id, origin: BASE } });
    expect([...res.body.changed].sort()).toEqual(['origin', 'url']);
    const [second] = await ours();
    expect(second!.id).toBe(first.id);
    expect(second!.url).not.toBe(first.url);
    expect((await open(opened(first.url, 250))).status).toBe(404);
    expect((await open(opened(second!.url, 250))).status).toBe(302);
  });

  test('a role without Manage Hosted API gets a 409 naming it', async () => {
    await stack.fx.sim.admin.security.revokeCustomizeItem('SystemManageHostedApi');
    const res = await send('post');
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('connectwise_hosted_api_denied');
    expect(res.body.error.message).toContain('Manage Hosted API');
  });

  test("another partner's token gets 404", async () => {
    for (const method of ['post', 'get', 'delete'] as const) {
      expect((await send(method, stack.engine.tokens.p2)).status).toBe(404);
    }
    expect(await ours()).toEqual([]);
  });
});

describe('verify', () => {
  const checksOf = (body: { checks: Array<{ name: string; ok: boolean }> }) =>
    Object.fromEntries(body.checks.map((c) => [c.name, c.ok]));

  test('reports a missing tab', async () => {
    const res = await send('get');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ installed: false, ok: false, setup: null });
    expect(checksOf(res.body)).toEqual({ exists: false });
  });

  test('every check passes after an install; a changed URL and a disabled tab are named', async () => {
    const setup = await install();
    const good = await send('get');
    expect(good.body).toMatchObject({ installed: true, ok: true });
    expect(checksOf(good.body)).toEqual({
      exists: true,
      screen: true,
      type: true,
      enabled: true,
      url: true,
      origin: true,
    });
    await stack.fx.sim.admin.state.put('hostedSetups', {
      ...setup,
      url: 'https://elsewhere.test/tab?t=abc&id=[cw_id]',
      disabledFlag: true,
    });
    const bad = await send('get');
    expect(bad.body.ok).toBe(false);
    expect(checksOf(bad.body)).toMatchObject({ url: false, enabled: false, origin: true });
    expect(bad.body.checks.find((c: { name: string }) => c.name === 'url')).toMatchObject({
      expected: `${BASE}/hosted/connectwise?t=\u2026&id=[cw_id]&screen=[cw_screen]`,
      actual: 'https://elsewhere.test/tab?t=\u2026&id=[cw_id]',
    });
    expect((await send('post')).body.changed.sort()).toEqual(['disabledFlag', 'url']);
    expect((await send('get')).body.ok).toBe(true);
  });
});

describe('remove', () => {
  test('deletes only ours and forgets the token', async () => {
    const setup = await install();
    const res = await send('delete');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ removed: true, setupId: setup.id });
    expect((await setups()).map((s) => s.description)).toEqual(['Other Vendor Contact Tab']);
    expect((await open(opened(setup.url, 250))).status).toBe(404);
    expect((await send('delete')).body).toEqual({ removed: false, setupId: null });
  });
});

describe('GET /hosted/connectwise', () => {
  test('redirects a mapped company to the vendor console, framed only by ConnectWise', async () => {
    const setup = await install();
    const res = await open(opened(setup.url, 250));
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('https://console.defensx.test/customers/c-acme');
    expect(res.headers['content-security-policy']).toContain(
      `frame-ancestors ${stack.fx.sim.origin}`,
    );
    expect(res.headers['x-frame-options']).toBeUndefined();
    // The install token stays out of the request log.
    const log = stack.engine.logLines.join('\n');
    expect(log).toContain('/hosted/connectwise?t=\u2026&id=250');
    expect(log).not.toContain(setup.url.split('t=')[1]!.split('&')[0]);
  });

  test('explains how to map an unmapped company', async () => {
    const setup = await install();
    const res = await open(opened(setup.url, 254));
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('not mapped to a DefensX customer');
    expect(res.text).toContain('Company Mapping');
    expect(res.headers['content-security-policy']).toContain(
      `frame-ancestors ${stack.fx.sim.origin}`,
    );
  });

  test('refuses another screen; lists the customers when several share the company', async () => {
    const setup = await install();
    const contact = opened(setup.url, 250).replace('screen=company', 'screen=contact');
    expect((await open(contact)).status).toBe(400);
    await saveMappings([{ customerId: 'c-globex', companyId: 250 }]);
    try {
      const res = await open(opened(setup.url, 250));
      expect(res.status).toBe(200);
      expect(res.text).toContain('href="https://console.defensx.test/customers/c-acme"');
      expect(res.text).toContain('href="https://console.defensx.test/customers/c-globex"');
    } finally {
      await saveMappings([{ customerId: 'c-globex', companyId: null }]);
    }
  });

  test('a move to another ConnectWise tenant retires the token until the next install', async () => {
    const setup = await install();
    const tenant = { apiOrigin: stack.fx.sim.origin, companyId: 'demomsp' };
    const moved = await stack.engine.db.repos.integrations.update(
      'p1',
      stack.integrationId,
      { state: 'active' },
      [],
      {},
      {
        at: new Date().toISOString(),
        action: 'reset',
        from: tenant,
        to: tenant,
        cleared: { companyMappings: 0, settings: [] },
      },
    );
    expect(moved?.tenantChanges).toHaveLength(1);
    expect((await open(opened(setup.url, 250))).status).toBe(404);
    expect((await send('get')).body.checks).toContainEqual(
      expect.objectContaining({ name: 'url', ok: false }),
    );
    const again = await install();
    expect((await open(opened(again.url, 250))).status).toBe(302);
  });

  test('an unknown token is a 404 page', async () => {
    await install();
    for (const t of ['nope', `${'a'.repeat(22)}.${'b'.repeat(43)}`]) {
      const res = await open(`/hosted/connectwise?t=${t}&id=250&screen=company`);
      expect(res.status).toBe(404);
      expect(res.text).toContain('no longer installed');
    }
  });

  test('the simulator\u2019s company screen frames the tab with [cw_id] and [cw_screen] filled in', async () => {
    const setup = await install();
    const page = await fetch(`${stack.fx.sim.origin}/company-screen/250`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const src = /<iframe title="DefensX" src="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');
    expect(src).toBe(`${BASE}${opened(setup.url, 250)}`);
    expect(html).not.toContain('Other Vendor Contact Tab'); // a Contact-screen tab
    expect((await open(src!.replace(BASE, ''))).headers.location).toContain('c-acme');
  });
});
