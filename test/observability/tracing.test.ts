import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { redactRequestUrl } from '../../api/request-urls';
import {
  RedactingSpanProcessor,
  redactSecretParams,
  tracingEnabled,
} from '../../observability/tracing';
import { newHostedToken } from '../../security/hosted-token';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { randomKey } from '../support/keys';
import { startApiProcess, withoutOtel, type ApiProcess } from '../support/api-process';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';

/**
 * OpenTelemetry tracing (observability/tracing.ts): off unless OTEL_* asks, and then nothing that
 * is secret in a request (tokens in URL paths and query strings, the Authorization header) reaches
 * a span. The API runs as its own process here, started as in production (api/main.ts, tracing
 * imported first), exporting to a stand-in collector on loopback.
 */
const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

test('tracing is on only when OTEL_* asks for it', () => {
  const endpoint = 'http://127.0.0.1:4318';
  expect(tracingEnabled({})).toBe(false);
  expect(tracingEnabled({ OTEL_SERVICE_NAME: 'x' })).toBe(false);
  expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint })).toBe(true);
  expect(tracingEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${endpoint}/v1/traces` })).toBe(
    true,
  );
  expect(tracingEnabled({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
  expect(tracingEnabled({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
  expect(
    tracingEnabled({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }),
  ).toBe(false);
  expect(tracingEnabled({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint })).toBe(
    false,
  );
  expect(
    tracingEnabled({ OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }),
  ).toBe(true);
  expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBe(false);
});

test('query parameters with secret names are hidden, the others kept', () => {
  expect(redactSecretParams('/x?access_token=abc&page=2&clientSecret=s3&API-KEY=k#f')).toBe(
    '/x?access_token=\u2026&page=2&clientSecret=\u2026&API-KEY=\u2026#f',
  );
  expect(redactSecretParams('/x?tokenKind=api&conditions=id%3D1')).toBe(
    '/x?tokenKind=api&conditions=id%3D1',
  );
});

test('the redacting processor hides secrets in names, attributes, events and status', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [
      new RedactingSpanProcessor([new SimpleSpanProcessor(exporter)], redactRequestUrl),
    ],
  });
  const { token } = newHostedToken();
  const span = provider.getTracer('test').startSpan(`POST /connectwise/callbacks/${token}`, {
    attributes: {
      'http.url': `http://h/connectwise/callbacks/${token}?recordId=1`,
      'http.target': `/hosted/connectwise?t=${token}&id=250`,
      'url.query': `?refresh_token=${token}`,
      'http.request.header.authorization': 'Basic c2VjcmV0',
      list: [`/connectwise/callbacks/${token}`, 'plain'],
      'http.status_code': 404,
    },
  });
  span.recordException(new Error(`no callback at /connectwise/callbacks/${token}`));
  span.setStatus({ code: 2, message: `failed: ?t=${token}` });
  span.end();
  const [shown] = exporter.getFinishedSpans();
  expect(shown!.name).toBe('POST /connectwise/callbacks/\u2026');
  expect(shown!.attributes).toEqual({
    'http.url': 'http://h/connectwise/callbacks/\u2026?recordId=1',
    'http.target': '/hosted/connectwise?t=\u2026&id=250',
    'url.query': '?refresh_token=\u2026',
    'http.request.header.authorization': '\u2026',
    list: ['/connectwise/callbacks/\u2026', 'plain'],
    'http.status_code': 404,
  });
  expect(shown!.status.message).toBe('failed: ?t=\u2026');
  expect(shown!.events[0]!.attributes!['exception.message']).toBe(
    'no callback at /connectwise/callbacks/\u2026',
  );
  // The rest is the span's own.
  expect(shown!.spanContext().spanId).toBe(span.spanContext().spanId);
  expect(JSON.stringify(shown!.attributes)).not.toContain(token);
});

describe('with tracing off', () => {
  const probe = async (env: NodeJS.ProcessEnv) => {
    const { stdout } = await promisify(execFile)(
      tsx,
      ['test/observability/fixtures/tracing-probe.ts'],
      { cwd: root, env: { ...withoutOtel(), ...env } },
    );
    return JSON.parse(stdout) as {
      packages: string[];
      active: boolean;
      clientInterceptors: boolean;
      workerTracing: boolean;
    };
  };

  test.each([
    ['no OTEL_* variable', {}],
    ['OTEL_SDK_DISABLED=true', { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'x' }],
    [
      'OTEL_TRACES_EXPORTER=none',
      { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'x' },
    ],
  ])(
    '%s: the API loads nothing of the SDK or the Temporal interceptors',
    async (_, env) => {
      const off = await probe(env);
      expect(off).toEqual({
        // prom-client loads the (no-op) API for its exemplars, tracing or not.
        packages: off.packages.length > 0 ? ['@opentelemetry/api'] : [],
        active: false,
        clientInterceptors: false,
        workerTracing: false,
      });
    },
    30_000,
  );

  test('the probe does see the SDK when tracing is on', async () => {
    const on = await probe({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    expect(on.packages).toEqual(
      expect.arrayContaining([
        '@opentelemetry/sdk-node',
        '@opentelemetry/instrumentation-http',
        '@temporalio/interceptors-opentelemetry',
      ]),
    );
    expect(on).toMatchObject({ active: true, clientInterceptors: true, workerTracing: true });
  }, 30_000);
});

describe('the API with tracing on', () => {
  let receiver: OtlpReceiver;
  let db: TestDatabase;
  let api: ApiProcess;
  let partnerToken: string;
  const callback = newHostedToken();
  const install = newHostedToken();

  beforeAll(async () => {
    [receiver, db] = await Promise.all([startOtlpReceiver(), openTestDatabase('tracing')]);
    partnerToken = (await db.repos.tokens.create({ kind: 'partner', partnerId: 'p1', name: 'p1' }))
      .token;
    api = await startApiProcess({
      MONGODB_URI: db.uri,
      ENCRYPTION_KEY: randomKey(),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
    await Promise.all([receiver?.close(), db?.close()]);
  });

  test('each request is one server span named by its route, with no token or secret in any span', async () => {
    const requests = [
      fetch(`${api.url}/v1/partners/p1/connectwise/health-issues?access_token=${install.token}`, {
        headers: { authorization: `Bearer ${partnerToken}` },
      }),
      fetch(`${api.url}/connectwise/callbacks/${callback.token}?recordId=5`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ID: 5, Metadata: { key_url: `https://x/${callback.token}` } }),
      }),
      fetch(`${api.url}/hosted/connectwise?t=${install.token}&id=250&screen=company`),
    ];
    const statuses = await Promise.all(requests.map((r) => r.then((res) => res.status)));
    expect(statuses[1]).toBe(404); // an unknown callback token
    // The API flushes its spans when it stops.
    await api.stop('SIGTERM');

    const servers = (spans: ReceivedSpan[]) => spans.filter((s) => s.kind === 2);
    await receiver.waitFor((spans) => servers(spans).length >= 3);
    const byRoute = Object.fromEntries(
      servers(receiver.spans).map((s) => [String(s.attributes['http.route']), s]),
    );
    expect(Object.keys(byRoute).sort()).toEqual([
      '/connectwise/callbacks/:token',
      '/hosted/connectwise',
      '/v1/partners/:partnerId/connectwise/health-issues',
    ]);
    const health = byRoute['/v1/partners/:partnerId/connectwise/health-issues']!;
    expect(health.name).toBe('GET /v1/partners/:partnerId/connectwise/health-issues');
    expect(health.service).toBe('cw-engine-api');
    expect(health.attributes['http.status_code']).toBe(statuses[0]);
    expect(health.attributes['http.target']).toBe(
      '/v1/partners/p1/connectwise/health-issues?access_token=\u2026',
    );
    expect(byRoute['/connectwise/callbacks/:token']!.attributes['http.target']).toBe(
      '/connectwise/callbacks/\u2026?recordId=5',
    );
    expect(byRoute['/hosted/connectwise']!.attributes['http.target']).toBe(
      '/hosted/connectwise?t=\u2026&id=250&screen=company',
    );
    // Health probes are not traced.
    expect(
      receiver.spans.filter((s) => String(s.attributes['http.target']) === '/healthz'),
    ).toEqual([]);
    // Nothing secret anywhere in what was exported: not a token's part, not the bearer token.
    const exported = receiver.bodies.join('\n');
    for (const secret of [
      callback.selector,
      callback.token.split('.')[1]!,
      install.selector,
      install.token.split('.')[1]!,
      partnerToken,
      'Bearer',
    ])
      expect(exported).not.toContain(secret);
  }, 30_000);
});
