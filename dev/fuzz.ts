/**
 * `npm run fuzz` (issue 20): Schemathesis against the local stack's `/v1` API in two passes, and a
 * table of what the API answered (counted by the API's own request metric):
 *
 * - **own**: as the seeded demo partner (its bearer token; `partnerId` bound to it, a customer's
 *   path bound to a real customer), so requests reach real data rather than 404s. Every check
 *   Schemathesis has (`--checks all`): no 5xx, every status and body as declared, schema-valid
 *   requests accepted and invalid ones refused. The rules JSON Schema cannot state (keys named
 *   once, IANA zone names) are read from the document's `x-unique-keys` and `format` by the hooks
 *   in dev/fuzz/hooks.py, so only requests the API must accept are generated as valid.
 * - **foreign**: the same token on another partner's paths (the seeded `newmsp`): every answer
 *   must be 404 whatever exists there or is sent (405 for a method no route takes: the API's
 *   shape, the same for every partner).
 *
 * The operations whose valid requests the API may still refuse are listed in `EXTERNAL` with why:
 * each depends on something outside the request (ConnectWise, DNS), not on its shape.
 *
 * FUZZ_MAX_EXAMPLES (per operation and phase; default 250), FUZZ_PHASES (default
 * examples,coverage,fuzzing,stateful), FUZZ_SEED, FUZZ_MIN_REQUESTS (the own pass must make at
 * least this many; default 10,000 unless FUZZ_MAX_EXAMPLES is set). Schemathesis comes from PyPI into a virtualenv in the tool cache,
 * pinned; its JUnit reports go to FUZZ_REPORT_DIR (default .data/fuzz). Exits 1 when a check
 * failed or too few requests were made.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEMO_CUSTOMER_ID } from './demo-partner';
import { discardLines } from './managed';
import { startStack } from './stack';
import { cacheDir } from './tools';

export const SCHEMATHESIS_VERSION = '4.32.5';

/** Statuses Schemathesis counts as "accepted" for a valid request (its default list). */
const ACCEPTED = ['2xx', '3xx', '401', '403', '404', '409', '429', '5xx'];

/** Operations whose schema-valid requests may be refused for a reason outside the request. */
const EXTERNAL: Array<{ name: string; also: number[]; why: string }> = [
  {
    name: 'POST /partners/{partnerId}/connectwise/integration',
    also: [422],
    why: 'Test Connection must pass against the ConnectWise server the request names',
  },
  {
    name: 'PATCH /partners/{partnerId}/connectwise/integration',
    also: [422],
    why: 'Test Connection must pass with the changed credentials',
  },
  {
    name: 'PUT /partners/{partnerId}/connectwise/product-mappings',
    also: [400],
    why: 'each catalog item must exist in ConnectWise',
  },
  {
    name: 'POST /partners/{partnerId}/webhooks',
    also: [400],
    why: "the URL's host must resolve to public addresses only",
  },
  {
    name: 'PUT /partners/{partnerId}/customers/{customerId}/usage',
    also: [400],
    why: 'each sku must be a product pushed with PUT …/products',
  },
];

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

interface Pass {
  name: 'own' | 'foreign';
  partnerId: string;
}

/** The pass's schemathesis.toml: the token from the environment, never the command line. */
function configOf(pass: Pass): string {
  const lines = [
    'headers = { Authorization = "Bearer ${FUZZ_TOKEN}" }',
    '[parameters]',
    `"path.partnerId" = "${pass.partnerId}"`,
    `"path.customerId" = "${DEMO_CUSTOMER_ID}"`,
  ];
  if (pass.name === 'own')
    for (const op of EXTERNAL)
      lines.push(
        '',
        `# ${op.why}`,
        '[[operations]]',
        `include-name = "${op.name}"`,
        `checks.positive_data_acceptance.expected-statuses = ${JSON.stringify([...ACCEPTED, ...op.also.map(String)])}`,
      );
  return `${lines.join('\n')}\n`;
}

/** The API's answers so far by status, from its own request counter (Prometheus text). */
async function answersByStatus(metricsUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^cw_engine_http_requests_total\{([^}]*)\} (\d+)/.exec(line);
    // Not the probes, nor the document Schemathesis loads: the requests it generated.
    if (!m || /route="\/(healthz|readyz|v1\/openapi\.json)"/.test(m[1]!)) continue;
    const status = /status="(\d+)"/.exec(m[1]!)?.[1] ?? '?';
    counts.set(status, (counts.get(status) ?? 0) + Number(m[2]));
  }
  return counts;
}

const difference = (after: Map<string, number>, before: Map<string, number>) =>
  new Map(
    [...after]
      .map(([status, n]) => [status, n - (before.get(status) ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

async function runPass(
  cli: string,
  pass: Pass,
  target: { apiUrl: string; token: string; metricsUrl: string },
  reportDir: string,
): Promise<{ code: number; answers: Map<string, number> }> {
  const dir = join(reportDir, pass.name);
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'schemathesis.toml');
  writeFileSync(config, configOf(pass));
  const args = [
    '--config-file',
    config,
    'run',
    `${target.apiUrl}/v1/openapi.json`,
    '--url',
    `${target.apiUrl}/v1`,
    '--checks',
    'all',
    '--max-examples',
    process.env.FUZZ_MAX_EXAMPLES ?? '250',
    '--phases',
    process.env.FUZZ_PHASES ?? 'examples,coverage,fuzzing,stateful',
    '--report',
    'junit',
    '--report-dir',
    dir,
    '--workers',
    '2',
    ...(process.env.FUZZ_SEED ? ['--seed', process.env.FUZZ_SEED] : []),
  ];
  console.log(`\n${pass.name} pass (partnerId ${pass.partnerId}): st ${args.join(' ')}`);
  const before = await answersByStatus(target.metricsUrl);
  const code = await new Promise<number>((done) => {
    const child = spawn(cli, args, {
      // Its example database (.schemathesis/) goes beside the report, not into the checkout.
      cwd: dir,
      stdio: 'inherit',
      env: {
        ...process.env,
        FUZZ_TOKEN: target.token,
        PYTHONPATH: resolve(__dirname, 'fuzz'),
        SCHEMATHESIS_HOOKS: 'hooks',
        ...(pass.name === 'foreign' ? { FUZZ_FOREIGN_PARTNER: '1' } : {}),
      },
    });
    child.once('exit', (status) => done(status ?? 1));
  });
  return { code, answers: difference(await answersByStatus(target.metricsUrl), before) };
}

async function main(): Promise<void> {
  const cli = ensureSchemathesis();
  const reportDir = resolve(process.env.FUZZ_REPORT_DIR ?? join('.data', 'fuzz'));
  const minRequests = Number(
    process.env.FUZZ_MIN_REQUESTS ?? (process.env.FUZZ_MAX_EXAMPLES ? 0 : 10_000),
  );
  console.log('starting the local stack (ephemeral)');
  const stack = await startStack({ ephemeral: true, metrics: true, log: discardLines });
  const rows: string[][] = [];
  let failed = false;
  try {
    const target = {
      apiUrl: stack.apiUrl,
      token: stack.demo.token,
      metricsUrl: stack.metricsUrls!.api,
    };
    for (const pass of [
      { name: 'own', partnerId: stack.demo.partnerId },
      { name: 'foreign', partnerId: stack.fresh.partnerId },
    ] as const) {
      const { code, answers } = await runPass(cli, pass, target, reportDir);
      const total = [...answers.values()].reduce((a, b) => a + b, 0);
      const serverErrors = [...answers].filter(([s]) => s.startsWith('5')).length;
      const enough = pass.name !== 'own' || total >= minRequests;
      failed ||= code !== 0 || serverErrors > 0 || !enough;
      rows.push([
        pass.name,
        String(total),
        [...answers].map(([s, n]) => `${s}: ${n}`).join(', '),
        code === 0 ? 'pass' : 'FAIL',
        enough ? '' : `fewer than ${minRequests} requests`,
      ]);
    }
  } finally {
    await stack.stop();
  }
  console.log('\n| pass | requests answered | by status | Schemathesis checks | |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  process.exitCode = failed ? 1 : 0;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
