import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateDevEnv } from '../../dev/env-file';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cw-env-file-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadOrCreateDevEnv', () => {
  it('creates a private file with a random 32-byte key, then keeps returning that key', () => {
    const file = join(dir, 'sub', 'dev.env');
    const first = loadOrCreateDevEnv(file);
    expect(Buffer.from(first.ENCRYPTION_KEY, 'base64')).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateDevEnv(file)).toEqual(first);
    expect(loadOrCreateDevEnv(join(dir, 'other.env')).ENCRYPTION_KEY).not.toBe(
      first.ENCRYPTION_KEY,
    );
  });

  it('replaces an unusable key and keeps the other lines', () => {
    const file = join(dir, 'dev.env');
    writeFileSync(file, 'KEEP_ME=yes\nENCRYPTION_KEY=too-short\n');
    const { ENCRYPTION_KEY } = loadOrCreateDevEnv(file);
    expect(ENCRYPTION_KEY).not.toBe('too-short');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('KEEP_ME=yes');
    expect(text).toContain(`ENCRYPTION_KEY=${ENCRYPTION_KEY}`);
  });
});
