import request from 'supertest';
import { startEngine, type Engine } from '../support/engine';
import { startTestSimulator, type SimulatorFixture } from '../support/simulator';

/** Helpers shared by the setup-screen suites (look-ups, mappings, settings). */
export interface SetupStack {
  engine: Engine;
  fx: SimulatorFixture;
}

export interface Customer {
  customerId: string;
  name: string;
}

export async function startSetupStack(
  label: string,
  env: NodeJS.ProcessEnv = {},
  options: { listen?: boolean } = {},
): Promise<SetupStack> {
  const [engine, fx] = await Promise.all([startEngine(label, env, options), startTestSimulator()]);
  return { engine, fx };
}

/** A suite's stack and partner p1's integration id; readable once `beforeAll` has run. */
export interface SetupSuite extends SetupStack {
  integrationId: string;
}

/**
 * Registers the hooks every setup-screen suite shares: one stack per file with partner p1's
 * integration (and `customers`, when given), the simulator reset after each test, and all of it
 * stopped at the end.
 */
export function useSetupStack(
  label: string,
  customers: Customer[] = [],
  /** Extra engine configuration (test/support/engine.ts). */
  env: NodeJS.ProcessEnv = {},
  options: { listen?: boolean } = {},
): SetupSuite {
  let stack: SetupStack | undefined;
  let integrationId: string | undefined;
  const started = () => {
    if (!stack || integrationId === undefined) throw new Error('setup stack not started');
    return { ...stack, integrationId };
  };
  beforeAll(async () => {
    stack = await startSetupStack(label, env, options);
    integrationId = await createIntegration(stack, 'p1');
    if (customers.length > 0) await pushCustomers(stack, 'p1', customers);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([stack?.engine.stop(), stack?.fx.sim.close()]);
  });
  afterEach(async () => {
    await started().fx.sim.admin.reset();
  });
  return {
    get engine() {
      return started().engine;
    },
    get fx() {
      return started().fx;
    },
    get integrationId() {
      return started().integrationId;
    },
  };
}

export const as = (token: string) => ({ Authorization: `Bearer ${token}` });
export const cwBase = (partnerId: string) => `/v1/partners/${partnerId}/connectwise`;

/** Creates the partner's integration through the API (the service token acts for any partner). */
export async function createIntegration(stack: SetupStack, partnerId: string): Promise<string> {
  const res = await request(stack.engine.app)
    .post(`${cwBase(partnerId)}/integration`)
    .set(as(stack.engine.tokens.service))
    .send(stack.fx.credentials);
  if (res.status !== 201)
    throw new Error(`create integration: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { id: string }).id;
}

export async function pushCustomers(
  stack: SetupStack,
  partnerId: string,
  customers: Customer[],
): Promise<void> {
  const res = await request(stack.engine.app)
    .put(`/v1/partners/${partnerId}/customers`)
    .set(as(stack.engine.tokens.service))
    .send({ customers });
  if (res.status !== 200) throw new Error(`push customers: ${res.status}`);
}

/** The field names of a 400 answer, sorted. */
export const fieldsOf = (body: { error?: { fields?: Array<{ field: string }> } }): string[] =>
  (body.error?.fields ?? []).map((f) => f.field).sort();

/** The message given for one field of a 400 answer. */
export const messageFor = (
  body: { error?: { fields?: Array<{ field: string; message: string }> } },
  field: string,
): string | undefined => body.error?.fields?.find((f) => f.field === field)?.message;

/** A GET of a partner's `connectwise/…` route with a token (p1's by default). */
export const getAs =
  (stack: SetupStack) =>
  (path: string, token = stack.engine.tokens.p1, partnerId = 'p1') =>
    request(stack.engine.app)
      .get(`${cwBase(partnerId)}${path}`)
      .set(as(token));

/** ConnectWise requests the engine sent to paths under `apis/3.0` starting with `prefix`. */
export async function cwCallsOf(stack: SetupStack, prefix: string) {
  const entries = await stack.fx.sim.admin.journal.list();
  return entries.filter((e) => e.template.startsWith(prefix));
}
