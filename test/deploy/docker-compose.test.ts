import { apiGauges } from '../../api/metrics-gauges';
import { readdirSync, readFileSync, statSync } from 'node:fs';
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
  ports?: string[];
  deploy?: { replicas?: string | number };
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] };
  container_name?: string;
  hostname?: string;
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

test('the api and the worker run as replicas, as many as API_REPLICAS and WORKER_REPLICAS say (default 2)', () => {
  for (const [name, variable] of [
    ['api', 'API_REPLICAS'],
    ['worker', 'WORKER_REPLICAS'],
  ] as const) {
    const service = compose.services[name]!;
    const replicas = new RegExp(`^\\$\\{${variable}:-(\\d+)\\}$`).exec(
      String(service.deploy?.replicas),
    );
    expect(replicas).not.toBeNull();
    expect(Number(replicas![1])).toBeGreaterThanOrEqual(2);
    // Nothing that two replicas of one service could not both have.
    expect(service.ports).toBeUndefined();
    expect(service.container_name).toBeUndefined();
    expect(service.hostname).toBeUndefined();
  }
});

/** The Caddyfile's directives, comments left out. */
const caddyfile = readFileSync(join(root, 'deploy', 'Caddyfile'), 'utf8')
  .split('\n')
  .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
  .filter(Boolean)
  .join('\n');
/** The block opened by `opening` (e.g. `dynamic a`), its nested blocks included. */
const blockOf = (opening: string): string => {
  const start = caddyfile.indexOf(`${opening} {`);
  expect(start).toBeGreaterThanOrEqual(0);
  let depth = 0;
  for (let i = caddyfile.indexOf('{', start); i < caddyfile.length; i += 1) {
    if (caddyfile[i] === '{') depth += 1;
    if (caddyfile[i] === '}' && --depth === 0) return caddyfile.slice(start, i + 1);
  }
  throw new Error(`${opening}: its block is not closed`);
};
const directive = (block: string, name: string): string[] | undefined =>
  new RegExp(`^${name}\\s+(.+)$`, 'm').exec(block)?.[1]?.split(/\s+/);
const seconds = (duration: string): number => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(duration);
  expect(m).not.toBeNull();
  return Number(m![1]) * { ms: 0.001, s: 1, m: 60 }[m![2] as 'ms' | 's' | 'm'];
};

test('one load balancer publishes port 3000 and spreads requests over every api replica, found by DNS', () => {
  const s = compose.services;
  const api = s.api!.environment!;
  // The only host port 3000 is the load balancer's, an official image at a pinned version.
  const publishing = Object.entries(s).filter(([, svc]) =>
    (svc.ports ?? []).some((p) => /(^|:)3000:\d+$/.test(p)),
  );
  expect(publishing.map(([name]) => name)).toEqual(['lb']);
  const lb = s.lb!;
  const version = /^caddy:(\d+)\.(\d+)\.(\d+)(-alpine)?$/.exec(lb.image ?? '');
  expect(version).not.toBeNull();
  // 2.11.4 or later: earlier ones answer 502 to a POST they retry on another replica after a
  // refused connection, and forget a dynamic upstream's failures between requests.
  const [major, minor, patch] = version!.slice(1, 4).map(Number) as [number, number, number];
  expect(major * 1e6 + minor * 1e3 + patch).toBeGreaterThanOrEqual(2_011_004);
  expect(lb.volumes).toContain('./deploy/Caddyfile:/etc/caddy/Caddyfile:ro');
  expect(lb.depends_on).toEqual({ api: { condition: 'service_healthy' } });
  const published = lb.ports!.find((p) => /3000:\d+$/.test(p))!;
  const inside = published.split(':').pop()!;

  // It listens where it publishes and proxies to the name every api replica answers to, on the
  // API's port, over IPv4 (the API listens on 0.0.0.0).
  expect(caddyfile).toMatch(new RegExp(`^:${inside} \\{$`, 'm'));
  const dynamic = blockOf('dynamic a');
  expect(directive(dynamic, 'name')).toEqual(['api']);
  expect(directive(dynamic, 'port')).toEqual([api.PORT]);
  expect(api.HOST).toBe('0.0.0.0');
  expect(directive(dynamic, 'versions')).toEqual(['ipv4']);
  // Looked up again within seconds, so `--scale api=N` is followed.
  expect(seconds(directive(dynamic, 'refresh')![0]!)).toBeLessThanOrEqual(15);
  const proxy = blockOf('reverse_proxy');
  expect(directive(proxy, 'lb_policy')?.[0]).toMatch(/^(round_robin|least_conn|random)$/);
  // A stopped replica is skipped, and the proxy never reuses a connection Node is closing (its
  // keep-alive timeout is 5 s).
  expect(seconds(directive(proxy, 'lb_try_duration')![0]!)).toBeGreaterThan(0);
  expect(seconds(directive(proxy, 'fail_duration')![0]!)).toBeGreaterThan(0);
  expect(seconds(directive(proxy, 'keepalive')![0]!)).toBeLessThan(5);
  // Requests go through as sent: no header dropped or rewritten on the way in (Authorization,
  // Origin, X-Content-Signature), no path rewritten (/v1, /console, /hosted, /codec and
  // /connectwise/callbacks are all the API's), no body limit (bulk pushes take 8 MB, /codec more).
  expect(caddyfile).not.toMatch(/^(header_up|rewrite|uri|handle_path|request_body)\b/m);
  expect(caddyfile.match(/^reverse_proxy\b/gm)).toHaveLength(1);
  expect(caddyfile).not.toMatch(/^(handle|route|respond)\b/m);

  // Healthy when it answers on its port and reaches an API.
  const check = lb.healthcheck!.test!.join(' ');
  expect(check).toContain(`http://127.0.0.1:${inside}/healthz`);
});

test('the API reads no client address, host or scheme, so the proxy in front needs no trust setting', () => {
  // Were one needed (req.ip for a limit, req.protocol for a link), 'trust proxy' would have to
  // trust the load balancer's X-Forwarded-* headers, and only its.
  const app = readFileSync(join(root, 'api', 'app.ts'), 'utf8');
  expect(app).toMatch(/app\.set\('trust proxy', false\)/);
  const filesUnder = (dir: string): string[] =>
    readdirSync(join(root, dir)).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(join(root, path)).isDirectory()) return filesUnder(path);
      return path.endsWith('.ts') ? [path] : [];
    });
  const reading = filesUnder('api').filter((file) =>
    /\breq\.(ip|ips|hostname|host|protocol|secure|subdomains)\b|x-forwarded-/i.test(
      readFileSync(join(root, file), 'utf8'),
    ),
  );
  expect(reading).toEqual([]);
});

test('the Dockerfile builds in stages and runs as a non-root user with prebundled workflows', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
  expect(dockerfile).toMatch(/^USER node$/m);
  expect(dockerfile).toMatch(/WORKFLOW_BUNDLE_PATH=\/app\/dist\/workflow-bundle\.js/);
  expect(dockerfile).toMatch(/npm run build/);
});

test("Prometheus scrapes every replica of each engine process where it serves /metrics; the dashboard asks only for the engine's metrics, and counts the API's database gauges once", async () => {
  const { registry } = await import('../../observability/metrics');
  const prometheus = parse(readFileSync(join(root, 'deploy', 'prometheus.yml'), 'utf8')) as {
    scrape_configs: Array<{
      job_name: string;
      static_configs?: unknown;
      dns_sd_configs?: Array<{ names: string[]; type: string; port: number }>;
    }>;
  };
  // Found by DNS (one A record per replica of the service), never a fixed target.
  for (const c of prometheus.scrape_configs) {
    expect(c.static_configs).toBeUndefined();
    expect(c.dns_sd_configs?.length).toBeGreaterThan(0);
  }
  const discovered = prometheus.scrape_configs.flatMap((c) => c.dns_sd_configs!);
  for (const sd of discovered) {
    expect(sd.type).toBe('A');
    for (const name of sd.names) expect(compose.services[name]?.deploy?.replicas).toBeDefined();
  }
  const targets = discovered.flatMap((sd) => sd.names.map((name) => `${name}:${sd.port}`));
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
  const before = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
  apiGauges({
    healthIssues: { openCountsByKind: () => Promise.resolve({}) },
    billingSeats: { totalsByPartner: () => Promise.resolve({}) },
  } as unknown as Parameters<typeof apiGauges>[0]);
  const all = await registry.getMetricsAsJSON();
  const defined = new Set(
    all.flatMap((m) => (String(m.type) === 'histogram' ? [`${m.name}_bucket`] : [m.name])),
  );
  const asked = dashboard.panels.flatMap((p) =>
    p.targets.flatMap((t) => [...t.expr.matchAll(/\b(cw_engine_[a-z_]+)/g)].map((m) => m[1]!)),
  );
  expect(asked.length).toBeGreaterThan(10);
  expect(asked.filter((name) => !defined.has(name))).toEqual([]);

  // Every API replica reports the same database-wide values: a panel takes them once per label
  // (`max by`), never their sum over the replicas.
  const fromDatabase = all.map((m) => m.name).filter((name) => !before.has(name));
  expect(fromDatabase.length).toBeGreaterThan(0);
  const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
  for (const name of fromDatabase) {
    const reads = exprs.filter((e) => new RegExp(`\\b${name}\\b`).test(e));
    expect(reads.length).toBeGreaterThan(0);
    for (const expr of reads)
      expect(expr).toMatch(new RegExp(`max by \\([a-z_, ]+\\) \\(${name}\\)`));
  }
});
