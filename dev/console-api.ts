import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The console is typed against the engine's own OpenAPI document: console/src/api/schema.d.ts is
 * what openapi-typescript makes of the document `/v1/openapi.json` serves. test/api/console-api.test.ts
 * fails when it differs from what the engine serves now; run that test with UPDATE_CONSOLE_API=1 to
 * write it again (then the console's typecheck shows what the change broke).
 */
const root = join(__dirname, '..');
export const SCHEMA_FILE = join(root, 'console', 'src', 'api', 'schema.d.ts');

/** The types of `document`, by openapi-typescript's own CLI (the package is ESM-only). */
export function schemaText(document: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'console-api-'));
  try {
    const input = join(dir, 'openapi.json');
    const output = join(dir, 'schema.d.ts');
    writeFileSync(input, JSON.stringify(document));
    execFileSync(
      process.execPath,
      [join(root, 'node_modules', 'openapi-typescript', 'bin', 'cli.js'), input, '-o', output],
      { stdio: 'pipe' },
    );
    return readFileSync(output, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const committedSchema = () => readFileSync(SCHEMA_FILE, 'utf8');

export function writeSchema(document: unknown): void {
  writeFileSync(SCHEMA_FILE, schemaText(document));
}
