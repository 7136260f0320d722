import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The engine's Prometheus metrics (prom-client), one registry per process: the API and the worker
 * each serve theirs at `/metrics` on a port of their own (API_METRICS_PORT, WORKER_METRICS_PORT),
 * never on the public API's port. Labels are templates and kinds, never ids or secrets; but for
 * the billing coverage gauges (the API's), whose point is which partner bills less than it uses:
 * by partner id, bounded by the partners.
 */
export const registry = new Registry();

const registers = [registry];
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const metrics = {
  httpRequests: new Counter({
    name: 'cw_engine_http_requests_total',
    help: 'API requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  }),
  httpDuration: new Histogram({
    name: 'cw_engine_http_request_duration_seconds',
    help: 'API request durations, by method and route template',
    labelNames: ['method', 'route'] as const,
    buckets: SECONDS,
    registers,
  }),
  syncRuns: new Counter({
    name: 'cw_engine_sync_runs_total',
    help: 'Sync runs ended, by kind (billing, validation, …) and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers,
  }),
  connectWiseCalls: new Counter({
    name: 'cw_engine_connectwise_calls_total',
    help: 'ConnectWise calls, by method, operation (path template) and status (0: no answer); 429 is throttling',
    labelNames: ['method', 'operation', 'status'] as const,
    registers,
  }),
  connectWiseDuration: new Histogram({
    name: 'cw_engine_connectwise_call_duration_seconds',
    help: 'ConnectWise call durations, by method and operation',
    labelNames: ['method', 'operation'] as const,
    buckets: SECONDS,
    registers,
  }),
  additionsWritten: new Counter({
    name: 'cw_engine_additions_written_total',
    help: 'Agreement addition writes ConnectWise took, by action (create, update, adopt, cancel, release)',
    labelNames: ['action'] as const,
    registers,
  }),
  ticketsCreated: new Counter({
    name: 'cw_engine_tickets_created_total',
    help: 'ConnectWise tickets created for security events',
    registers,
  }),
  eventsAccepted: new Counter({
    name: 'cw_engine_events_accepted_total',
    help: 'Security event reports accepted (202)',
    registers,
  }),
  eventsRefused: new Counter({
    name: 'cw_engine_events_refused_total',
    help: 'Security event posts answered 429, by code (intake_busy, intake_backlog_full, event_reports_pending)',
    labelNames: ['code'] as const,
    registers,
  }),
  eventsHeld: new Counter({
    name: 'cw_engine_events_held_total',
    help: 'Ticket steps that held an event (keys rejected, settings invalid, integration paused)',
    registers,
  }),
  callbacks: new Counter({
    name: 'cw_engine_callbacks_total',
    help: 'ConnectWise callback deliveries, by outcome (accepted, duplicate, refused)',
    labelNames: ['outcome'] as const,
    registers,
  }),
  webhookAttempts: new Counter({
    name: 'cw_engine_webhook_attempts_total',
    help: 'Webhook delivery attempts to the portal, by outcome (delivered, failed, missed)',
    labelNames: ['outcome'] as const,
    registers,
  }),
};

/** A gauge read when scraped (e.g. open health issues from the database), cached `cacheMs`. */
export function gaugeFrom(
  name: string,
  help: string,
  label: string,
  read: () => Promise<Record<string, number>>,
  cacheMs = 15_000,
): Gauge<string> {
  let cached: { at: number; values: Record<string, number> } | undefined;
  return new Gauge({
    name,
    help,
    labelNames: [label],
    registers,
    async collect() {
      if (!cached || Date.now() - cached.at > cacheMs) {
        cached = { at: Date.now(), values: await read().catch(() => cached?.values ?? {}) };
      }
      this.reset();
      for (const [value, count] of Object.entries(cached.values))
        this.set({ [label]: value }, count);
    },
  });
}

/** ConnectWise paths as templates: ids become `{id}`, so each operation is one series. */
export function operationOf(path: string): string {
  const at = path.indexOf('/apis/3.0');
  const rest = at >= 0 ? path.slice(at + '/apis/3.0'.length) : path;
  return rest.split('?')[0]!.replace(/\/\d+(?=\/|$)/g, '/{id}') || '/';
}

let defaults = false;

/**
 * Serves `/metrics` on its own port (and the process's default metrics from then on); answers
 * 404 to anything else. Resolves once listening.
 */
export async function serveMetrics(host: string, port: number): Promise<Server> {
  if (!defaults) {
    collectDefaultMetrics({ register: registry, prefix: 'cw_engine_' });
    defaults = true;
  }
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry
      .metrics()
      .then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType }).end(text);
      })
      .catch((err: unknown) => {
        res.writeHead(500).end(err instanceof Error ? err.message : 'metrics failed');
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

/** `fetch` that counts and times each call in the ConnectWise metrics (its answer untouched). */
export function countedFetch(inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = (
      init?.method ?? (input instanceof Request ? input.method : 'GET')
    ).toUpperCase();
    const operation = operationOf(new URL(url).pathname);
    const end = metrics.connectWiseDuration.startTimer({ method, operation });
    try {
      const res = await inner(input, init);
      metrics.connectWiseCalls.inc({ method, operation, status: String(res.status) });
      return res;
    } catch (err) {
      metrics.connectWiseCalls.inc({ method, operation, status: '0' });
      throw err;
    } finally {
      end();
    }
  };
}
