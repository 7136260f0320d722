import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { temporalWorkerTracing } from '../../observability/temporal-tracing';
import { startTracing, type StopTracing } from '../../observability/tracing';
import { createDataConverter } from '../../temporal/data-converter';
import { bundleWorkflows } from '../../worker/bundle';
import { replayKeyring } from '../support/keys';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';

/**
 * The workflow bundle with and without tracing (observability/temporal-tracing.ts). Tracing's
 * workflow interceptors are bundled only when it is on; turning it on must not break the
 * workflows already running, so the recorded histories (replay.test.ts, recorded without
 * interceptors) replay with the traced bundle and its sinks too. The whole trace, API to
 * ConnectWise, is test/observability/request-trace.test.ts.
 */
let receiver: OtlpReceiver;
let stopTracing: StopTracing;
const OTEL = ['OTEL_EXPORTER_OTLP_ENDPOINT'];
const saved = Object.fromEntries(OTEL.map((name) => [name, process.env[name]]));

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.endpoint;
  stopTracing = startTracing('cw-engine-worker');
});

afterAll(async () => {
  await stopTracing?.();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await receiver?.close();
});

test('recorded histories replay with the tracing interceptors; the plain bundle has none', async () => {
  const tracing = temporalWorkerTracing()!;
  expect(tracing).toBeDefined();
  const [plain, traced] = await Promise.all([
    bundleWorkflows(),
    bundleWorkflows(tracing.workflowModules),
  ]);
  const module = 'interceptors-opentelemetry/lib/workflow-interceptors';
  expect(traced.code).toContain(module);
  expect(plain.code).not.toContain(module);
  expect(plain.code).not.toContain('OpenTelemetryInboundInterceptor');

  const dir = join(__dirname, 'histories');
  const histories = readdirSync(dir)
    .filter((file) => file.endsWith('.pb'))
    .map((file) => ({
      workflowId: file,
      history: temporal.api.history.v1.History.decode(readFileSync(join(dir, file))),
    }));
  expect(histories.length).toBeGreaterThan(5);
  const results = [];
  for await (const result of Worker.runReplayHistories(
    {
      workflowBundle: traced,
      dataConverter: createDataConverter(replayKeyring()),
      sinks: tracing.sinks,
    },
    histories,
  ))
    results.push([result.workflowId, result.error?.message]);
  expect(results).toEqual(histories.map((h) => [h.workflowId, undefined]));
}, 60_000);
