import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as cw from '../../connectwise';
import { DEMO_CREDENTIALS } from '../../simulator';
import { useSimulator } from './sim-support';

const ctx = useSimulator();

async function caught(promise: Promise<unknown>): Promise<cw.ConnectWiseError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof cw.ConnectWiseError) {
      expect(JSON.stringify(err) + err.message).not.toContain(DEMO_CREDENTIALS.privateKey);
      return err;
    }
    throw err;
  }
  throw new Error('expected a ConnectWiseError');
}

describe('error classes from the simulator', () => {
  it('429 → throttled with retryAfterMs from Retry-After', async () => {
    const client = await ctx.client();
    await ctx.sim.admin.faults.add({
      kind: 'rateLimit',
      retryAfterSeconds: 7,
      path: '/system/info',
      count: 1,
    });
    const err = await caught(cw.getSystemInfo(client));
    expect(err).toMatchObject({
      status: 429,
      kind: 'throttled',
      retryAfterMs: 7000,
      method: 'GET',
      path: '/system/info',
    });
    // No hidden retry: the client made exactly one call.
    expect((await ctx.sim.admin.journal.counts())['GET /system/info']).toBe(1);
  });

  it.each([500, 502, 503] as const)('%d → server, not retried', async (status) => {
    const client = await ctx.client();
    await ctx.sim.admin.faults.add({
      kind: 'serverError',
      status,
      path: '/service/tickets/{id}',
      count: 1,
    });
    const err = await caught(cw.getTicket(client, 9000));
    expect(err).toMatchObject({ status, kind: 'server' });
    expect((await ctx.sim.admin.journal.counts())['GET /service/tickets/{id}']).toBe(1);
  });

  it('a dropped connection → network', async () => {
    const client = await ctx.client();
    await ctx.sim.admin.faults.add({ kind: 'drop', path: '/company/companies', count: 1 });
    const err = await caught(cw.searchCompanies(client));
    expect(err).toMatchObject({ status: 0, code: 'NetworkError', kind: 'network' });
  });

  it('a slow answer → Timeout (network) after the configured GET timeout', async () => {
    const client = await ctx.client({ timeouts: { readMs: 200 } });
    await ctx.sim.admin.faults.add({ kind: 'latency', ms: 1500, path: '/system/info', count: 1 });
    const err = await caught(cw.getSystemInfo(client));
    expect(err).toMatchObject({ code: 'Timeout', kind: 'network' });
  });

  it('a slow POST outlives a short write timeout and still commits (why POSTs are looked up, not resent)', async () => {
    const client = await ctx.client({ timeouts: { writeMs: 200 } });
    await ctx.sim.admin.faults.add({
      kind: 'slowCommit',
      ms: 600,
      commitAt: 'start',
      method: 'POST',
      path: '/service/tickets',
      count: 1,
    });
    const err = await caught(
      cw.createTicket(client, {
        summary: 'DefensX: slow',
        company: { id: 250 },
        board: { id: 2 },
        externalXRef: 'dfx:evt:slow1',
      }),
    );
    expect(err.code).toBe('Timeout');
    expect((await cw.findTicketsByExternalXRef(client, 'dfx:evt:slow1')).length).toBe(1);
  });

  it('wrong keys → authentication; rotated keys revoke the old ones', async () => {
    const wrong = await ctx.client({ privateKey: 'not-the-key' });
    expect(await caught(cw.getSystemInfo(wrong))).toMatchObject({
      status: 401,
      kind: 'authentication',
    });
    const client = await ctx.client();
    await cw.getSystemInfo(client);
    await ctx.sim.admin.keys.rotate();
    expect(await caught(cw.getSystemInfo(client))).toMatchObject({
      status: 401,
      kind: 'authentication',
    });
  });

  it('missing clientId → authentication', async () => {
    const client = await ctx.client({ clientId: '' });
    const err = await caught(cw.getSystemInfo(client));
    expect(err).toMatchObject({ status: 401, kind: 'authentication' });
    expect(err.message).toMatch(/clientId/);
  });

  it('a revoked role line → permission', async () => {
    await ctx.sim.admin.security.revoke('ServiceDesk/ServiceTickets');
    const err = await caught(cw.getTicket(await ctx.client(), 9000));
    expect(err).toMatchObject({ status: 403, kind: 'permission', code: 'Security' });
  });

  it('a missing record → not_found, without a CompanyInfo check or a retry', async () => {
    const client = await ctx.client();
    await ctx.sim.admin.journal.clear();
    const err = await caught(cw.getTicket(client, 424242));
    expect(err).toMatchObject({ status: 404, kind: 'not_found' });
    expect(await ctx.sim.admin.journal.counts()).toEqual({ 'GET /service/tickets/{id}': 1 });
  });

  it('a 404 caused by a codebase change → refresh, callback, retry once, success', async () => {
    const onCodebaseChange = jest.fn();
    const client = await ctx.client({ codebase: 'v2025_1/', onCodebaseChange });
    await ctx.sim.admin.codebase.set('v2025_2/');
    await ctx.sim.admin.journal.clear();
    const info = await cw.getSystemInfo(client);
    expect(info.isCloud).toBe(true);
    expect(client.codebase).toBe('v2025_2/');
    expect(onCodebaseChange).toHaveBeenCalledTimes(1);
    expect(onCodebaseChange).toHaveBeenCalledWith(
      'v2025_2/',
      expect.objectContaining({ codebase: 'v2025_2/' }),
    );
    expect((await ctx.sim.admin.journal.list()).map((e) => `${e.status} ${e.path}`)).toEqual([
      '404 /v2025_1/apis/3.0/system/info',
      '200 /login/companyinfo/demomsp',
      '200 /v2025_2/apis/3.0/system/info',
    ]);
    await cw.getSystemInfo(client);
    expect(onCodebaseChange).toHaveBeenCalledTimes(1);
  });

  it('an invalid ticket → validation with the CW errors[]', async () => {
    ctx.expect400(1);
    const client = await ctx.client();
    const err = await caught(
      cw.createTicket(client, {
        summary: 'DefensX: wrong status',
        company: { id: 250 },
        board: { id: 2 },
        status: { id: 101 },
      }),
    );
    expect(err).toMatchObject({ status: 400, kind: 'validation' });
    expect(err.errors.length).toBeGreaterThan(0);
    expect(err.errors[0]?.field).toMatch(/status/);
  });

  it('a duplicate catalog identifier → object_exists', async () => {
    ctx.expect400(1);
    const client = await ctx.client();
    const existing = await cw.getCatalogItem(client, 1350);
    const err = await caught(
      cw.createCatalogItem(client, {
        identifier: existing.identifier,
        description: 'dup',
        customerDescription: 'dup',
        subcategory: { id: existing.subcategory.id as number },
        type: { id: existing.type.id as number },
      }),
    );
    expect(err).toMatchObject({ status: 400, kind: 'object_exists' });
  });

  it('refuses an over-long summary before sending it', async () => {
    const client = await ctx.client();
    await ctx.sim.admin.journal.clear();
    const err = await caught(
      cw.createTicket(client, { summary: 'x'.repeat(101), company: { id: 250 } }),
    );
    expect(err).toMatchObject({ code: 'InvalidRequest', kind: 'validation' });
    expect(err.message).toMatch(/summary/);
    expect(await ctx.sim.admin.journal.list()).toEqual([]);
  });
});

describe('connection set-up errors', () => {
  it('an unknown company id → CompanyNotFound', async () => {
    const err = await caught(ctx.client({ companyId: 'nosuchmsp' }));
    expect(err).toMatchObject({ code: 'CompanyNotFound', kind: 'not_found' });
    expect(err.message).toMatch(/no company with the Company ID "nosuchmsp"/);
  });

  it('refuses the simulator without allowPrivateHosts', async () => {
    const err = await caught(ctx.client({ allowPrivateHosts: false }));
    expect(err).toMatchObject({ code: 'InvalidSite', kind: 'validation' });
  });

  describe('a server that answers HTML (the web UI, not the API)', () => {
    let server: Server;
    let origin: string;
    beforeAll(async () => {
      server = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!DOCTYPE html><html><body>ConnectWise Manage login</body></html>');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('fails codebase discovery with NonJsonResponse', async () => {
      const err = await caught(
        cw.createConnectWiseClient({ site: origin, allowPrivateHosts: true, ...DEMO_CREDENTIALS }),
      );
      expect(err).toMatchObject({
        code: 'NonJsonResponse',
        kind: 'unexpected_response',
        status: 200,
      });
      expect(err.message).toMatch(/web UI/);
    });

    it('fails an API call with NonJsonResponse', async () => {
      const client = await cw.createConnectWiseClient({
        site: origin,
        allowPrivateHosts: true,
        codebase: 'v2025_1/',
        ...DEMO_CREDENTIALS,
      });
      expect(await caught(cw.getSystemInfo(client))).toMatchObject({ code: 'NonJsonResponse' });
    });
  });
});
