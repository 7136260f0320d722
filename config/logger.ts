import pino, { type Logger, type DestinationStream } from 'pino';

/** Every place a secret can sit in a log line we write. pino paths are exact, so list the depths. */
const SECRET_KEYS = [
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
}

export function createLogger({ level = 'info', name, destination }: LoggerOptions = {}): Logger {
  return pino(
    {
      level,
      name,
      redact: { paths: [...new Set(REDACT_PATHS)], censor: '[redacted]' },
      base: { pid: process.pid },
    },
    destination,
  );
}

export type { Logger };
