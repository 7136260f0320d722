import request from 'supertest';
import { billingApi } from './billing-helpers';
import { cwBase, useSetupStack } from './setup-helpers';

/**
 * Health issues over the API, the real engine and the simulator (issue 19): a billing run opens
 * one issue per problem it finds (however many runs find it), says how to fix it, and resolves it
 * once a run finds it gone; rejected keys open an issue that passing keys resolve.
 */
const suite = useSetupStack('health-issues', [
  { customerId: 'c-acme', name: 'Acme Corp' },
  { customerId: 'c-globex', name: 'Globex' },
  { customerId: 'c-initech', name: 'Initech' },
]);
const { p1, put, cw, setUp, synchronize, waitRun, press, firstPending, approveAdopting } =
  billingApi(suite);

type Issue = {
  id: string;
  kind: string;
  object: { type: string; id: string };
  message: string;
  fix: string;
  state: 'open' | 'resolved';
  occurrences: number;
  resolvedBy?: string;
};

async function issues(query = ''): Promise<Issue[]> {
  const res = await request(suite.engine.app)
    .get(cw(`/health-issues${query}`))
    .set(p1());
  expect(res.status).toBe(200);
  return res.body.issues as Issue[];
}

const status = async () =>
  (await request(suite.engine.app).get(cw('/status')).set(p1())).body as {
    healthIssues: { open: number; byKind: Record<string, number> };
  };

test('a cancelled agreement opens one issue over many runs, with its fix; made active again, the next run resolves it', async () => {
  await setUp();
  await synchronize();
  expect(await issues('?kind=agreement_ineligible')).toEqual([]);

  const admin = suite.fx.sim.admin;
  const agreement = (await admin.state.agreements()).find((a) => a.id === 303)!;
  await admin.state.put('agreements', { ...agreement, cancelledFlag: true });
  // Two runs at once and one after: still one issue.
  await Promise.all([synchronize(), synchronize()]);
  await synchronize();
  const open = await issues('?state=open&kind=agreement_ineligible');
  expect(open).toHaveLength(1);
  expect(open[0]).toMatchObject({
    kind: 'agreement_ineligible',
    object: { type: 'agreement', id: '303' },
    state: 'open',
  });
  expect(open[0]!.occurrences).toBeGreaterThanOrEqual(2);
  expect(open[0]!.message).toMatch(/c-globex.*cancelled/);
  expect(open[0]!.fix).toMatch(/Choose another recurring agreement for customer c-globex/);
  expect((await status()).healthIssues.byKind.agreement_ineligible).toBe(1);

  await admin.state.put('agreements', agreement);
  const fixed = await synchronize();
  expect(await issues('?state=open&kind=agreement_ineligible')).toEqual([]);
  const [resolved] = await issues('?state=resolved&kind=agreement_ineligible');
  expect(resolved).toMatchObject({
    id: open[0]!.id,
    state: 'resolved',
    resolvedBy: `billing run ${fixed.runWorkflowId}`,
  });
  expect((await status()).healthIssues.byKind.agreement_ineligible).toBeUndefined();
});

test('an addition entered by hand waits as a candidate issue; decided, the run that applies it resolves it', async () => {
  // Since the first test's setUp: Acme's agreement 300 bills the browser product by hand.
  const [waiting] = await issues('?state=open&kind=candidate_waiting');
  expect(waiting).toMatchObject({
    object: { type: 'agreement', id: '300' },
    message: expect.stringMatching(
      /Agreement 300 of customer c-acme has an addition entered by hand/,
    ),
    fix: expect.stringMatching(/adopt it, keep it separate, or cancel it/),
  });
  // Waiting two days, longer than approvalOverdueHours (24 by default): overdue too.
  await suite.engine.db.conn
    .collection('billingApprovals')
    .updateMany(
      { status: 'pending' },
      { $set: { createdAt: new Date(Date.now() - 48 * 3_600_000) } },
    );
  await synchronize();
  const [overdue] = await issues('?state=open&kind=approval_overdue');
  expect(overdue).toMatchObject({
    object: { type: 'agreement', id: '300' },
    message: expect.stringMatching(
      /agreement 300 \(customer c-acme\) have waited for approval since/,
    ),
  });
  const { approval, candidates } = await firstPending();
  const decided = await approveAdopting(approval, candidates);
  expect(decided.status).toBe(200);
  const applied = await waitRun(decided.body.runWorkflowId as string);
  expect(applied.outcome).toBe('succeeded');
  expect(await issues('?state=open&kind=candidate_waiting')).toEqual([]);
  // The run after the decision prepared with nothing pending: no longer overdue.
  await synchronize();
  expect(await issues('?state=open&kind=approval_overdue')).toEqual([]);
  expect(await issues('?state=resolved&kind=candidate_waiting')).toEqual([
    expect.objectContaining({ id: waiting!.id, resolvedBy: expect.stringMatching(/^billing run/) }),
  ]);
});

test('a mapped company renamed in ConnectWise opens an issue with both names; saving the mapping again resolves it', async () => {
  const admin = suite.fx.sim.admin;
  const globex = (await admin.state.companies()).find((c) => c.id === 254)!;
  await admin.state.put('companies', { ...globex, name: 'Globex International' });
  try {
    await synchronize();
    expect(await issues('?state=open&kind=company_renamed')).toEqual([
      expect.objectContaining({
        object: { type: 'company', id: '254', name: 'Globex International' },
        message: expect.stringMatching(
          /mapped as "Globex Inc", is now named "Globex International"/,
        ),
      }),
    ]);
    // The partner confirms the mapping: saved again, with the name ConnectWise has now.
    const mappings = [
      { customerId: 'c-acme', companyId: 250 },
      { customerId: 'c-globex', companyId: 254 },
    ];
    expect((await put(cw('/company-mappings'), { mappings })).status).toBe(200);
    await synchronize();
    expect(await issues('?state=open&kind=company_renamed')).toEqual([]);
  } finally {
    await admin.state.put('companies', globex);
    const mappings = [
      { customerId: 'c-acme', companyId: 250 },
      { customerId: 'c-globex', companyId: 254 },
    ];
    expect((await put(cw('/company-mappings'), { mappings })).status).toBe(200);
  }
});

test('a mapped company deleted in ConnectWise opens an issue naming its customers; restored, the next run resolves it', async () => {
  const admin = suite.fx.sim.admin;
  const globex = (await admin.state.companies()).find((c) => c.id === 254)!;
  // Deleted in ConnectWise's screens: in its recycle bin (deletedFlag), as ConnectWise keeps it.
  await admin.state.put('companies', { ...globex, deletedFlag: true });
  await Promise.all([synchronize(), synchronize()]);
  const open = await issues('?state=open&kind=company_deleted');
  expect(open).toEqual([
    expect.objectContaining({
      object: { type: 'company', id: '254', name: 'Globex Inc' },
      message: expect.stringMatching(
        /company 254 \("Globex Inc"\) no longer exists.*c-globex is still mapped/,
      ),
      fix: expect.stringMatching(/map the customers to the company that replaced it/),
    }),
  ]);
  await admin.state.put('companies', globex);
  const fixed = await synchronize();
  expect(await issues('?state=open&kind=company_deleted')).toEqual([]);
  expect(await issues('?state=resolved&kind=company_deleted')).toEqual([
    expect.objectContaining({ id: open[0]!.id, resolvedBy: `billing run ${fixed.runWorkflowId}` }),
  ]);
});

test('a billed customer without usage opens a usage issue; its usage, once received, resolves it', async () => {
  // Initech: mapped, its agreement chosen, no usage ever pushed.
  const mappings = [
    { customerId: 'c-acme', companyId: 250 },
    { customerId: 'c-globex', companyId: 254 },
    { customerId: 'c-initech', companyId: 255 },
  ];
  expect((await put(cw('/company-mappings'), { mappings })).status).toBe(200);
  const agreements = [
    { customerId: 'c-acme', agreementId: 300 },
    { customerId: 'c-globex', agreementId: 303 },
    { customerId: 'c-initech', agreementId: 306 },
  ];
  expect((await put(cw('/billing-settings'), { enabled: true, agreements })).status).toBe(200);
  await synchronize();
  const open = await issues('?state=open&kind=usage_stale');
  expect(open).toEqual([
    expect.objectContaining({
      object: { type: 'customer', id: 'c-initech' },
      message: expect.stringMatching(/no usage has been received for customer c-initech/),
    }),
  ]);
  const pushed = await put('/v1/partners/p1/customers/c-initech/usage', {
    usage: [{ sku: 'browser-security', quantity: 3 }],
  });
  expect(pushed.status).toBe(200);
  await synchronize();
  expect(await issues('?state=open&kind=usage_stale')).toEqual([]);
});

test('ConnectWise throttling a run again and again opens an issue with what it cost', async () => {
  // Each agreement's additions list answered 429 five times (Retry-After 0): the run waits them
  // out and completes.
  await suite.fx.sim.admin.faults.add({
    kind: 'rateLimit',
    retryAfterSeconds: 0,
    method: 'GET',
    pathPattern: 'additions',
    count: 5,
  });
  try {
    await synchronize();
  } finally {
    await suite.fx.sim.admin.faults.clear();
  }
  expect(await issues('?state=open&kind=throttled')).toEqual([
    expect.objectContaining({
      object: { type: 'integration', id: 'integration' },
      message: expect.stringMatching(/^ConnectWise answered 5 requests with 429/),
      fix: expect.stringMatching(/lower the billing concurrency/),
    }),
  ]);
});

test('a role line revoked in ConnectWise opens an issue naming it; Test Connection passing again resolves it', async () => {
  const admin = suite.fx.sim.admin;
  const before = (await admin.state.mySecurity()).find(
    (r) => r.moduleIdentifier === 'Finance' && r.moduleFunctionIdentifier === 'Agreements',
  )!;
  await admin.security.revoke('Finance/Agreements');
  try {
    await press();
    let open: Issue[] = [];
    for (let i = 0; i < 200 && open.length === 0; i++) {
      open = await issues('?state=open&kind=role_line_missing');
      if (open.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(open).toEqual([
      expect.objectContaining({
        object: expect.objectContaining({ type: 'role_line', id: 'finance.agreements' }),
        message: expect.stringMatching(/refused access to agreements/),
        fix: expect.stringMatching(/System > Security Roles.*then run Test Connection/),
      }),
    ]);
  } finally {
    await admin.security.setLevels('Finance/Agreements', {
      add: before.addLevel as never,
      edit: before.editLevel as never,
      delete: before.deleteLevel as never,
      inquire: before.inquireLevel as never,
    });
  }
  const validated = await request(suite.engine.app).post(cw('/integration/validate')).set(p1());
  expect(validated.status).toBe(200);
  expect(await issues('?state=open&kind=role_line_missing')).toEqual([]);
  expect(await issues('?state=resolved&kind=role_line_missing')).toEqual([
    expect.objectContaining({ resolvedBy: 'Test Connection passed' }),
  ]);
});

test('rejected keys open one credentials issue; keys that pass Test Connection resolve it', async () => {
  const keys = await suite.fx.sim.admin.keys.rotate();
  // The run stops at its first ConnectWise call (a 401): no billing run starts.
  await press();
  let open: Issue[] = [];
  for (let i = 0; i < 200 && open.length === 0; i++) {
    open = await issues('?state=open&kind=credentials_rejected');
    if (open.length === 0) await new Promise((r) => setTimeout(r, 100));
  }
  expect(open).toEqual([
    expect.objectContaining({
      object: { type: 'integration', id: 'integration' },
      fix: expect.stringMatching(/create new API keys/),
    }),
  ]);
  expect((await status()).healthIssues.open).toBeGreaterThanOrEqual(1);
  const fixed = await request(suite.engine.app)
    .patch(`${cwBase('p1')}/integration`)
    .set(p1())
    .send({ publicKey: keys.publicKey, privateKey: keys.privateKey });
  expect(fixed.status).toBe(200);
  expect(await issues('?state=open&kind=credentials_rejected')).toEqual([]);
  expect(await issues('?state=resolved&kind=credentials_rejected')).toEqual([
    expect.objectContaining({ resolvedBy: 'Test Connection passed' }),
  ]);
});

test('bad filters are a 400 naming the field; paging goes through every issue once', async () => {
  const bad = await request(suite.engine.app).get(cw('/health-issues?kind=nope')).set(p1());
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body)).toContain('query.kind');
  const all = await issues();
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await request(suite.engine.app)
      .get(cw(`/health-issues?pageSize=1${cursor ? `&cursor=${cursor}` : ''}`))
      .set(p1());
    expect(res.status).toBe(200);
    seen.push(...(res.body.issues as Issue[]).map((i) => i.id));
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  expect(seen).toEqual(all.map((i) => i.id));
  expect(all.length).toBeGreaterThanOrEqual(2);
});
