/**
 * `npm run fuzz` (issue 20): Schemathesis against the local stack's `/v1` API, as the seeded demo
 * partner (its bearer token; `partnerId` bound to it, so requests reach real data rather than
 * 404s). Every response must be declared (status and schema), no 5xx, and each check Schemathesis
 * has (`--checks all`). Schemathesis comes from PyPI into a virtualenv in the tool cache, pinned.
 *
 * FUZZ_MAX_EXAMPLES (per operation and phase; default 100), FUZZ_PHASES (default
 * examples,coverage,fuzzing,stateful), FUZZ_SEED. Prints Schemathesis' own summary; the JUnit
 * report is written to FUZZ_REPORT_DIR (default .data/fuzz). Exits 1 when a check failed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { discardLines } from './managed';
import { startStack } from './stack';
import { cacheDir } from './tools';

export const SCHEMATHESIS_VERSION = '4.32.5';

/** The pinned Schemathesis CLI, installed on first use. */
export function ensureSchemathesis(): string {
  const dir = join(cacheDir(), `schemathesis-${SCHEMATHESIS_VERSION}`);
  const cli = join(dir, 'bin', 'st');
  if (existsSync(cli)) return cli;
  console.log(`installing Schemathesis ${SCHEMATHESIS_VERSION} from PyPI into ${dir}`);
  execFileSync('python3', ['-m', 'venv', dir], { stdio: 'inherit' });
  execFileSync(
    join(dir, 'bin', 'pip'),
    ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`],
    { stdio: 'inherit' },
  );
  return cli;
}

async function main(): Promise<void> {
  const cli = ensureSchemathesis();
  const reportDir = resolve(process.env.FUZZ_REPORT_DIR ?? join('.data', 'fuzz'));
  mkdirSync(reportDir, { recursive: true });
  console.log('starting the local stack (ephemeral)');
  const stack = await startStack({ ephemeral: true, log: discardLines });
  let code = 1;
  try {
    const { partnerId, token } = stack.demo;
    // The token reaches Schemathesis through its environment, never its command line.
    const config = join(reportDir, 'schemathesis.toml');
    writeFileSync(
      config,
      [
        'headers = { Authorization = "Bearer ${FUZZ_TOKEN}" }',
        '[parameters]',
        `"path.partnerId" = "${partnerId}"`,
        '',
      ].join('\n'),
    );
    const args = [
      '--config-file',
      config,
      'run',
      `${stack.apiUrl}/v1/openapi.json`,
      '--url',
      `${stack.apiUrl}/v1`,
      '--checks',
      'all',
      '--max-examples',
      process.env.FUZZ_MAX_EXAMPLES ?? '100',
      '--phases',
      process.env.FUZZ_PHASES ?? 'examples,coverage,fuzzing,stateful',
      '--report',
      'junit',
      '--report-dir',
      reportDir,
      '--workers',
      '2',
      ...(process.env.FUZZ_SEED ? ['--seed', process.env.FUZZ_SEED] : []),
    ];
    console.log(`st ${args.join(' ')}`);
    code = await new Promise<number>((done) => {
      const child = spawn(cli, args, {
        // Its example database (.schemathesis/) goes beside the report, not into the checkout.
        cwd: reportDir,
        stdio: 'inherit',
        env: { ...process.env, FUZZ_TOKEN: token },
      });
      child.once('exit', (status) => done(status ?? 1));
    });
  } finally {
    await stack.stop();
  }
  process.exitCode = code === 0 ? 0 : 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
