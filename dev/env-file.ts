import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseEnv } from 'node:util';

const HEADER =
  '# Written by dev/stack.ts for the local stack only. The key must stay the same between starts,\n' +
  '# or secrets already stored in .data/ can no longer be decrypted.\n';

/** Values generated once per data folder and reused on every later start. */
export interface DevEnv {
  ENCRYPTION_KEY: string;
}

function isKey(value: string | undefined): value is string {
  return value !== undefined && Buffer.from(value, 'base64').length === 32;
}

export const readDevEnv = (file: string): Record<string, string | undefined> =>
  existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};

/** Sets `values` in `file`, keeping the other lines' values. */
export function updateDevEnv(file: string, values: Record<string, string>): void {
  const merged = { ...readDevEnv(file), ...values };
  const body = Object.entries(merged)
    .map(([k, v]) => `${k}=${v ?? ''}`)
    .join('\n');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${HEADER}${body}\n`, { mode: 0o600 });
}

/** Reads `file` (KEY=value lines), adding what is missing, e.g. a random ENCRYPTION_KEY. */
export function loadOrCreateDevEnv(file: string): DevEnv {
  const existing = readDevEnv(file);
  if (isKey(existing.ENCRYPTION_KEY)) return { ENCRYPTION_KEY: existing.ENCRYPTION_KEY };
  const ENCRYPTION_KEY = randomBytes(32).toString('base64');
  updateDevEnv(file, { ENCRYPTION_KEY });
  return { ENCRYPTION_KEY };
}
