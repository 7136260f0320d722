import { isPortFree } from './ports';

export interface StackPorts {
  temporal: number;
  temporalUi: number;
  ferretdb: number;
  simulator: number;
  api: number;
  apiMetrics: number;
  workerMetrics: number;
  workerSdkMetrics: number;
}

/** Fixed defaults (so bookmarks and the Temporal UI link keep working) and their overrides. */
export const PORT_SETTINGS: Record<
  keyof StackPorts,
  { envVar: string; port: number; what: string }
> = {
  temporal: { envVar: 'TEMPORAL_PORT', port: 7233, what: 'the Temporal dev server' },
  temporalUi: { envVar: 'TEMPORAL_UI_PORT', port: 8233, what: 'the Temporal web UI' },
  ferretdb: { envVar: 'FERRETDB_PORT', port: 27017, what: 'FerretDB' },
  simulator: { envVar: 'SIMULATOR_PORT', port: 4010, what: 'the ConnectWise simulator' },
  api: { envVar: 'PORT', port: 3000, what: 'the API' },
  apiMetrics: { envVar: 'API_METRICS_PORT', port: 9464, what: "the API's /metrics" },
  workerMetrics: { envVar: 'WORKER_METRICS_PORT', port: 9465, what: "the worker's /metrics" },
  workerSdkMetrics: {
    envVar: 'WORKER_SDK_METRICS_PORT',
    port: 9466,
    what: "the Temporal SDK's /metrics in the worker",
  },
};

const names = Object.keys(PORT_SETTINGS) as (keyof StackPorts)[];

function fromEnv(name: keyof StackPorts, env: NodeJS.ProcessEnv): number {
  const { envVar, port } = PORT_SETTINGS[name];
  const raw = env[envVar];
  if (raw === undefined || raw === '') return port;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${envVar}=${raw} is not a port number`);
  }
  return value;
}

/** For the dev stack: explicit ports win, then the env overrides, then the fixed defaults. */
export function resolvePorts(explicit: Partial<StackPorts>, env: NodeJS.ProcessEnv): StackPorts {
  return Object.fromEntries(
    names.map((name) => [name, explicit[name] ?? fromEnv(name, env)]),
  ) as unknown as StackPorts;
}

/** Fails early with a useful hint instead of a server's "address already in use" deep in its log. */
export async function assertPortsFree(
  ports: StackPorts,
  used: (keyof StackPorts)[],
): Promise<void> {
  const busy: string[] = [];
  for (const name of used) {
    if (!(await isPortFree(ports[name]))) {
      const { envVar, what } = PORT_SETTINGS[name];
      busy.push(`port ${ports[name]} for ${what} is in use (set ${envVar} to use another)`);
    }
  }
  if (busy.length) {
    throw new Error(
      `${busy.join('\n')}\nIs another local stack already running? Stop it first, or change the ports.`,
    );
  }
}
