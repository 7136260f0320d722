import { apiGauges } from '../../api/metrics-gauges';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { configSchema } from '../../config/schema';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { WORKER_NODE_ARGS } from '../../worker/node-args';

const root = join(__dirname, '..', '..');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string>;
  volumes?: string[];
}
// The `yaml` parser resolves the x-engine-env anchor and `<<` merge keys, as Compose does.
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};

test('every variable set on the api and the worker exists in the config schema', () => {
  const known = new Set(Object.keys(configSchema.shape));
  for (const name of ['api', 'worker']) {
    const env = compose.services[name]!.environment!;
    expect(Object.keys(env).length).toBeGreaterThan(5);
    expect(Object.keys(env).filter((v) => !known.has(v))).toEqual([]);
    // The required ones are set.
    expect(env).toHaveProperty('ENCRYPTION_KEY');
    expect(env).toHaveProperty('CW_CLIENT_ID');
  }
});

test('official images: mongo with a volume, Temporal on PostgreSQL, and the Temporal UI', () => {
  const s = compose.services;
  expect(s.mongo!.image).toMatch(/^mongo:/);
  expect(s.mongo!.volumes?.[0]).toMatch(/:\/data\/db$/);
  expect(s.postgresql!.image).toMatch(/^postgres:/);
  expect(s.temporal!.image).toMatch(/^temporalio\/auto-setup:/);
  expect(s['temporal-ui']!.image).toMatch(/^temporalio\/ui:/);
  expect(s.api!.build).toBe('.');
  // The worker starts with the heap budget the bench measured it with (worker/node-args.ts).
  expect(s.worker!.command).toEqual(['node', ...WORKER_NODE_ARGS, 'dist/worker/main.js']);
  expect(Object.keys(compose.volumes)).toEqual(
    expect.arrayContaining(['mongo-data', 'temporal-db']),
  );
});

test("the setup job registers exactly the engine's search attributes", () => {
  const command = String(compose.services['temporal-setup']!.command);
  const names = /for name in ([A-Za-z ]+); do/.exec(command)?.[1]?.trim().split(/\s+/);
  expect(names).toEqual(SEARCH_ATTRIBUTES.map((k) => k.name));
});

test('the Dockerfile builds in stages and runs as a non-root user with prebundled workflows', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
  expect(dockerfile).toMatch(/^USER node$/m);
  expect(dockerfile).toMatch(/WORKFLOW_BUNDLE_PATH=\/app\/dist\/workflow-bundle\.js/);
  expect(dockerfile).toMatch(/npm run build/);
});

test("Prometheus scrapes each engine process where it serves /metrics; the dashboard asks only for the engine's metrics", async () => {
  const { registry } = await import('../../observability/metrics');
  const prometheus = parse(readFileSync(join(root, 'deploy', 'prometheus.yml'), 'utf8')) as {
    scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
  };
  const targets = prometheus.scrape_configs.flatMap((c) =>
    c.static_configs.flatMap((s) => s.targets),
  );
  const env = (name: string) => compose.services[name]!.environment!;
  expect(targets.sort()).toEqual(
    [
      `api:${env('api').API_METRICS_PORT}`,
      `worker:${env('worker').WORKER_METRICS_PORT}`,
      `worker:${env('worker').WORKER_SDK_METRICS_PORT}`,
    ].sort(),
  );
  for (const name of ['api', 'worker']) expect(env(name).METRICS_HOST).toBe('0.0.0.0');
  // Nothing publishes a metrics port to the host.
  const published = JSON.stringify([compose.services.api, compose.services.worker]);
  expect(published).not.toMatch(/946[4-6]:946[4-6]/);

  const dashboard = JSON.parse(
    readFileSync(join(root, 'deploy', 'grafana', 'dashboards', 'engine.json'), 'utf8'),
  ) as { panels: Array<{ targets: Array<{ expr: string }> }> };
  // The gauges the API process registers at start, over repositories that hold nothing.
  apiGauges({
    healthIssues: { openCountsByKind: () => Promise.resolve({}) },
    billingSeats: { totalsByPartner: () => Promise.resolve({}) },
  } as unknown as Parameters<typeof apiGauges>[0]);
  const defined = new Set(
    (await registry.getMetricsAsJSON()).flatMap((m) =>
      String(m.type) === 'histogram' ? [`${m.name}_bucket`] : [m.name],
    ),
  );
  const asked = dashboard.panels.flatMap((p) =>
    p.targets.flatMap((t) => [...t.expr.matchAll(/\b(cw_engine_[a-z_]+)/g)].map((m) => m[1]!)),
  );
  expect(asked.length).toBeGreaterThan(10);
  expect(asked.filter((name) => !defined.has(name))).toEqual([]);
});
