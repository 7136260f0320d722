import request from 'supertest';
import { startEngine, type Engine } from '../support/engine';
import { startTestSimulator, type SimulatorFixture } from '../support/simulator';

/** Helpers shared by the setup-screen suites (look-ups, mappings, settings). */
export interface SetupStack {
  engine: Engine;
  fx: SimulatorFixture;
}

export async function startSetupStack(label: string): Promise<SetupStack> {
  const [engine, fx] = await Promise.all([startEngine(label), startTestSimulator()]);
  return { engine, fx };
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
  customers: Array<{ customerId: string; name: string }>,
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
