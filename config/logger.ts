import pino, { type Logger, type DestinationStream } from 'pino';

/** Every place a secret can sit in a log line we write. pino paths are exact, so list the depths. */
export const SECRET_KEYS = [
  'privateKey',
  'authorization',
  'Authorization',
  'token',
  'password',
  'cookie',
  'encryptionKey',
  'ENCRYPTION_KEY',
];
export const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [
  k,
  `*.${k}`,
  `*.*.${k}`,
  `*.*.*.${k}`,
  `req.headers.${k.toLowerCase()}`,
]);

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
