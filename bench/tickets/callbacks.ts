/**
 * The two-way phase of the ticket benchmark (issue 18 §1): the engine's callback registered (the
 * API process is its public address), then a technician closes BENCH_CLOSES open tickets in the
 * simulator, 20 a second. Measured: how long the engine's receiver took to answer each signed
 * delivery (the simulator times it), and how long until the bench saw each event's row say
 * `closed_in_connectwise` (the watch reads the tickets back and records them; polled every
 * 500 ms). One close goes first, alone: the delivery that makes the receiver fetch ConnectWise's
 * signing key (once per key) is timed apart from the steady state.
 */
import { ticketEventModel } from '../../db/models/ticket-event';
import { TicketWatchClient } from '../../services/tickets/watch-client';
import type { TicketBench } from './setup';

export interface CallbackFigures {
  closes: number;
  /**
   * The first delivery's answer time: the receiver fetches ConnectWise's signing key then (once
   * per key; every later delivery finds it cached), through the simulator's injected latency.
   */
  firstMs: number | undefined;
  /** The receiver's answer time per delivery of these tickets, and their statuses. */
  answerMs: number[];
  statuses: Record<string, number>;
  /** Close in the simulator → the row says closed_in_connectwise. */
  shownMs: number[];
  notShown: number;
}

const RATE = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runTechnicianCloses(
  bench: TicketBench,
  closes: number,
): Promise<CallbackFigures> {
  const { sim, client, config, conn } = bench.servers;
  const ids = { partnerId: bench.partnerId, integrationId: bench.integrationId };
  await new TicketWatchClient(client, config).settingsChanged(ids);
  for (let i = 0; ; i++) {
    const ours = (await sim.admin.state.callbacks()).filter((c) =>
      String(c.url).startsWith(bench.apiUrl),
    );
    if (ours.length === 1) break;
    if (i > 100) throw new Error('the engine never registered its callback');
    await sleep(200);
  }
  const model = ticketEventModel(conn);
  const [first, ...open] = await model
    .find({ ...ids, state: 'open', ticketId: { $ne: null } }, { key: 1, ticketId: 1 })
    .limit(closes + 1)
    .lean()
    .exec();
  if (!first) throw new Error('no open ticket to close');
  // One close first: its delivery makes the receiver fetch and cache the signing key.
  await sim.admin.technician.close(first.ticketId!);
  let firstMs: number | undefined;
  for (let i = 0; i < 100 && firstMs === undefined; i++) {
    await sleep(100);
    firstMs = (await sim.admin.callbacks.deliveries()).find(
      (d) => d.recordId === first.ticketId,
    )?.durationMs;
  }
  const closedAt = new Map<string, number>();
  const started = performance.now();
  let closing = true;
  const closed = Promise.all(
    open.map(async (row, i) => {
      const wait = (i * 1000) / RATE - (performance.now() - started);
      if (wait > 0) await sleep(wait);
      closedAt.set(row.key, Date.now());
      await sim.admin.technician.close(row.ticketId!);
    }),
  ).finally(() => {
    closing = false;
  });
  // Polled while the closes go on (a poll begun only after the last close would count the whole
  // 10 s of closing into the first ones' time).
  const shown = new Map<string, number>();
  let deadline = Infinity;
  while ((closing || shown.size < closedAt.size) && Date.now() < deadline) {
    await sleep(500);
    if (!closing && deadline === Infinity) deadline = Date.now() + 60_000;
    const rows = await model
      .find({ ...ids, key: { $in: [...closedAt.keys()] }, state: 'closed_in_connectwise' })
      .lean()
      .exec();
    // When the bench first saw it (polled every 500 ms): an upper bound.
    const now = Date.now();
    for (const row of rows)
      if (!shown.has(row.key)) shown.set(row.key, now - closedAt.get(row.key)!);
  }
  await closed;
  if (process.env.BENCH_TIMELINE) {
    // Close → the row's write (its updatedAt), by the second of the close: a queue grows, a
    // constant delay does not.
    const rows = await model
      .find({ ...ids, key: { $in: [...closedAt.keys()] }, state: 'closed_in_connectwise' })
      .lean()
      .exec();
    const first = Math.min(...closedAt.values());
    const bySecond = new Map<number, number[]>();
    for (const row of rows) {
      const at = closedAt.get(row.key)!;
      const second = Math.floor((at - first) / 1000);
      bySecond.set(second, [...(bySecond.get(second) ?? []), row.updatedAt.getTime() - at]);
    }
    console.log(
      `    close → row written, slowest per second of the closes: ${[...bySecond]
        .sort(([a], [b]) => a - b)
        .map(([t, ms]) => `${t}s ${Math.max(...ms)} ms`)
        .join(', ')}`,
    );
  }
  const tickets = new Set(open.map((r) => r.ticketId!));
  const deliveries = (await sim.admin.callbacks.deliveries()).filter((d) =>
    tickets.has(d.recordId),
  );
  const statuses: Record<string, number> = {};
  for (const d of deliveries) statuses[d.status] = (statuses[d.status] ?? 0) + 1;
  return {
    closes: open.length,
    firstMs,
    answerMs: deliveries.flatMap((d) => (d.durationMs === undefined ? [] : [d.durationMs])),
    statuses,
    shownMs: [...shown.values()],
    notShown: closedAt.size - shown.size,
  };
}
