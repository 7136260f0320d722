import { DEMO_CREDENTIALS, loadDemoSeed } from '../../simulator';
import { basicAuth, client, startDemo, type Cw } from './helpers';

describe('auth, company info and codebase', () => {
  let cw: Cw;
  beforeAll(async () => {
    cw = await startDemo();
  });
  afterEach(() => cw.sim.admin.reset());
  afterAll(() => cw.sim.close());

  it('DEMO_CREDENTIALS are the demo seed’s', () => {
    const seed = loadDemoSeed();
    expect(seed.site.companyId).toBe(DEMO_CREDENTIALS.companyId);
    expect(seed.credentials.publicKey).toBe(DEMO_CREDENTIALS.publicKey);
    expect(seed.credentials.privateKey).toBe(DEMO_CREDENTIALS.privateKey);
    expect(seed.credentials.clientIds).toContain(DEMO_CREDENTIALS.clientId);
  });

  it('serves companyinfo without auth, PascalCase, and null for an unknown company', async () => {
    const res = await fetch(`${cw.sim.origin}/login/companyinfo/DEMOMSP`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      CompanyName: 'DefensX Demo MSP',
      Codebase: 'v2025_1/',
      VersionCode: 'v2025.1',
      VersionNumber: 'v2025.1.105470',
      CompanyID: 'demomsp',
      IsCloud: true,
      SiteUrl: new URL(cw.sim.origin).host,
    });
    const unknown = await fetch(`${cw.sim.origin}/login/companyinfo/nobody`);
    expect(unknown.status).toBe(200);
    expect(await unknown.text()).toBe('null');
  });

  it('answers on the current codebase and on the v4_6_release alias', async () => {
    expect((await cw.get('/system/info')).status).toBe(200);
    expect((await client(cw.sim, 'v4_6_release/').get('/system/info')).status).toBe(200);
    expect((await client(cw.sim, 'v2019_1/').get('/system/info')).status).toBe(404);
  });

  it('after a codebase switch the old path is 404, the new one and the alias work', async () => {
    await cw.sim.admin.codebase.set('v2025_2');
    const info = (await (await fetch(`${cw.sim.origin}/login/companyinfo/demomsp`)).json()) as {
      Codebase: string;
    };
    expect(info.Codebase).toBe('v2025_2/');
    const old = await cw.get<{ code: string }>('/company/companies/count');
    expect(old.status).toBe(404);
    expect(old.body.code).toBe('NotFound');
    expect((await client(cw.sim, 'v2025_2/').get('/company/companies/count')).status).toBe(200);
    expect((await client(cw.sim, 'v4_6_release/').get('/company/companies/count')).status).toBe(
      200,
    );
  });

  it.each([
    ['missing clientId', { clientId: '' }, /clientId header is required/],
    [
      'unknown clientId',
      { clientId: '00000000-0000-4000-8000-000000000000' },
      /clientId .* not valid/,
    ],
    ['no Authorization', { Authorization: '' }, /supplied authentication is incorrect/],
    [
      'wrong private key',
      { Authorization: basicAuth('demomsp', DEMO_CREDENTIALS.publicKey, 'nope') },
      /incorrect/,
    ],
    [
      'wrong company',
      {
        Authorization: basicAuth('other', DEMO_CREDENTIALS.publicKey, DEMO_CREDENTIALS.privateKey),
      },
      /incorrect/,
    ],
    ['not Basic', { Authorization: 'Bearer abc' }, /incorrect/],
  ])('401 for %s in CW error shape', async (_name, headers, message) => {
    const res = await cw.get<{ code: string; message: string }>('/system/info', headers);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('Unauthorized');
    expect(res.body.message).toMatch(message);
    expect(res.headers.get('content-type')).toMatch(
      /^application\/vnd\.connectwise\.com\+json; version=2025\.8/,
    );
  });

  it('accepts the company id in any case', async () => {
    const auth = basicAuth('DemoMSP', DEMO_CREDENTIALS.publicKey, DEMO_CREDENTIALS.privateKey);
    expect((await cw.get('/system/info', { Authorization: auth })).status).toBe(200);
  });

  it('refuses the old keys after rotation and takes the new ones', async () => {
    const keys = await cw.sim.admin.keys.rotate();
    expect(keys.publicKey).not.toBe(DEMO_CREDENTIALS.publicKey);
    expect((await cw.get('/system/info')).status).toBe(401);
    const auth = basicAuth('demomsp', keys.publicKey, keys.privateKey);
    expect((await cw.get('/system/info', { Authorization: auth })).status).toBe(200);
    await cw.sim.admin.reset();
    expect((await cw.get('/system/info')).status).toBe(200);
  });

  it('checks the Accept version pin', async () => {
    const accept = (v: string) => ({
      Accept: `application/vnd.connectwise.com+json; version=${v}`,
    });
    const bad = await cw.get<{ code: string; message: string }>('/system/info', accept('0.0'));
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('ConnectWiseApi');
    expect(bad.body.message).toMatch(/does not support the API version '0\.0'/);
    expect((await cw.get('/system/info', accept('2099.1'))).status).toBe(400);
    expect((await cw.get('/system/info', accept('2021.1'))).status).toBe(200);
    expect((await cw.get('/system/info', { Accept: 'application/json' })).status).toBe(200);
  });
});
