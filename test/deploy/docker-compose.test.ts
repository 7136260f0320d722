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
