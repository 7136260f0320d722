import pino, { type Logger, type DestinationStream } from 'pino';

/**
 * The spellings of secret fields pino redacts in our log lines. pino's redact paths are literal
 * (fast-redact), so unlike the codec's redaction (security/redact.ts, which applies
 * `isSecretName` to every field at any depth) this catches only these spellings, at depths 0-3,
 * plus the request headers below. Every entry satisfies `isSecretName` (tested), so both agree
 * on these spellings; other spellings (`x_api_key`, `sessionToken`) and deeper fields are caught
 * only by the codec. Log secrets under one of these names.
 */
export const SECRET_KEYS = [
  'privateKey',
  'private_key',
  'secret',
  'clientSecret',
  'client_secret',
  'apiKey',
  'api_key',
  'authorization',
  'Authorization',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'password',
  'cookie',
  'encryptionKey',
  'ENCRYPTION_KEY',
  'ENCRYPTION_PREVIOUS_KEYS',
];

/** Request headers (lowercase, as Node gives them) that carry credentials. */
export const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'];

export const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]),
  ...SECRET_HEADERS.map((h) => `req.headers["${h}"]`),
];

export interface LoggerOptions {
  level?: string;
  name?: string;
  destination?: DestinationStream;
  format?: 'json' | 'pretty';
}

/** pino-pretty is a dev dependency: loaded only when asked for, so production images need not have it. */
function prettyStream(): DestinationStream {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pretty = require('pino-pretty') as (opts: object) => DestinationStream;
  return pretty({ singleLine: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l' });
}

export function createLogger({
  level = 'info',
  name,
  destination,
  format = 'json',
}: LoggerOptions = {}): Logger {
  return pino(
    {
      level,
      name,
      redact: { paths: [...new Set(REDACT_PATHS)], censor: '[redacted]' },
      base: { pid: process.pid },
    },
    destination ?? (format === 'pretty' ? prettyStream() : undefined),
  );
}

export type { Logger };
