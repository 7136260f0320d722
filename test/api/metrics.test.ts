import type { Server } from 'node:http';
import request from 'supertest';
import { freePort } from '../../dev/ports';
import { apiGauges } from '../../api/metrics-gauges';
import { operationOf, serveMetrics } from '../../observability/metrics';
import { billingApi } from './billing-helpers';
import { useSetupStack } from './setup-helpers';

/**
 * Prometheus metrics (issue 19): the exposition parses, and the counters move when a request, a
 * billing run and its ConnectWise calls happen. The API and the worker run in this process here,
 * so one registry holds both (in production each process serves its own).
 */
const suite = useSetupStack('metrics', [
  { customerId: 'c-acme', name: 'Acme Corp' },
  { customerId: 'c-globex', name: 'Globex' },
]);
const { p1, cw, setUp, synchronize } = billingApi(suite);

let server: Server;
let url: string;
beforeAll(async () => {
  apiGauges(suite.engine.db.repos, 0);
  const port = await freePort();
  server = await serveMetrics('127.0.0.1', port);
  url = `http://127.0.0.1:${port}`;
});
afterAll(() => server?.close());

type Sample = { name: string; labels: Record<string, string>; value: number };

/** The text exposition format, every line checked: HELP, TYPE, or a sample. */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (/^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue;
    // Values as Prometheus reads them (Go's ParseFloat: NaN and Inf in any case).
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|nan|[+-]inf)$/i.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of m[2]?.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g) ?? [])
      labels[k!] = v!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

async function scrape(): Promise<Sample[]> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(await res.text());
}

const sum = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);

test('ConnectWise paths become operation templates', () => {
  expect(operationOf('/v4_6_release/apis/3.0/finance/agreements/303/additions/17')).toBe(
    '/finance/agreements/{id}/additions/{id}',
  );
  expect(operationOf('/v2025_1/apis/3.0/service/tickets')).toBe('/service/tickets');
});

test('/metrics parses, and moves with requests, runs and ConnectWise calls', async () => {
  const before = await scrape();
  await setUp();
  await synchronize();
  const status = await request(suite.engine.app).get(cw('/status')).set(p1());
  expect(status.status).toBe(200);
  const after = await scrape();

  const route = {
    method: 'GET',
    route: '/v1/partners/:partnerId/connectwise/status',
    status: '200',
  };
  expect(sum(after, 'cw_engine_http_requests_total', route)).toBe(
    sum(before, 'cw_engine_http_requests_total', route) + 1,
  );
  const billing = { kind: 'billing' };
  expect(sum(after, 'cw_engine_sync_runs_total', billing)).toBeGreaterThan(
    sum(before, 'cw_engine_sync_runs_total', billing),
  );
  const lists = { method: 'GET', operation: '/finance/agreements/{id}/additions', status: '200' };
  expect(sum(after, 'cw_engine_connectwise_calls_total', lists)).toBeGreaterThan(
    sum(before, 'cw_engine_connectwise_calls_total', lists),
  );
  expect(sum(after, 'cw_engine_additions_written_total')).toBeGreaterThan(
    sum(before, 'cw_engine_additions_written_total'),
  );
  // Acme's hand-made addition waits for a decision: an open issue, counted by kind.
  expect(sum(after, 'cw_engine_health_issues_open', { kind: 'candidate_waiting' })).toBe(1);
  // The partner's unbilled seats (billing coverage): Acme's 40 seats wait for that decision.
  const coverage = await request(suite.engine.app).get(cw('/billing/coverage')).set(p1());
  expect(coverage.body.totals.unbilled).toBe(40);
  expect(sum(after, 'cw_engine_unbilled_seats', { partner_id: 'p1' })).toBe(40);
  expect(sum(after, 'cw_engine_unbilled_amount', { partner_id: 'p1' })).toBe(
    coverage.body.totals.unbilledAmount,
  );
  // No id of an integration or agreement in a label.
  const text = await (await fetch(`${url}/metrics`)).text();
  expect(text).not.toContain(suite.integrationId);
  expect(text).not.toMatch(/\/303\b/);
  expect((await fetch(`${url}/other`)).status).toBe(404);
});
