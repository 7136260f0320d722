import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../dev/ports';
import { DEMO_CREDENTIALS } from '../../simulator';

const root = join(__dirname, '..', '..');

export interface ApiProcess {
  url: string;
  /** The process started (tsx, which passes signals on to the API's node process). */
  pid: number | undefined;
  /** What the process wrote (stdout and stderr), for failure messages. */
  output(): string;
  /** Stops it with `signal` (SIGTERM: its graceful shutdown) and resolves when it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Resolves with the exit code (null when a signal ended it) once the process has exited. */
  exited: Promise<number | null>;
}

/** The environment without any OTEL_* variable of the machine running the tests. */
export const withoutOtel = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')));

/**
 * The API as production starts it (`api/main.ts` in a process of its own, tsx for the build), on
 * a free loopback port; resolves once /healthz answers. `env` adds to a minimal valid one (no
 * OTEL_* of the machine's); MONGODB_URI is required.
 */
export async function startApiProcess(
  env: NodeJS.ProcessEnv & { MONGODB_URI: string },
): Promise<ApiProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['api/main.ts'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...withoutOtel(),
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      CW_CLIENT_ID: DEMO_CREDENTIALS.clientId,
      CW_ALLOW_PRIVATE_HOSTS: 'true',
      // Unless given: never reached, and the requests that need Temporal fail fast.
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      ...env,
      PORT: String(port),
    },
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr])
    stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const stop = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`the API did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid,
    output: () => output,
    stop: async (signal) => {
      await stop(signal);
    },
    exited,
  };
}
