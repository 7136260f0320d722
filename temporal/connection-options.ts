import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { ConfigError, type Config } from '../config';

export type TemporalConnectionSettings = Pick<
  Config,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CA_FILE'
  | 'TEMPORAL_TLS_CA'
  | 'TEMPORAL_TLS_CERT_FILE'
  | 'TEMPORAL_TLS_CERT'
  | 'TEMPORAL_TLS_KEY_FILE'
  | 'TEMPORAL_TLS_KEY'
  | 'TEMPORAL_TLS_SERVER_NAME'
  | 'TEMPORAL_API_KEY'
>;

/** What both the client's connection and the worker's native one take. */
export interface TemporalConnectionOptions {
  address: string;
  /** false, not left out: with an API key the SDK would otherwise turn TLS on. */
  tls: TLSConfig | false;
  apiKey?: string;
}

/**
 * How the API, the worker and the CLIs connect to Temporal: plain (the dev server), TLS (Temporal
 * Cloud, a cluster with its own CA), mutual TLS (a client certificate) and/or an API key. The PEM
 * files are read once, here, at start; one unreadable or not PEM stops the process with the
 * variable named, as a bad environment does. The key and the API key are never logged.
 */
export function temporalConnectionOptions(
  config: TemporalConnectionSettings,
  readFile: (path: string) => Buffer = (path) => readFileSync(path),
): TemporalConnectionOptions {
  const pem = (name: string, file: string | undefined, text: string | undefined) => {
    if (file === undefined && text === undefined) return undefined;
    let bytes: Buffer;
    try {
      bytes = file !== undefined ? readFile(file) : Buffer.from(text!, 'utf8');
    } catch (err) {
      const code = (err as { code?: string }).code ?? (err as Error).message;
      throw new ConfigError([`${name}_FILE: cannot read ${file} (${code})`]);
    }
    if (!bytes.toString('utf8').includes('-----BEGIN '))
      throw new ConfigError([`${file !== undefined ? `${name}_FILE` : name}: is not PEM`]);
    return bytes;
  };
  const ca = pem('TEMPORAL_TLS_CA', config.TEMPORAL_TLS_CA_FILE, config.TEMPORAL_TLS_CA);
  const crt = pem('TEMPORAL_TLS_CERT', config.TEMPORAL_TLS_CERT_FILE, config.TEMPORAL_TLS_CERT);
  const key = pem('TEMPORAL_TLS_KEY', config.TEMPORAL_TLS_KEY_FILE, config.TEMPORAL_TLS_KEY);
  const serverName = config.TEMPORAL_TLS_SERVER_NAME;
  const apiKey = config.TEMPORAL_API_KEY;
  const tlsOn =
    config.TEMPORAL_TLS ?? [ca, crt, serverName, apiKey].some((setting) => setting !== undefined);
  return {
    address: config.TEMPORAL_ADDRESS,
    tls: tlsOn
      ? {
          ...(serverName !== undefined ? { serverNameOverride: serverName } : {}),
          ...(ca ? { serverRootCACertificate: ca } : {}),
          ...(crt && key ? { clientCertPair: { crt, key } } : {}),
        }
      : false,
    ...(apiKey !== undefined ? { apiKey } : {}),
  };
}

/** How the connection is secured, in words safe to log (no key, no certificate). */
export function describeTemporalConnection(options: TemporalConnectionOptions): string {
  const parts = [
    options.tls ? 'TLS' : 'plain',
    ...(options.tls && options.tls.serverRootCACertificate ? ['own CA'] : []),
    ...(options.tls && options.tls.clientCertPair ? ['client certificate'] : []),
    ...(options.tls && options.tls.serverNameOverride
      ? [`server name ${options.tls.serverNameOverride}`]
      : []),
    ...(options.apiKey !== undefined ? ['API key'] : []),
  ];
  return `${options.address} (${parts.join(', ')})`;
}
