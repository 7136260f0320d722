import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got, with its raw body (what a signature is checked over). */
export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  raw: string;
  body: {
    id: string;
    type: string;
    createdAt: string;
    partnerId: string;
    data: Record<string, unknown>;
  };
  /** The status it answered. */
  status: number;
}

export interface WebhookReceiver {
  url: string;
  /** Every request, in the order they arrived. */
  received: ReceivedWebhook[];
  /** The requests answered 2xx, in order. */
  accepted(): ReceivedWebhook[];
  /** The status of the next requests: each call to `answer` sets what the next ones get. */
  answer(status: number | ((request: number) => number)): void;
  /** Waits (real time) until `done` holds of what was received. */
  until(done: (received: ReceivedWebhook[]) => boolean, ms?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/** A portal's webhook receiver on 127.0.0.1, answering as the test says (204 by default). */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let status: (request: number) => number = () => 204;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const answered = status(received.length);
      received.push({
        headers: req.headers,
        raw,
        body: JSON.parse(raw) as ReceivedWebhook['body'],
        status: answered,
      });
      res.statusCode = answered;
      res.end(answered >= 400 ? 'receiver down for maintenance' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return {
    url,
    received,
    accepted: () => received.filter((r) => r.status < 300),
    answer(next) {
      status = typeof next === 'number' ? () => next : next;
    },
    async until(done, ms = 30_000) {
      const end = Date.now() + ms;
      while (!done(received)) {
        if (Date.now() > end)
          throw new Error(
            `the receiver got ${received.length} requests: ${received.map((r) => `${r.body.type}=${r.status}`).join(', ')}`,
          );
        await new Promise((r) => setTimeout(r, 50));
      }
      return received;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
