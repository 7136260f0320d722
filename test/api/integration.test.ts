import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { ROLE_LINES } from '../../simulator';
import type { IntegrationStatus } from '../../workflows/messages';
import { startEngine, type Engine } from '../support/engine';
import { startTestSimulator, type SimulatorFixture } from '../support/simulator';
import { eventually } from '../support/wait';

let engine: Engine;
let fx: SimulatorFixture;
beforeAll(async () => {
  [engine, fx] = await Promise.all([startEngine('integration'), startTestSimulator()]);
}, 120_000);
afterAll(async () => {
  await Promise.all([engine?.stop(), fx?.sim.close()]);
});
afterEach(async () => {
  await fx.sim.admin.reset();
});

const as = (token: string) => ({ Authorization: `Bearer ${token}` });
const base = (partnerId: string) => `/v1/partners/${partnerId}/connectwise`;
const testConnection = (body: object, partnerId = 'p1') =>
  request(engine.app)
    .post(`${base(partnerId)}/test-connection`)
    .set(as(engine.tokens.service))
    .send(body);

describe('Test Connection', () => {
  test('passes for the demo MSP with every role line ok', async () => {
    const res = await testConnection(fx.credentials);
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(res.body.problems).toEqual([]);
    expect(res.body.company).toMatchObject({ found: true, codebase: expect.stringMatching(/\/$/) });
    expect(res.body.authenticated).toBe(true);
    expect(res.body.role).toHaveLength(9);
    expect(res.body.role.every((l: { status: string }) => l.status === 'ok')).toBe(true);
  });

  test.each(ROLE_LINES.map((l) => [l.key, l] as const))(
    'names the missing line when %s is revoked',
    async (key, line) => {
      await fx.sim.admin.security.revoke(key);
      const res = await testConnection(fx.credentials);
      expect(res.body.ok).toBe(false);
      const missing = (res.body.role as Array<{ label: string; status: string }>).filter(
        (l) => l.status !== 'ok',
      );
      expect(missing).toHaveLength(1);
      expect(missing[0]!.label).toBe(`${line.moduleName} → ${line.moduleFunctionName}`);
      expect(res.body.problems.length).toBeGreaterThan(0);
      expect(res.body.problems.join(' ')).toMatch(/ is None, needs All/);
    },
  );

  test('names a single missing level in words', async () => {
    await fx.sim.admin.security.setLevels('Finance/Agreements', {
      add: 'None',
      edit: 'All',
      delete: 'None',
      inquire: 'All',
    });
    const res = await testConnection(fx.credentials);
    expect(res.body.problems).toContain('Finance → Agreements: Add is None, needs All');
  });

  test('reports the Manage Hosted API permission', async () => {
    await fx.sim.admin.security.revokeCustomizeItem('SystemManageHostedApi');
    const res = await testConnection(fx.credentials);
    expect(res.body.ok).toBe(false);
    expect(res.body.problems.join(' ')).toMatch(/Manage Hosted API/);
  });

  test('an unknown company id, wrong keys, and a web page each get their own message', async () => {
    const unknown = await testConnection({ ...fx.credentials, companyId: 'nosuchmsp' });
    expect(unknown.body.company.found).toBe(false);
    expect(unknown.body.problems[0]).toMatch(/Company ID "nosuchmsp" was not found/);

    const wrongKeys = await testConnection({ ...fx.credentials, privateKey: 'not-the-key' });
    expect(wrongKeys.body.company.found).toBe(true);
    expect(wrongKeys.body.authenticated).toBe(false);
    expect(wrongKeys.body.problems[0]).toMatch(/did not accept the public and private key/);

    const html: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><html><body>ConnectWise Manage login</body></html>');
    });
    await new Promise<void>((r) => html.listen(0, '127.0.0.1', r));
    const port = (html.address() as AddressInfo).port;
    const webPage = await testConnection({ ...fx.credentials, site: `http://127.0.0.1:${port}` });
    html.close();
    expect(webPage.body.ok).toBe(false);
    expect(webPage.body.problems[0]).toMatch(/web page, not the ConnectWise API/);
  });

  test('a missing or refused clientId gets its own message', async () => {
    const local = await startEngine('integration-clientid', {
      CW_CLIENT_ID: '00000000-0000-4000-8000-000000000000',
    });
    try {
      const res = await request(local.app)
        .post(`${base('p1')}/test-connection`)
        .set(as(local.tokens.p1))
        .send(fx.credentials);
      expect(res.body.authenticated).toBe(false);
      expect(res.body.problems[0]).toMatch(/clientId/);
    } finally {
      await local.stop();
    }
  }, 120_000);

  test('400 names the missing fields', async () => {
    const res = await testConnection({ site: '', companyId: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'body.privateKey',
      'body.publicKey',
      'body.site',
    ]);
  });
});

describe('integration lifecycle over the API', () => {
  test('create, read, a failing update that changes nothing, delete', async () => {
    const created = await request(engine.app)
      .post(`${base('p1')}/integration`)
      .set(as(engine.tokens.p1))
      .send(fx.credentials);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      state: 'active',
      companyId: 'demomsp',
      hasPrivateKey: true,
    });
    expect(created.body.publicKey).not.toBe(fx.credentials.publicKey);
    expect(JSON.stringify(created.body)).not.toContain(fx.credentials.privateKey);

    const again = await request(engine.app)
      .post(`${base('p1')}/integration`)
      .set(as(engine.tokens.p1))
      .send(fx.credentials);
    expect(again.status).toBe(409);

    const status = await request(engine.app)
      .get(`${base('p1')}/status`)
      .set(as(engine.tokens.p1));
    expect(status.status).toBe(200);
    expect(status.body.workflow).toMatchObject({
      lifecycle: expect.any(String),
      integrationId: created.body.id,
    });

    const badUpdate = await request(engine.app)
      .patch(`${base('p1')}/integration`)
      .set(as(engine.tokens.p1))
      .send({ privateKey: 'wrong' });
    expect(badUpdate.status).toBe(422);
    expect(badUpdate.body.error.report.authenticated).toBe(false);
    const unchanged = await request(engine.app)
      .get(`${base('p1')}/integration`)
      .set(as(engine.tokens.p1));
    expect(unchanged.body.updatedAt).toBe(created.body.updatedAt);

    const cross = await request(engine.app)
      .get(`${base('p1')}/integration`)
      .set(as(engine.tokens.p2));
    expect(cross.status).toBe(404);

    const deleted = await request(engine.app)
      .delete(`${base('p1')}/integration`)
      .set(as(engine.tokens.p1));
    expect(deleted.status).toBe(204);
    expect(
      (
        await request(engine.app)
          .get(`${base('p1')}/integration`)
          .set(as(engine.tokens.p1))
      ).status,
    ).toBe(404);
    const record = await engine.db.repos.integrations.get('p1', created.body.id);
    expect(record).toMatchObject({ state: 'deleted' });
    expect(record!.privateKey).toBeUndefined();
    const wf = await engine.client.workflow.getHandle(`integration:${created.body.id}`).describe();
    await engine.client.workflow.getHandle(`integration:${created.body.id}`).result();
    expect(['RUNNING', 'COMPLETED']).toContain(wf.status.name);
  });

  test('the stored private key is never sent to a new site: changing it needs the key typed again', async () => {
    const p = (path: string) =>
      request(engine.app)
        .post(`${base('p1')}${path}`)
        .set(as(engine.tokens.p1));
    expect((await p('/integration').send(fx.credentials)).status).toBe(201);
    await fx.sim.admin.journal.clear();
    for (const change of [
      { site: 'https://attacker.example' },
      { companyId: 'other' },
      { publicKey: 'other' },
    ]) {
      const res = await request(engine.app)
        .patch(`${base('p1')}/integration`)
        .set(as(engine.tokens.p1))
        .send(change);
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toEqual([
        expect.objectContaining({ field: 'body.privateKey' }),
      ]);
    }
    expect(await fx.sim.admin.journal.list()).toEqual([]);
    // Re-validating against the stored site with the stored key is fine.
    expect((await p('/integration/validate')).status).toBe(200);
    await request(engine.app)
      .delete(`${base('p1')}/integration`)
      .set(as(engine.tokens.p1));
  });

  test('pause and resume', async () => {
    const p = (path: string) =>
      request(engine.app)
        .post(`${base('p1')}${path}`)
        .set(as(engine.tokens.p1));
    expect((await p('/integration').send(fx.credentials)).status).toBe(201);
    const paused = await p('/integration/pause');
    expect(paused.body.state).toBe('paused');
    expect((await p('/integration/pause')).status).toBe(409);
    expect((await p('/synchronize')).status).toBe(409);
    const resumed = await p('/integration/resume');
    expect(resumed.body.state).toBe('active');
    expect((await p('/synchronize')).status).toBe(202);
    await request(engine.app)
      .delete(`${base('p1')}/integration`)
      .set(as(engine.tokens.p1));
  });

  test("pause, resume and settings changes reach the lifecycle workflow's status", async () => {
    const p = (path: string) =>
      request(engine.app)
        .post(`${base('p1')}${path}`)
        .set(as(engine.tokens.p1));
    const workflowStatus = (want: (w: IntegrationStatus) => boolean) =>
      eventually('the workflow status to change', async () => {
        const res = await request(engine.app)
          .get(`${base('p1')}/status`)
          .set(as(engine.tokens.p1));
        const workflow = res.body.workflow as IntegrationStatus | null;
        return workflow && want(workflow) ? workflow : undefined;
      });
    expect((await p('/integration').send(fx.credentials)).status).toBe(201);
    expect((await workflowStatus(() => true)).nextRunAt).not.toBeNull();

    expect((await p('/integration/pause')).status).toBe(200);
    const paused = await workflowStatus((w) => w.lifecycle === 'paused');
    expect(paused.nextRunAt).toBeNull();

    expect((await p('/integration/resume')).status).toBe(200);
    const resumed = await workflowStatus((w) => w.lifecycle === 'running');
    expect(resumed.nextRunAt).not.toBeNull();

    const saved = await request(engine.app)
      .put(`${base('p1')}/ticket-settings`)
      .set(as(engine.tokens.p1))
      .send({ enabled: false });
    expect(saved.status).toBe(200);
    const changed = await workflowStatus((w) => w.lastSettingsChange !== null);
    expect(changed.lastSettingsChange).toEqual({
      what: 'ticket_settings',
      changedAt: expect.any(String),
    });
    await request(engine.app)
      .delete(`${base('p1')}/integration`)
      .set(as(engine.tokens.p1));
  });

  test('Synchronize starts the lifecycle workflow again if an operator terminated it', async () => {
    const p = (path: string) =>
      request(engine.app)
        .post(`${base('p1')}${path}`)
        .set(as(engine.tokens.p1));
    const created = await p('/integration').send(fx.credentials);
    const handle = engine.client.workflow.getHandle(`integration:${created.body.id}`);
    await handle.terminate('operator cleanup');
    expect((await p('/synchronize')).status).toBe(202);
    const restarted = engine.client.workflow.getHandle(`integration:${created.body.id}`);
    expect((await restarted.describe()).status.name).toBe('RUNNING');
    let runs = 0;
    for (let i = 0; i < 50 && runs === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      runs = (await engine.db.repos.syncRuns.list('p1', created.body.id)).length;
    }
    expect(runs).toBe(1);
    await request(engine.app)
      .delete(`${base('p1')}/integration`)
      .set(as(engine.tokens.p1));
  });

  test('rotated keys: the next run marks the integration credentials_invalid after one ConnectWise call', async () => {
    const created = await request(engine.app)
      .post(`${base('p2')}/integration`)
      .set(as(engine.tokens.p2))
      .send(fx.credentials);
    expect(created.status).toBe(201);
    const rotated = await fx.sim.admin.keys.rotate();
    await fx.sim.admin.journal.clear();

    const sync = await request(engine.app)
      .post(`${base('p2')}/synchronize`)
      .set(as(engine.tokens.p2));
    expect(sync.status).toBe(202);
    let status = await request(engine.app)
      .get(`${base('p2')}/status`)
      .set(as(engine.tokens.p2));
    for (let i = 0; i < 100 && status.body.workflow.lastRuns.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await request(engine.app)
        .get(`${base('p2')}/status`)
        .set(as(engine.tokens.p2));
    }
    expect(status.body.state).toBe('credentials_invalid');
    // No billing run started, yet the run Synchronize answered with is found by its id: in the
    // status, and as its row in the sync history.
    const runKey = sync.body.runWorkflowId as string;
    expect(status.body.workflow.lastRuns[0]).toMatchObject({
      trigger: 'manual',
      outcome: 'failed',
      runKey,
    });
    expect(status.body.workflow.lastRuns[0].runWorkflowId).toBeUndefined();
    const row = await request(engine.app)
      .get(`${base('p2')}/sync-runs/${encodeURIComponent(runKey)}`)
      .set(as(engine.tokens.p2));
    expect(row.status).toBe(200);
    expect(row.body.run).toMatchObject({ trigger: 'manual', outcome: 'failed' });
    const foreign = await request(engine.app)
      .get(`${base('p1')}/sync-runs/${encodeURIComponent(runKey)}`)
      .set(as(engine.tokens.p1));
    expect(foreign.status).toBe(404);
    const calls = (await fx.sim.admin.journal.list()).filter((e) => !e.path.startsWith('/__admin'));
    expect(calls.map((c) => `${c.method} ${c.template} ${c.status}`)).toEqual([
      'GET /system/info 401',
    ]);

    const refused = await request(engine.app)
      .post(`${base('p2')}/synchronize`)
      .set(as(engine.tokens.p2));
    expect(refused.status).toBe(409);

    const fixed = await request(engine.app)
      .patch(`${base('p2')}/integration`)
      .set(as(engine.tokens.p2))
      .send({ publicKey: rotated.publicKey, privateKey: rotated.privateKey });
    expect(fixed.status).toBe(200);
    expect(fixed.body.state).toBe('active');
    expect(fixed.body.stateReason).toBeNull();
    await request(engine.app)
      .delete(`${base('p2')}/integration`)
      .set(as(engine.tokens.p2));
  });
});
