import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One exported span, as the receiver read it from OTLP/HTTP JSON. */
export interface ReceivedSpan {
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  attributes: Record<string, unknown>;
  /** Event names and their attributes (e.g. `exception`). */
  events: Array<{ name: string; attributes: Record<string, unknown> }>;
  service: string;
  /** The span as it arrived, to search it whole for what must not be there. */
  raw: string;
}

export interface OtlpReceiver {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT: the exporter posts to `<this>/v1/traces`. */
  endpoint: string;
  spans: ReceivedSpan[];
  /** Every request body as it arrived. */
  bodies: string[];
  /** Resolves with the spans once `until` holds (polled), or rejects after `timeoutMs`. */
  waitFor(until: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}
type OtlpAttribute = { key: string; value: OtlpValue };

const valueOf = (v: OtlpValue): unknown =>
  v.stringValue ??
  (v.intValue !== undefined ? Number(v.intValue) : undefined) ??
  v.doubleValue ??
  v.boolValue ??
  v.arrayValue?.values?.map(valueOf);

const attributesOf = (list: OtlpAttribute[] | undefined): Record<string, unknown> =>
  Object.fromEntries((list ?? []).map((a) => [a.key, valueOf(a.value)]));

/**
 * A stand-in OpenTelemetry collector on loopback: accepts OTLP/HTTP JSON on POST /v1/traces (what
 * @opentelemetry/exporter-trace-otlp-http sends) and keeps every span.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      bodies.push(body);
      const parsed = JSON.parse(body) as {
        resourceSpans?: Array<{
          resource?: { attributes?: OtlpAttribute[] };
          scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }>;
        }>;
      };
      for (const rs of parsed.resourceSpans ?? []) {
        const service = String(attributesOf(rs.resource?.attributes)['service.name']);
        for (const scope of rs.scopeSpans ?? []) {
          for (const s of scope.spans ?? []) {
            spans.push({
              name: String(s.name),
              kind: Number(s.kind),
              traceId: String(s.traceId),
              spanId: String(s.spanId),
              parentSpanId: typeof s.parentSpanId === 'string' ? s.parentSpanId : '',
              attributes: attributesOf(s.attributes as OtlpAttribute[]),
              events: (
                (s.events ?? []) as Array<{ name: string; attributes?: OtlpAttribute[] }>
              ).map((e) => ({ name: e.name, attributes: attributesOf(e.attributes) })),
              service,
              raw: JSON.stringify(s),
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    bodies,
    async waitFor(until, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!until(spans)) {
        if (Date.now() > deadline)
          throw new Error(
            `spans not received in ${timeoutMs} ms; got: ${spans.map((s) => s.name).join(', ')}`,
          );
        await new Promise((r) => setTimeout(r, 100));
      }
      return spans;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
