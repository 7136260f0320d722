/**
 * What the database did during a phase, from FerretDB's debug handler (`--debug-addr`, a free
 * port the bench does not know: found among the sockets the FerretDB process listens on):
 * commands by name, and per collection the cursors opened and their summed lifetimes (a find's
 * time in FerretDB, from the query to its last batch). Linux only; without /proc or the handler
 * the figures are simply absent.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { table } from './table';

/** Prometheus text → `name{labels}` → value. */
export type Metrics = Map<string, number>;

/** Local TCP ports the process listens on (from /proc: its socket inodes in LISTEN state). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const file of ['tcp', 'tcp6']) {
    let lines: string[];
    try {
      lines = readFileSync(`/proc/${pid}/net/${file}`, 'utf8').split('\n').slice(1);
    } catch {
      continue;
    }
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      // local address, state (0A: LISTEN), inode
      if (f[3] === '0A' && inodes.has(f[9]!)) ports.push(parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

/** The origin of FerretDB's debug handler, or undefined if it cannot be found. */
export async function ferretDebugOrigin(pid: number | undefined): Promise<string | undefined> {
  if (pid === undefined) return undefined;
  let ports: number[];
  try {
    ports = listeningPorts(pid);
  } catch {
    return undefined;
  }
  for (const port of ports) {
    const origin = `http://127.0.0.1:${port}`;
    try {
      const res = await fetch(`${origin}/debug/metrics`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return origin;
    } catch {
      // the wire protocol's port, or not ours
    }
  }
  return undefined;
}

export async function readMetrics(origin: string | undefined): Promise<Metrics | undefined> {
  if (!origin) return undefined;
  try {
    const res = await fetch(`${origin}/debug/metrics`, { signal: AbortSignal.timeout(5_000) });
    return parseMetrics(await res.text());
  } catch {
    return undefined;
  }
}

export function parseMetrics(text: string): Metrics {
  const metrics: Metrics = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    metrics.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return metrics;
}

export interface DbActivity {
  /** Commands by name (find, getMore, insert, findAndModify, …). */
  commands: Record<string, number>;
  /** Per collection: cursors opened (finds) and their summed lifetimes in seconds. */
  reads: Record<string, { cursors: number; seconds: number }>;
}

const label = (key: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(key)?.[1];

/** What happened between two readings. Pure. */
export function dbActivity(before: Metrics, after: Metrics): DbActivity {
  const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
  const commands: DbActivity['commands'] = {};
  const reads: DbActivity['reads'] = {};
  for (const key of after.keys()) {
    const d = delta(key);
    if (d === 0) continue;
    if (key.startsWith('ferretdb_client_requests_total{')) {
      const command = label(key, 'command') ?? '?';
      commands[command] = (commands[command] ?? 0) + d;
    }
    const cursors = key.startsWith('ferretdb_cursors_created_total{');
    const seconds = key.startsWith('ferretdb_cursors_duration_seconds_sum{');
    if (cursors || seconds) {
      const collection = label(key, 'collection') ?? '?';
      const line = (reads[collection] ??= { cursors: 0, seconds: 0 });
      if (cursors) line.cursors += d;
      else line.seconds += d;
    }
  }
  return { commands, reads };
}

/** Side by side per phase: commands, then each collection's reads. */
export function dbTable(phases: ReadonlyArray<{ key: string; db?: DbActivity }>): string {
  const known = phases.filter((p) => p.db);
  if (known.length === 0) return "database: FerretDB's debug metrics were not available";
  const commands = [...new Set(known.flatMap((p) => Object.keys(p.db!.commands)))].sort();
  const collections = [...new Set(known.flatMap((p) => Object.keys(p.db!.reads)))].sort();
  const head = ['database (FerretDB)', ...known.map((p) => p.key)];
  const rows = [
    ...commands.map((c) => [`command ${c}`, ...known.map((p) => String(p.db!.commands[c] ?? 0))]),
    ...collections.map((c) => [
      `reads of ${c}: cursors, Σ time`,
      ...known.map((p) => {
        const r = p.db!.reads[c];
        return r ? `${r.cursors}, ${r.seconds.toFixed(2)} s` : '0';
      }),
    ]),
  ];
  return table(head, rows);
}
