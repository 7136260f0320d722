import {
  DEMO_CREDENTIALS,
  startSimulator,
  type SimulatorHandle,
  type SimulatorSeed,
} from '../../simulator';

export const API_VERSION = '2025.8';

export function basicAuth(companyId: string, publicKey: string, privateKey: string): string {
  return `Basic ${Buffer.from(`${companyId}+${publicKey}:${privateKey}`).toString('base64')}`;
}

export const DEMO_HEADERS: Record<string, string> = {
  Authorization: basicAuth(
    DEMO_CREDENTIALS.companyId,
    DEMO_CREDENTIALS.publicKey,
    DEMO_CREDENTIALS.privateKey,
  ),
  clientId: DEMO_CREDENTIALS.clientId,
  Accept: `application/vnd.connectwise.com+json; version=${API_VERSION}`,
};

export interface CwResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface Cw {
  sim: SimulatorHandle;
  base: string;
  get<T = unknown>(path: string, headers?: Record<string, string>): Promise<CwResponse<T>>;
  send<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<CwResponse<T>>;
}

/** A client over plain fetch against the simulator, with the demo credentials by default. */
export function client(sim: SimulatorHandle, codebase = 'v2025_1/'): Cw {
  const base = `${sim.origin}/${codebase}apis/3.0`;
  async function send<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const url = /^https?:/.test(path) ? path : `${base}${path}`;
    const res = await fetch(url, {
      method,
      headers: {
        ...DEMO_HEADERS,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: (text ? JSON.parse(text) : undefined) as T,
    };
  }
  return {
    sim,
    base,
    get: (path, headers) => send('GET', path, undefined, headers),
    send,
  };
}

export async function startDemo(seed?: SimulatorSeed): Promise<Cw> {
  return client(await startSimulator(seed ? { seed } : {}));
}

/** `conditions=...` etc. encoded the way a careful client does. */
export function qs(params: Record<string, string | number>): string {
  return `?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
}
