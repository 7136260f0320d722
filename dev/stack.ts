/**
 * The whole local stack: Temporal dev server, FerretDB, the ConnectWise simulator, the worker and
 * the API. `npm run dev` runs it on fixed ports with data in .data/; tests call startStack with
 * `ephemeral: true` (free ports, temporary data).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_CREDENTIALS, startSimulator, type SimulatorHandle } from '../simulator';
import { seedDemoPartner, type SeededPartner } from './demo-partner';
import { loadOrCreateDevEnv } from './env-file';
import {
  describeExit,
  onShutdownSignal,
  printLine,
  spawnManaged,
  stopAll,
  type LineSink,
  type ManagedProcess,
} from './managed';
import { formatFailure, formatReadyBanner } from './print';
import { reservePort } from './ports';
import { startFerretDb, startTemporalDevServer } from './processes';
import { configSchema } from '../config/schema';
import {
  temporalConnectionOptions,
  type TemporalConnectionOptions,
} from '../temporal/connection-options';
import { apiReadyAs, enginePolling } from './probes';
import { assertPortsFree, resolvePorts, type StackPorts } from './stack-ports';
import { PartError, waitUntil } from './wait';
import { WORKER_NODE_ARGS } from '../worker/node-args';

export const REPO_ROOT = resolve(__dirname, '..');
const HOST = '127.0.0.1';

export interface StackOptions {
  /** Free ports and a temporary data folder that stop() deletes (for tests). */
  ephemeral?: boolean;
  /**
   * Serve the API's and the worker's /metrics (default: the dev stack does, an ephemeral one
   * does not: ports picked before its processes bind them may be taken by tests in parallel).
   */
  metrics?: boolean;
  /** Default: <repo>/.data, or a new temporary folder when ephemeral. */
  dataDir?: string;
  ports?: Partial<StackPorts>;
  /**
   * Read for MONGODB_URI / TEMPORAL_ADDRESS (set: use that server, start none), the port
   * overrides, ENCRYPTION_KEY, LOG_LEVEL…; passed on to the worker and API. Default: process.env.
   */
  env?: NodeJS.ProcessEnv;
  /** Output lines of every part; default: stdout with a name prefix. */
  log?: LineSink;
  /** Per part. */
  readyTimeoutMs?: number;
  /** Entry files, relative to the repository root. */
  entries?: { worker?: string; api?: string };
}

/** A worker process of the stack. */
export interface WorkerProcess {
  /** Its Temporal identity is the SDK's default, `<pid>@<hostname>`. */
  readonly pid: number | undefined;
  /**
   * Ends it with `signal` (default SIGKILL: a crash, no graceful shutdown) and resolves once it
   * has exited. Nothing starts another (restartWorker does, for the stack's own worker).
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** The servers the stack can stop and start again. */
export type RestartableServer = 'ferretdb' | 'temporal';

export interface Stack {
  apiUrl: string;
  /** The API process's id (a benchmark reads its memory). */
  apiPid: number | undefined;
  /** Prometheus endpoints: the API's, the worker's (the engine's metrics), the Temporal SDK's. */
  metricsUrls: { api: string; worker: string; workerSdk: string } | undefined;
  apiDocsUrl: string;
  temporalAddress: string;
  temporalNamespace: string;
  taskQueue: string;
  /** Undefined when TEMPORAL_ADDRESS pointed at a server the stack did not start. */
  temporalUiUrl: string | undefined;
  mongoUri: string;
  simulator: SimulatorHandle & { credentials: typeof DEMO_CREDENTIALS };
  dataDir: string;
  /** What the worker and API were given. */
  env: NodeJS.ProcessEnv;
  /** The seeded demo partner (connected, mapped, billing on) and its bearer token. */
  demo: SeededPartner;
  /** A partner with vendor data only (no integration): the console's whole setup from scratch. */
  fresh: SeededPartner;
  /** Resolves if a part exits while the stack runs (not during stop or a worker restart). */
  failed: Promise<PartError>;
  /**
   * Ends the worker process with `signal` (default SIGKILL: a crash, no graceful shutdown), starts
   * a new one, and resolves once it polls both task queues again.
   */
  restartWorker(signal?: NodeJS.Signals): Promise<void>;
  /** The worker process the stack started (a new one after each restartWorker). */
  worker(): WorkerProcess;
  /**
   * Starts one more worker process on the same task queues (without metrics listeners, whose
   * ports are the first one's), and resolves once it polls them. stop() ends it with the rest.
   */
  startWorker(): Promise<WorkerProcess>;
  /**
   * Stops a server the stack started (FerretDB with its PostgreSQL, or the Temporal dev server);
   * `graceMs` bounds how long it may take before it is killed (default: as stop() does; 0: a
   * crash). The worker and API are left running: they reconnect by themselves once startServer is
   * done.
   */
  stopServer(server: RestartableServer, graceMs?: number): Promise<void>;
  /** Starts a stopped server again on the same port over the same data; resolves once it answers. */
  startServer(server: RestartableServer): Promise<void>;
  stop(): Promise<void>;
}

interface Part {
  name: string;
  stop(): Promise<void>;
  process?: ManagedProcess;
}

/** Starts the promised parts together; if any fails, stops those that did start. */
async function startTogether<T extends Part[]>(
  starts: { [K in keyof T]: Promise<T[K]> },
  started: Part[],
): Promise<T> {
  const results = await Promise.allSettled(starts);
  for (const r of results) if (r.status === 'fulfilled') started.push(r.value);
  const failure = results.find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((r) => (r as PromiseFulfilledResult<Part>).value) as T;
}

/** A server the user runs (MONGODB_URI / TEMPORAL_ADDRESS set): used, never stopped. */
function external<T extends object>(name: string, fields: T): Part & T {
  return { name, stop: () => Promise.resolve(), ...fields };
}

type SimulatorPart = Part & { simulator: SimulatorHandle };

async function startSimulatorPart(port: number): Promise<SimulatorPart> {
  const simulator = await startSimulator({ port, host: HOST });
  return { name: 'simulator', simulator, stop: async () => void (await simulator.close()) };
}

async function stopParts(parts: Part[]): Promise<void> {
  // Apps first, while the servers they drain into are still up; then everything else.
  const apps = parts.filter((p) => p.name === 'api' || p.name.startsWith('worker'));
  const rest = parts.filter((p) => !apps.includes(p));
  await Promise.allSettled(apps.map((p) => p.stop()));
  await Promise.allSettled(rest.map((p) => p.stop()));
}

function spawnApp(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  log: LineSink,
  nodeArgs: readonly string[] = [],
): Part & { process: ManagedProcess } {
  // `node --import tsx` rather than `npx tsx`: one process, so our signals reach it directly.
  const child = spawnManaged(name, process.execPath, [...nodeArgs, '--import', 'tsx', entry], env, {
    cwd: REPO_ROOT,
    log,
  });
  return {
    name,
    process: child,
    stop: async () => {
      await child.stop();
    },
  };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const baseEnv = options.env ?? process.env;
  const ephemeral = options.ephemeral ?? false;
  const log = options.log ?? printLine;
  const timeoutMs = options.readyTimeoutMs;
  const dataDir = resolve(
    options.dataDir ??
      (ephemeral ? mkdtempSync(join(tmpdir(), 'cw-stack-')) : join(REPO_ROOT, '.data')),
  );
  const removeData = ephemeral && !options.dataDir;
  const externalTemporal = baseEnv.TEMPORAL_ADDRESS || undefined;
  const externalMongo = baseEnv.MONGODB_URI || undefined;
  const namespace = baseEnv.TEMPORAL_NAMESPACE || 'default';
  const taskQueue = baseEnv.TEMPORAL_TASK_QUEUE || 'cw-integration';
  const interactiveTaskQueue = baseEnv.TEMPORAL_INTERACTIVE_TASK_QUEUE || 'cw-interactive';
  const ticketTaskQueue = baseEnv.TEMPORAL_TICKET_TASK_QUEUE || 'cw-tickets';

  // Ephemeral stacks take a free port per part only as it starts (tests run in parallel, so a
  // port picked early may be taken by the time it is bound); the dev stack uses fixed ports.
  const fixed = ephemeral ? undefined : resolvePorts(options.ports ?? {}, baseEnv);
  const ports: Partial<StackPorts> = fixed ?? options.ports ?? {};
  if (fixed) {
    await assertPortsFree(fixed, [
      ...(externalTemporal ? [] : (['temporal', 'temporalUi'] as const)),
      ...(externalMongo ? [] : (['ferretdb'] as const)),
      'simulator',
      'api',
      'apiMetrics',
      'workerMetrics',
      'workerSdkMetrics',
    ]);
  }

  // Known before Temporal starts: its web UI is pointed at the API's codec endpoint.
  const reserved = ports.api === undefined ? await reservePort() : undefined;
  const apiPort = ports.api ?? reserved!.port;
  // Names our API in its /readyz answer: another stack's API on this port must not pass for ours.
  const apiInstance = `stack-api-${randomUUID()}`;
  const apiUrl = `http://${HOST}:${apiPort}`;
  const metricsOn = options.metrics ?? !ephemeral;
  // Held like the API's until their process starts: the worker binds them seconds from now.
  const held = metricsOn
    ? await Promise.all(
        (['apiMetrics', 'workerMetrics', 'workerSdkMetrics'] as const).map((name) =>
          ports[name] === undefined ? reservePort() : Promise.resolve(undefined),
        ),
      )
    : [];
  const [apiMetrics, workerMetrics, workerSdkMetrics] = (
    ['apiMetrics', 'workerMetrics', 'workerSdkMetrics'] as const
  ).map((name, i) => ports[name] ?? held[i]?.port);
  const releaseHeld = async (which: number[]) => {
    for (const i of which) await held[i]?.release();
  };
  const metricsUrls = metricsOn
    ? {
        api: `http://${HOST}:${apiMetrics}/metrics`,
        worker: `http://${HOST}:${workerMetrics}/metrics`,
        workerSdk: `http://${HOST}:${workerSdkMetrics}/metrics`,
      }
    : undefined;

  const started: Part[] = [];
  const cleanUp = async () => {
    await reserved?.release();
    await releaseHeld([0, 1, 2]);
    await stopParts(started);
    if (removeData) rmSync(dataDir, { recursive: true, force: true });
  };
  // The servers' data is in dataDir, so startServer starts them again over the same state.
  const startTemporalPart = (port = ports.temporal, uiPort = ports.temporalUi) =>
    startTemporalDevServer({
      dbFile: join(dataDir, 'temporal.db'),
      port,
      uiPort,
      uiCodecEndpoint: `${apiUrl}/codec`,
      namespace,
      log,
      readyTimeoutMs: timeoutMs,
      env: baseEnv,
    }).then((s) => ({ ...s, name: 'temporal' }));
  const startFerretDbPart = (port = ports.ferretdb) =>
    startFerretDb({
      dataDir: join(dataDir, 'ferretdb'),
      // A temporary stack's data is thrown away: no fsync.
      ephemeral: removeData,
      port,
      log,
      readyTimeoutMs: timeoutMs,
      env: baseEnv,
    }).then((s) => ({ ...s, name: 'ferretdb' }));
  try {
    const [temporal, mongo, simulator] = await startTogether<
      [
        Part & { address: string; uiUrl: string | undefined; port?: number; uiPort?: number },
        Part & { uri: string; port?: number },
        SimulatorPart,
      ]
    >(
      [
        externalTemporal
          ? Promise.resolve(external('temporal', { address: externalTemporal, uiUrl: undefined }))
          : startTemporalPart(),
        externalMongo
          ? Promise.resolve(external('ferretdb', { uri: externalMongo }))
          : startFerretDbPart(),
        startSimulatorPart(ports.simulator ?? 0),
      ],
      started,
    );

    const devEnvFile = join(dataDir, 'dev.env');
    const { ENCRYPTION_KEY } = loadOrCreateDevEnv(devEnvFile);
    const env: NodeJS.ProcessEnv = {
      ...baseEnv,
      NODE_ENV: baseEnv.NODE_ENV || 'development',
      HOST,
      PORT: String(apiPort),
      ...(metricsOn
        ? {
            API_METRICS_PORT: String(apiMetrics),
            WORKER_METRICS_PORT: String(workerMetrics),
            WORKER_SDK_METRICS_PORT: String(workerSdkMetrics),
          }
        : {}),
      MONGODB_URI: mongo.uri,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_INTERACTIVE_TASK_QUEUE: interactiveTaskQueue,
      TEMPORAL_TICKET_TASK_QUEUE: ticketTaskQueue,
      ENCRYPTION_KEY: baseEnv.ENCRYPTION_KEY || ENCRYPTION_KEY,
      CW_CLIENT_ID: DEMO_CREDENTIALS.clientId,
      CW_ALLOW_PRIVATE_HOSTS: 'true',
      LOG_FORMAT: baseEnv.LOG_FORMAT || 'pretty',
      // The hosted tab: ConnectWise (the simulator) frames the API itself, which redirects to the
      // console's customer page, the local stand-in for the vendor console's.
      PUBLIC_BASE_URL: baseEnv.PUBLIC_BASE_URL || apiUrl,
      VENDOR_CONSOLE_CUSTOMER_URL:
        baseEnv.VENDOR_CONSOLE_CUSTOMER_URL || `${apiUrl}/console/customers/{customerId}`,
      ...(temporal.uiUrl
        ? { TEMPORAL_UI_CODEC_ORIGINS: temporal.uiUrl, TEMPORAL_UI_URL: temporal.uiUrl }
        : {}),
    };
    // Connected to the simulator, customers mapped, billing on: the first Synchronize bills.
    const { demo, fresh } = await seedDemoPartner(mongo.uri, devEnvFile, {
      site: simulator.simulator.origin,
      credentials: DEMO_CREDENTIALS,
      env,
      log: (line) => log('demo', line),
    });
    await releaseHeld([1, 2]);
    const worker = spawnApp(
      'worker',
      options.entries?.worker ?? 'worker/main.ts',
      env,
      log,
      WORKER_NODE_ARGS,
    );
    await reserved?.release();
    await releaseHeld([0]);
    const api = spawnApp(
      'api',
      options.entries?.api ?? 'api/main.ts',
      { ...env, INSTANCE_ID: apiInstance },
      log,
    );
    started.push(worker, api);
    // With `identity`, that worker: a second one polls beside the first.
    const polling = (part: Part & { process: ManagedProcess }, identity?: string) =>
      waitUntil(
        () =>
          enginePolling(
            externalTemporal ? externalTemporalOptions(baseEnv) : temporal.address,
            namespace,
            { taskQueue, interactiveTaskQueue, ticketTaskQueue },
            part.process.startedAt,
            identity,
          ),
        {
          what: `a worker polling task queues ${taskQueue}, ${interactiveTaskQueue} and ${ticketTaskQueue}`,
          timeoutMs: timeoutMs ?? 120_000,
          process: part.process,
        },
      );
    await Promise.all([
      polling(worker),
      waitUntil(() => apiReadyAs(apiUrl, apiInstance), {
        what: `the API at ${apiUrl}/readyz`,
        timeoutMs: timeoutMs ?? 120_000,
        process: api.process,
      }),
    ]);

    let stopping: Promise<void> | undefined;
    const replaced = new Set<ManagedProcess>();
    let resolveFailed: (failure: PartError) => void = () => undefined;
    const failed = new Promise<PartError>((resolve) => (resolveFailed = resolve));
    const watch = (child: ManagedProcess) => {
      void child.exited.then((info) => {
        if (stopping || replaced.has(child)) return;
        const message = `${child.name} ${describeExit(info)} while the stack was running`;
        resolveFailed(new PartError(message, child.name, child.recentOutput()));
      });
    };
    for (const part of started) if (part.process) watch(part.process);
    const kill = async (child: ManagedProcess, signal: NodeJS.Signals) => {
      replaced.add(child);
      try {
        // The whole process group, as managed.ts stops it; already gone is fine.
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // ESRCH: it had exited.
      }
      await child.exited;
    };
    const workerProcess = (child: ManagedProcess): WorkerProcess => ({
      pid: child.pid,
      kill: (signal = 'SIGKILL') => kill(child, signal),
    });
    let currentWorker = worker;
    const restartWorker = async (signal: NodeJS.Signals = 'SIGKILL') => {
      await kill(currentWorker.process, signal);
      const next = spawnApp(
        'worker',
        options.entries?.worker ?? 'worker/main.ts',
        env,
        log,
        WORKER_NODE_ARGS,
      );
      started.splice(started.indexOf(currentWorker), 1, next);
      currentWorker = next;
      watch(next.process);
      await polling(next);
    };
    let workersStarted = 1;
    const startWorker = async () => {
      const next = spawnApp(
        `worker-${++workersStarted}`,
        options.entries?.worker ?? 'worker/main.ts',
        { ...env, WORKER_METRICS_PORT: undefined, WORKER_SDK_METRICS_PORT: undefined },
        log,
        WORKER_NODE_ARGS,
      );
      started.push(next);
      watch(next.process);
      await polling(next, `${String(next.process.pid)}@${hostname()}`);
      return workerProcess(next.process);
    };
    const stoppedServers = new Map<RestartableServer, Part>();
    const stopServer = async (server: RestartableServer, graceMs?: number) => {
      const part = started.find((p) => p.name === server);
      if (!part?.process || stoppedServers.has(server))
        throw new Error(`${server} is not running as a part of the stack: it cannot be stopped`);
      stoppedServers.set(server, part);
      replaced.add(part.process);
      if (graceMs !== undefined) await part.process.stop(graceMs);
      // The rest of it (FerretDB's PostgreSQL); the process itself is stopped once.
      await part.stop();
    };
    const startServer = async (server: RestartableServer) => {
      const part = stoppedServers.get(server);
      if (!part) throw new Error(`${server} was not stopped by stopServer`);
      const next =
        server === 'temporal'
          ? await startTemporalPart(temporal.port, temporal.uiPort)
          : await startFerretDbPart(mongo.port);
      started.splice(started.indexOf(part), 1, next);
      stoppedServers.delete(server);
      watch(next.process);
    };
    return {
      apiUrl,
      apiPid: api.process.pid,
      metricsUrls,
      apiDocsUrl: `${apiUrl}/v1/docs`,
      temporalAddress: temporal.address,
      temporalNamespace: namespace,
      taskQueue,
      temporalUiUrl: temporal.uiUrl,
      mongoUri: mongo.uri,
      simulator: Object.assign(simulator.simulator, { credentials: DEMO_CREDENTIALS }),
      dataDir,
      env,
      demo,
      fresh,
      failed,
      restartWorker,
      worker: () => workerProcess(currentWorker.process),
      startWorker,
      stopServer,
      startServer,
      stop: () => (stopping ??= cleanUp()),
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { ephemeral: { type: 'boolean', default: false } } });
  let stack: Stack | undefined;
  let interrupted = false;
  // Registered before starting, so Ctrl-C during startup also stops what is already running.
  onShutdownSignal(async () => {
    interrupted = true;
    console.log('\nStopping the local stack…');
    await (stack ? stack.stop() : stopAll());
    console.log('Stopped.');
  });
  try {
    stack = await startStack({ ephemeral: values.ephemeral });
  } catch (err) {
    // A part killed by our own Ctrl-C handling is not a failure worth reporting.
    if (!interrupted) console.error(formatFailure(err));
    process.exitCode = 1;
    return;
  }
  console.log(formatReadyBanner(stack, REPO_ROOT, values.ephemeral));
  const failure = await stack.failed;
  console.error(formatFailure(failure));
  await stack.stop();
  process.exit(1);
}

if (require.main === module) void main();

/**
 * A Temporal the user runs (TEMPORAL_ADDRESS set) may be secured: probed as the engine connects
 * to it, with the same TEMPORAL_TLS_* and TEMPORAL_API_KEY settings.
 */
function externalTemporalOptions(env: NodeJS.ProcessEnv): TemporalConnectionOptions {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const settings = configSchema
    .pick({
      TEMPORAL_ADDRESS: true,
      TEMPORAL_TLS: true,
      TEMPORAL_TLS_CA_FILE: true,
      TEMPORAL_TLS_CA: true,
      TEMPORAL_TLS_CERT_FILE: true,
      TEMPORAL_TLS_CERT: true,
      TEMPORAL_TLS_KEY_FILE: true,
      TEMPORAL_TLS_KEY: true,
      TEMPORAL_TLS_SERVER_NAME: true,
      TEMPORAL_API_KEY: true,
    })
    .parse(present);
  return temporalConnectionOptions(settings);
}
