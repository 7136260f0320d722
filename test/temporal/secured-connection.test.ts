import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../../config';
import { DEMO_CREDENTIALS } from '../../simulator';
import {
  describeTemporalConnection,
  temporalConnectionOptions,
  type TemporalConnectionOptions,
} from '../../temporal/connection-options';
import { startApiProcess } from '../support/api-process';
import { openTestDatabase } from '../support/db';
import { randomKey } from '../support/keys';
import { shared } from '../support/shared-env';
import {
  makeCertificates,
  startApiKeyProxy,
  startTlsProxy,
  type Certificates,
  type Proxy,
} from '../support/temporal-proxies';

/**
 * A secured Temporal (issue 20): the test's dev server behind a TLS proxy, a mutual-TLS proxy
 * that wants our client certificate, and a proxy that checks an API key. The engine connects from
 * configuration alone, over both of its transports: the client's (the API, the CLIs) and the
 * worker's native one.
 */
let dir: string;
let certs: Certificates;
let temporal: string;
const proxies: Proxy[] = [];

beforeAll(async () => {
  temporal = await shared('temporal');
  dir = mkdtempSync(join(tmpdir(), 'cw-temporal-tls-'));
  certs = makeCertificates(dir);
}, 60_000);

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  rmSync(dir, { recursive: true, force: true });
});

const proxy = async (started: Promise<Proxy>) => {
  const p = await started;
  proxies.push(p);
  return p;
};

/** The connection options the engine builds from these variables (loadConfig checks them too). */
const fromEnv = (env: Record<string, string>): TemporalConnectionOptions =>
  temporalConnectionOptions(
    loadConfig({
      ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      CW_CLIENT_ID: DEMO_CREDENTIALS.clientId,
      ...env,
    }),
  );

/** 'ok' when the connection `open` makes answers a call, else the error's message. */
async function answers(
  open: () => Promise<{ workflowService: Connection['workflowService']; close(): Promise<void> }>,
): Promise<string> {
  try {
    const connection = await open();
    try {
      await connection.workflowService.getSystemInfo({});
      return 'ok';
    } finally {
      await connection.close();
    }
  } catch (err) {
    return (err as Error).message;
  }
}

/** Whether each transport reaches the server with these options: 'ok', or its error. */
async function reach(
  options: TemporalConnectionOptions,
): Promise<{ client: string; worker: string }> {
  return {
    client: await answers(() => Connection.connect({ ...options, connectTimeout: 3_000 })),
    worker: await answers(() => NativeConnection.connect(options)),
  };
}

test('TLS with our CA and server name: both transports connect; plain or another CA does not', async () => {
  const tls = await proxy(startTlsProxy(temporal, certs, false));
  const options = fromEnv({
    TEMPORAL_ADDRESS: tls.address,
    TEMPORAL_TLS_CA_FILE: certs.caFile,
    TEMPORAL_TLS_SERVER_NAME: certs.serverName,
  });
  expect(options.tls).toBeDefined();
  expect(await reach(options)).toEqual({ client: 'ok', worker: 'ok' });

  const plain = await reach(fromEnv({ TEMPORAL_ADDRESS: tls.address }));
  expect(plain.client).not.toBe('ok');
  expect(plain.worker).not.toBe('ok');
  const otherCa = await reach(
    fromEnv({
      TEMPORAL_ADDRESS: tls.address,
      TEMPORAL_TLS_CA_FILE: certs.otherCaFile,
      TEMPORAL_TLS_SERVER_NAME: certs.serverName,
    }),
  );
  expect(otherCa.client).not.toBe('ok');
  expect(otherCa.worker).not.toBe('ok');
  expect(describeTemporalConnection(options)).toBe(
    `${tls.address} (TLS, own CA, server name ${certs.serverName})`,
  );
}, 60_000);

test('mutual TLS: with the client certificate (a file or PEM text) both connect; without, the proxy refuses', async () => {
  const mtls = await proxy(startTlsProxy(temporal, certs, true));
  const base = {
    TEMPORAL_ADDRESS: mtls.address,
    TEMPORAL_TLS_CA_FILE: certs.caFile,
    TEMPORAL_TLS_SERVER_NAME: certs.serverName,
  };
  expect(
    await reach(
      fromEnv({
        ...base,
        TEMPORAL_TLS_CERT_FILE: certs.clientCertFile,
        TEMPORAL_TLS_KEY_FILE: certs.clientKeyFile,
      }),
    ),
  ).toEqual({ client: 'ok', worker: 'ok' });
  expect(
    await reach(
      fromEnv({
        ...base,
        TEMPORAL_TLS_CERT: readFileSync(certs.clientCertFile, 'utf8'),
        TEMPORAL_TLS_KEY: readFileSync(certs.clientKeyFile, 'utf8'),
      }),
    ),
  ).toEqual({ client: 'ok', worker: 'ok' });

  const before = mtls.refused();
  const without = await reach(fromEnv(base));
  expect(without.client).not.toBe('ok');
  expect(without.worker).not.toBe('ok');
  expect(mtls.refused()).toBeGreaterThan(before);
}, 60_000);

test('an API key: sent, both transports pass the check; missing or wrong, refused as unauthenticated', async () => {
  const keyed = await proxy(startApiKeyProxy(temporal, 'tk_live_5ecret'));
  // The proxy is plaintext, so TLS is turned off explicitly (an API key alone turns it on).
  const options = fromEnv({
    TEMPORAL_ADDRESS: keyed.address,
    TEMPORAL_API_KEY: 'tk_live_5ecret',
    TEMPORAL_TLS: 'false',
  });
  expect(await reach(options)).toEqual({ client: 'ok', worker: 'ok' });
  expect(keyed.refused()).toBe(0);
  for (const env of <Array<Record<string, string>>>[
    { TEMPORAL_ADDRESS: keyed.address },
    { TEMPORAL_ADDRESS: keyed.address, TEMPORAL_API_KEY: 'tk_wrong', TEMPORAL_TLS: 'false' },
  ]) {
    const refused = await reach(fromEnv(env));
    expect(refused.client).not.toBe('ok');
    expect(refused.worker).not.toBe('ok');
  }
  // Each transport's attempts reached the proxy and were refused there (not a network error).
  expect(keyed.refused()).toBeGreaterThanOrEqual(4);
  expect(describeTemporalConnection(options)).toBe(`${keyed.address} (plain, API key)`);
  expect(fromEnv({ TEMPORAL_API_KEY: 'k' }).tls).toEqual({});
  expect(options.tls).toBe(false);
}, 60_000);

test('the API process reaches Temporal through mutual TLS from its environment, and logs no key', async () => {
  const mtls = await proxy(startTlsProxy(temporal, certs, true));
  const db = await openTestDatabase('secured-temporal');
  const api = await startApiProcess({
    MONGODB_URI: db.uri,
    ENCRYPTION_KEY: randomKey(),
    LOG_LEVEL: 'info',
    TEMPORAL_ADDRESS: mtls.address,
    TEMPORAL_TLS_CA_FILE: certs.caFile,
    TEMPORAL_TLS_SERVER_NAME: certs.serverName,
    TEMPORAL_TLS_CERT_FILE: certs.clientCertFile,
    TEMPORAL_TLS_KEY: readFileSync(certs.clientKeyFile, 'utf8'),
  });
  try {
    const ready = await fetch(`${api.url}/readyz`);
    const body = (await ready.json()) as { dependencies: Record<string, string> };
    expect(body.dependencies.temporal).toBe('ok');
    expect(ready.status).toBe(200);
    const key = readFileSync(certs.clientKeyFile, 'utf8');
    const keyLine = key.split('\n')[1]!;
    expect(api.output()).toContain('TLS, own CA, client certificate');
    expect(api.output()).not.toContain(keyLine);
  } finally {
    await api.stop('SIGTERM');
    await db.close();
  }
}, 60_000);

test('bad Temporal TLS settings stop the process with the variable named', () => {
  const load = (env: Record<string, string>) => () => fromEnv(env);
  expect(load({ TEMPORAL_TLS_CERT_FILE: certs.clientCertFile })).toThrow(
    'TEMPORAL_TLS_KEY_FILE: is required with TEMPORAL_TLS_CERT_FILE',
  );
  expect(load({ TEMPORAL_TLS_CA_FILE: join(dir, 'missing.pem') })).toThrow(
    /TEMPORAL_TLS_CA_FILE: cannot read .*missing\.pem \(ENOENT\)/,
  );
  expect(load({ TEMPORAL_TLS_CA: 'not a certificate' })).toThrow('TEMPORAL_TLS_CA: is not PEM');
  expect(load({ TEMPORAL_TLS_CA: 'x', TEMPORAL_TLS_CA_FILE: certs.caFile })).toThrow(
    'TEMPORAL_TLS_CA: set either it or TEMPORAL_TLS_CA_FILE, not both',
  );
  expect(load({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA_FILE: certs.caFile })).toThrow(ConfigError);
});
