import { createServer, type Server } from 'node:net';
import { PartError } from './wait';

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      if (address && typeof address === 'object') resolve(address.port);
      else reject(new Error('could not read the port of a probe socket'));
    });
  });
}

/**
 * Distinct ports the OS considers free right now: all are held until each is known, so the OS
 * cannot hand out one twice. Another process may still take one before we bind it; callers bind
 * right away to keep that window short.
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(servers.map((s) => listen(s, 0, host)));
  } finally {
    await Promise.all(
      servers.map((s) => new Promise((resolve) => (s.listening ? s.close(resolve) : resolve(0)))),
    );
  }
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await freePorts(1, host);
  if (port === undefined) throw new Error('no free port');
  return port;
}

/**
 * A free port held open until `release()`: a process started much later (the API, after Temporal
 * and the database) gets a port nobody took meanwhile; only the moment between the release and
 * its own bind is left open.
 */
export async function reservePort(
  host = '127.0.0.1',
): Promise<{ port: number; release: () => Promise<void> }> {
  const server = createServer();
  const port = await listen(server, 0, host);
  return {
    port,
    release: () =>
      new Promise<void>((resolve) =>
        server.listening ? server.close(() => resolve()) : resolve(),
      ),
  };
}

/** True when nothing listens on host:port (so a fixed default port can be used). */
export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  const server = createServer();
  try {
    await listen(server, port, host);
    return true;
  } catch {
    return false;
  } finally {
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  }
}

/** True when a part died at start because its port was bound by someone else first. */
export function lostItsPort(err: unknown): boolean {
  return (
    err instanceof PartError &&
    / exited /.test(err.summary) &&
    err.recentOutput.some((line) => /address already in use/i.test(line))
  );
}

/**
 * Starts a part on `fixed`, or on a free port, trying a new one (three tries in all) when the
 * part died because its port was taken between the probe and its own bind: an outgoing connection
 * of another process takes its local port from the same range, so on a busy machine (tests start
 * stacks beside other tests) a port free a second ago may not be any more (CI once lost FerretDB
 * that way). A fixed port is the caller's: no retry.
 */
export async function onFreePort<T>(
  fixed: number | undefined,
  start: (port: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(fixed ?? (await freePort()));
    } catch (err) {
      if (fixed !== undefined || attempt >= 3 || !lostItsPort(err)) throw err;
    }
  }
}
