import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  createConnectWiseClient,
  type ConnectWiseClient,
  type ConnectWiseClientOptions,
} from '../../connectwise';
import {
  DEMO_CREDENTIALS,
  startSimulator,
  type JournalEntry,
  type SimulatorHandle,
} from '../../simulator';
import { specPath } from '../../simulator/openapi';

const spec = parse(readFileSync(specPath(), 'utf8')) as {
  paths: Record<string, Record<string, unknown>>;
};
const operations = Object.entries(spec.paths).flatMap(([template, item]) =>
  Object.keys(item).map((method) => ({
    method: method.toUpperCase(),
    // Case-sensitive and slash-exact, unlike the simulator's IIS-like matching.
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[0-9]+')}$`),
  })),
);

/** True when the request used an operation of the contract, spelled exactly as the contract does. */
export function inContract(entry: Pick<JournalEntry, 'method' | 'path'>): boolean {
  if (/^\/login\/companyinfo\/[^/]+$/.test(entry.path)) return entry.method === 'GET';
  // The journal records some paths relative to apis/3.0 and some (failed ones) in full.
  const path = entry.path.replace(/^\/[^/]+\/apis\/3\.0(?=\/)/, '');
  return operations.some((o) => o.method === entry.method && o.pattern.test(path));
}

export interface SimContext {
  sim: SimulatorHandle;
  client(overrides?: Partial<ConnectWiseClientOptions>): Promise<ConnectWiseClient>;
  /** Declares that the current test provokes `count` business 400s (not spec-validation ones). */
  expect400(count: number): void;
}

/**
 * One simulator per test file, reset between tests. After every test the journal is checked: a
 * 400 nobody announced means the client sent something the contract (the simulator validates every
 * request against openapi.trimmed.yaml) does not allow.
 */
export function useSimulator(): SimContext {
  let sim: SimulatorHandle | undefined;
  let expected400 = 0;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(async () => {
    await sim?.close();
  });
  beforeEach(async () => {
    expected400 = 0;
    await sim?.admin.reset();
  });
  afterEach(async () => {
    if (!sim) return;
    const journal = await sim.admin.journal.list();
    const rejected = journal.filter((e) => e.status === 400);
    expect(rejected.length <= expected400 ? [] : rejected).toEqual([]);
    expect(journal.filter((e) => !inContract(e))).toEqual([]);
  });
  return {
    get sim(): SimulatorHandle {
      if (!sim) throw new Error('simulator not started');
      return sim;
    },
    client: (overrides = {}) =>
      createConnectWiseClient({
        site: (sim as SimulatorHandle).origin,
        allowPrivateHosts: true,
        ...DEMO_CREDENTIALS,
        ...overrides,
      }),
    expect400(count: number) {
      expected400 = count;
    },
  };
}
