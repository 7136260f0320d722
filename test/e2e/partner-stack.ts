import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../config';
import { connectDatabase, createRepositories } from '../../db';
import { discardLines } from '../../dev/managed';
import { startStack, type Stack } from '../../dev/stack';
import { keyringFromConfig } from '../../security';
import { takeStackSlot } from '../support/stack-slot';
import type { SimulatorAdmin } from '../../simulator';
import { createDataConverter } from '../../temporal/data-converter';

/**
 * The real local stack (Temporal dev server, FerretDB, the simulator, and the worker and API as
 * processes of their own) with one partner of its own, connected to the simulator as a partner
 * would connect it: over HTTP, with a token an operator issued. What each e2e suite sets up on
 * top (billing, tickets) is its own.
 */
export interface PartnerStack {
  stack: Stack;
  sim: SimulatorAdmin;
  /** A client with the stack's key: workflow memos and results are encrypted. */
  temporal: Client;
  /** Calls `/v1/partners/<partner><path>` as the partner; a status of 300 or more throws. */
  call: (method: string, path: string, body?: unknown) => Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any -- untyped JSON, checked by the assertions
  stop(): Promise<void>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `probe` every `everyMs` until it answers something other than undefined; past the
 * deadline, throws naming `what` and the probe's last answer.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 30_000, everyMs = 200, last = (): unknown => undefined } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await probe();
    if (answer !== undefined) return answer;
    if (Date.now() > deadline) {
      const seen = last();
      throw new Error(
        `${what}: not within ${timeoutMs} ms${seen === undefined ? '' : `; last: ${JSON.stringify(seen)}`}`,
      );
    }
    await sleep(everyMs);
  }
}

const env = {
  ...process.env,
  MONGODB_URI: undefined,
  TEMPORAL_ADDRESS: undefined,
  ENCRYPTION_KEY: undefined,
  PORT: undefined,
  LOG_FORMAT: 'json',
  // The simulator answers at once: a create whose answer was lost is looked up again after 10 s.
  CW_WRITE_TIMEOUT_MS: '10000',
};

/**
 * Starts the stack, connects `partnerId` to its simulator, then runs `setUp` on it; if anything
 * fails on the way, everything started is stopped.
 */
export async function startPartnerStack<T>(
  partnerId: string,
  setUp: (p: PartnerStack) => Promise<T>,
  /** More environment for the stack's API and worker. */
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<T> {
  // One whole stack at a time across the run's workers (test/support/stack-slot.ts).
  const releaseSlot = await takeStackSlot();
  let stack: Stack;
  try {
    stack = await startStack({ ephemeral: true, env: { ...env, ...extraEnv }, log: discardLines });
  } catch (err) {
    releaseSlot();
    throw err;
  }
  let temporal: Client | undefined;
  const stop = async () => {
    try {
      await temporal?.connection.close();
      await stack.stop();
    } finally {
      releaseSlot();
    }
  };
  try {
    temporal = new Client({
      connection: await Connection.connect({ address: stack.temporalAddress }),
      dataConverter: createDataConverter(keyringFromConfig(loadConfig(stack.env))),
    });
    const call = await partnerCaller(stack, partnerId);
    const { origin, credentials } = stack.simulator;
    await call('POST', '/connectwise/integration', {
      site: origin,
      companyId: credentials.companyId,
      publicKey: credentials.publicKey,
      privateKey: credentials.privateKey,
    });
    return await setUp({ stack, sim: stack.simulator.admin, temporal, call, stop });
  } catch (err) {
    await stop();
    throw err;
  }
}

/** An operator issues the partner's token (as `npm run token -- create --partner …` does). */
async function partnerCaller(stack: Stack, partnerId: string): Promise<PartnerStack['call']> {
  const conn = await connectDatabase({ uri: stack.mongoUri });
  let token: string;
  try {
    const repos = await createRepositories(conn);
    token = (await repos.tokens.create({ kind: 'partner', partnerId, name: 'e2e' })).token;
  } finally {
    await conn.close();
  }
  return async (method, path, body) => {
    const res = await fetch(`${stack.apiUrl}/v1/partners/${partnerId}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON, checked by the assertions
    return (text ? JSON.parse(text) : undefined) as Record<string, any>;
  };
}
