import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { discardLines, runningProcesses } from '../../dev/managed';
import { startStack, type Stack } from '../../dev/stack';
import { STACK_SLOT_WAIT_MS, takeStackSlot } from '../support/stack-slot';

jest.setTimeout(300_000);

/**
 * The real local stack, as `npm start` runs it: the Temporal dev server, FerretDB, the simulator,
 * and the worker and API as their own processes. Everything below goes over the network.
 */
const env = {
  ...process.env,
  MONGODB_URI: undefined,
  TEMPORAL_ADDRESS: undefined,
  ENCRYPTION_KEY: undefined,
  PORT: undefined,
};
let dataDir: string;
// One whole stack at a time across the run's workers (test/support/stack-slot.ts).
let releaseSlot: (() => void) | undefined;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cw-e2e-'));
  releaseSlot = await takeStackSlot();
}, STACK_SLOT_WAIT_MS + 10_000);
afterAll(() => {
  releaseSlot?.();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(stack: Stack, method: string, path: string, body?: unknown) {
  const res = await fetch(`${stack.apiUrl}/v1/partners/${stack.demo.partnerId}${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.demo.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON, checked by the assertions
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, any> };
}

async function waitForRuns(stack: Stack, count: number) {
  for (let i = 0; i < 150; i++) {
    const status = await call(stack, 'GET', '/connectwise/status');
    if ((status.body.workflow?.lastRuns?.length ?? 0) >= count) return status.body;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the lifecycle workflow did not record ${count} runs`);
}

test('drive the engine over HTTP, restart the stack, and find workflows and documents still there', async () => {
  let stack = await startStack({ ephemeral: true, metrics: true, dataDir, env, log: discardLines });
  let integrationId: string;
  let token: string;
  try {
    token = stack.demo.token;
    const creds = { site: stack.simulator.origin, ...pick(stack.simulator.credentials) };
    const tested = await call(stack, 'POST', '/connectwise/test-connection', creds);
    expect(tested.status).toBe(200);
    expect(tested.body.ok).toBe(true);

    // The demo partner comes connected to the simulator, mapped, with billing on.
    const seeded = await call(stack, 'GET', '/connectwise/integration');
    expect(seeded.status).toBe(200);
    expect(seeded.body).toMatchObject({ site: creds.site, state: 'active' });
    expect(seeded.body.billingSettings).toMatchObject({ enabled: true });
    integrationId = seeded.body.id as string;
    expect((await call(stack, 'POST', '/connectwise/integration', creds)).status).toBe(409);

    // The first Synchronize bills: additions appear in the simulator (Acme's agreement, billed by
    // hand before, waits for the partner's decision: the run is partial).
    expect((await call(stack, 'POST', '/connectwise/synchronize')).status).toBe(202);
    const status = await waitForRuns(stack, 1);
    expect(status.workflow.lastRuns[0]).toMatchObject({ trigger: 'manual', outcome: 'partial' });
    const runs = await call(stack, 'GET', '/connectwise/sync-runs');
    expect(runs.body.runs).toHaveLength(1);
    const additions = (await (
      await fetch(`${stack.simulator.origin}/__admin/state/additions`)
    ).json()) as Array<{ agreementId: number; effectiveDate: string }>;
    expect(additions.filter((a) => a.agreementId === 303)).not.toEqual([]);

    // An operator scrapes both processes: the run counted by the worker, the API's requests by
    // route, and the Temporal SDK's own metrics.
    const scrape = async (url: string) => {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      return await res.text();
    };
    expect(await scrape(stack.metricsUrls!.worker)).toMatch(
      /^cw_engine_sync_runs_total\{kind="billing",outcome="partial"\} [1-9]/m,
    );
    expect(await scrape(stack.metricsUrls!.api)).toMatch(
      /^cw_engine_http_requests_total\{method="POST",route="\/v1\/partners\/:partnerId\/connectwise\/synchronize",status="202"\} 1$/m,
    );
    expect(await scrape(stack.metricsUrls!.workerSdk)).toMatch(/^temporal_\w+/m);

    // The run is findable in Temporal by its search attribute, as in the Temporal UI.
    const temporal = new Client({
      connection: await Connection.connect({ address: stack.temporalAddress }),
    });
    // Raw listing: billing runs carry an encrypted memo this key-less client cannot decode.
    const listed = await temporal.workflowService.listWorkflowExecutions({
      namespace: stack.temporalNamespace,
      query: `IntegrationId = "${integrationId}"`,
    });
    const found = (listed.executions ?? []).map((e) => e.execution?.workflowId);
    expect(found).toContain(`integration:${integrationId}`);
    expect(found).toContain(status.workflow.lastRuns[0].runWorkflowId);

    // The Temporal UI reads encrypted histories through the API's codec, secrets redacted.
    const settings = (await (await fetch(`${stack.temporalUiUrl}/api/v1/settings`)).json()) as {
      Codec?: { Endpoint?: string };
    };
    expect(settings.Codec?.Endpoint).toBe(`${stack.apiUrl}/codec`);
    const [testRun] = await collect(temporal.workflow.list({ query: 'SyncKind = "validation"' }));
    const history = await temporal.workflow
      .getHandle(testRun!.workflowId, testRun!.runId)
      .fetchHistory();
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const decoded = await fetch(`${stack.apiUrl}/codec/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: stack.temporalUiUrl! },
      body: JSON.stringify({
        payloads: [
          {
            metadata: Object.fromEntries(
              Object.entries(input.metadata!).map(([k, v]) => [
                k,
                Buffer.from(v).toString('base64'),
              ]),
            ),
            data: Buffer.from(input.data!).toString('base64'),
          },
        ],
      }),
    });
    expect(decoded.headers.get('access-control-allow-origin')).toBe(stack.temporalUiUrl);
    const payload = ((await decoded.json()) as { payloads: Array<{ data: string }> }).payloads[0]!;
    expect(JSON.parse(Buffer.from(payload.data, 'base64').toString())).toMatchObject({
      typed: { companyId: creds.companyId, privateKey: '[redacted]' },
    });
    await temporal.connection.close();
  } finally {
    await stack.stop();
  }

  stack = await startStack({ ephemeral: true, dataDir, env, log: discardLines });
  try {
    expect(stack.demo.token).toBe(token);
    const again = await call(stack, 'GET', '/connectwise/integration');
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(integrationId);
    const status = await call(stack, 'GET', '/connectwise/status');
    expect(status.body.workflow).toMatchObject({ integrationId, lifecycle: 'running' });
    expect(status.body.workflow.lastRuns).toHaveLength(1);
    expect((await call(stack, 'GET', '/connectwise/sync-runs')).body.runs).toHaveLength(1);
  } finally {
    await stack.stop();
  }
  expect(runningProcesses()).toEqual([]);
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function pick(c: { companyId: string; publicKey: string; privateKey: string }) {
  return { companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey };
}
