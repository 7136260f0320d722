import fc from 'fast-check';
import type { FaultRuleInput, SimNote, SimTicket } from '../../simulator';
import type { DeliveryFaultInput } from '../../simulator/admin-client';
import { sleep } from '../e2e/partner-stack';
import {
  CUSTOMERS,
  securityEvent,
  startTicketsStack,
  TICKET_SETTINGS,
  type TicketsStack,
} from '../e2e/tickets-stack';
import { STACK_SLOT_WAIT_MS } from '../support/stack-slot';
import { ticketProgressQuery } from '../../workflows/ticket-messages';
import { FULL, SEED, seedLine } from './chaos-env';

/**
 * Tickets over the real local stack while things fail (issue 20's chaos suite, beside
 * billing-chaos): one stream of ticket work drawn from one seed (CHAOS_SEED replays it) — new
 * events, repeats of the same key, resolves, and a technician closing, reopening and deleting
 * tickets in ConnectWise (the simulator's admin API: its callbacks fire) — while the worker is
 * killed with SIGKILL at random moments, ConnectWise fails a share of the ticket calls (429 with
 * Retry-After, 5xx, writes committed before the error or the cut connection, a create answered
 * or committed only after the engine gave up on it) and the callbacks of the technician's changes are dropped,
 * duplicated or delayed (so they overtake each other). The ticket watch polls every minute: the
 * backstop for lost callbacks.
 *
 * Keys run side by side, each key's operations in order. A key's next report or resolve is sent
 * once the technician's last change on it shows on its row (a callback or the poll; waited for,
 * bounded): a report racing a change the engine cannot know yet is not judged here. A delete of
 * a ticket whose repeats were not noted yet makes a new ticket of them at once (the engine's
 * rule; a close counts them instead): the suite asks the event's workflow which it did.
 *
 * Then, once every event's row has settled (bounded): no key ever had two open tickets, no ticket
 * (one externalXRef) or note (one marker) was made twice, no key has more tickets than the reopen
 * rules allow (reopen window 0: a new ticket only for an occurrence after a resolve, a close or a
 * delete); every event has its row and, unless its customer is excluded, its ticket; every resolve
 * closed the ticket with the closing status; every technician close, reopen and delete shows on
 * the event's row; no ticket is left open but an open event's. Prints a table as billing-chaos
 * does: scenario, events, faults injected, duplicates, losses, differences (all 0).
 *
 * `npm test` runs the short variant (60 operations, 1 kill, about a minute and a half);
 * `npm run chaos` (CHAOS_FULL=1) the long one (500 operations, 4 kills).
 */
/** Operations in the stream: posts, resolves and technician actions. */
const EVENTS = FULL ? 500 : 60;
const KEYS = FULL ? 150 : 18;
const KILLS = FULL ? 4 : 1;
/** The stream's length: the seed's gaps are scaled to it. */
const STREAM_MS = FULL ? 300_000 : 40_000;
/** How long a key waits for its ticket (or its resolve) before that is counted as lost. */
const WAIT_MS = 150_000;
/** After the stream: until every row settled. A SIGKILL'd step waits its heartbeat (a minute). */
const DRAIN_MS = FULL ? 240_000 : 150_000;

jest.setTimeout(FULL ? 900_000 : 420_000);

/** A customer mapped to no company on purpose: its events are skipped, never ticketed. */
const EXCLUDED = { customerId: 'e2e-initech', name: 'Initech' } as const;
const CLOSING_STATUS = TICKET_SETTINGS.closingStatusId;
/** The Security board's other closed status (a technician may pick either). */
const OTHER_CLOSED_STATUS = 204;

type Kind = 'new' | 'repeat' | 'resolve' | 'close' | 'reopen' | 'delete';
type Delivery =
  { kind: 'none' } | { kind: 'drop' } | { kind: 'duplicate' } | { kind: 'delay'; delayMs: number };

/** One drawn step: what to do, on which key (an index into the candidates), after which gap. */
interface Draw {
  kind: Kind;
  pick: number;
  gap: number;
  customer: number;
  delivery: Delivery;
  /** A close through the technician's screen (either closed status) or an edit of the record. */
  closeVia: 'technician-203' | 'technician-204' | 'record';
}

const drawArb: fc.Arbitrary<Draw> = fc.record({
  kind: fc.oneof(
    { arbitrary: fc.constant<Kind>('new'), weight: 24 },
    { arbitrary: fc.constant<Kind>('repeat'), weight: 30 },
    { arbitrary: fc.constant<Kind>('resolve'), weight: 16 },
    { arbitrary: fc.constant<Kind>('close'), weight: 14 },
    { arbitrary: fc.constant<Kind>('reopen'), weight: 8 },
    { arbitrary: fc.constant<Kind>('delete'), weight: 8 },
  ),
  pick: fc.nat({ max: 1_000_000 }),
  gap: fc.integer({ min: 0, max: 100 }),
  customer: fc.integer({ min: 0, max: 9 }),
  delivery: fc.oneof(
    { arbitrary: fc.constant<Delivery>({ kind: 'none' }), weight: 4 },
    { arbitrary: fc.constant<Delivery>({ kind: 'drop' }), weight: 3 },
    { arbitrary: fc.constant<Delivery>({ kind: 'duplicate' }), weight: 2 },
    {
      arbitrary: fc
        .integer({ min: 500, max: 8_000 })
        .map((delayMs): Delivery => ({ kind: 'delay', delayMs })),
      weight: 3,
    },
  ),
  closeVia: fc.constantFrom('technician-203', 'technician-204', 'record'),
});

/** Where the driver left a key: what the engine must show once it settles. */
type Phase = 'open' | 'resolved' | 'closed' | 'deleted';

interface Op {
  index: number;
  kind: Kind;
  key: string;
  /** Milliseconds after the stream's start. */
  at: number;
  delivery: Delivery;
  closeVia: Draw['closeVia'];
}

interface KeyModel {
  key: string;
  customerId: string;
  excluded: boolean;
  /** As planned (the seed's whole stream, decided before it runs). */
  planned: Phase;
  /** As executed so far. */
  phase: Phase;
  /** Repeats after a finish: each allows one more ticket. */
  renewals: number;
  /** The current ticket had repeats (one not noted yet makes a new ticket when it is deleted). */
  repeated: boolean;
  /** The ticket the driver knows as the key's current one (found on the row, acted on). */
  current?: number;
  /** Tickets of the key that are finished (resolved, deleted, or closed and then renewed). */
  stale: Set<number>;
  deleted: Set<number>;
  /** The key's operations, one after the other (keys run side by side). */
  chain: Promise<void>;
  ops: string[];
  /** A loss was counted during the stream: its later operations and final check are skipped. */
  broken?: boolean;
  /** The technician's last change, not yet seen on the row. */
  unshown?: {
    kind: Kind;
    ticketId: number;
    delivery: Delivery['kind'];
    want: string;
  };
}

/** The stream, decided from the seed before anything runs: replays exactly. */
function plan(draws: Draw[]): { ops: Op[]; keys: Map<string, KeyModel> } {
  const keys = new Map<string, KeyModel>();
  const used: KeyModel[] = [];
  const ops: Op[] = [];
  const scale = STREAM_MS / EVENTS / 50; // the mean gap is 50
  let at = 0;
  for (const [index, d] of draws.entries()) {
    const candidates = (ok: (k: KeyModel) => boolean) => used.filter(ok);
    let kind = d.kind;
    let pool: KeyModel[] = [];
    if (kind === 'repeat') pool = used;
    if (kind === 'resolve') pool = candidates((k) => k.planned === 'open');
    if (kind === 'close') pool = candidates((k) => !k.excluded && k.planned === 'open');
    if (kind === 'reopen') pool = candidates((k) => !k.excluded && k.planned === 'closed');
    if (kind === 'delete')
      pool = candidates((k) => !k.excluded && (k.planned === 'open' || k.planned === 'closed'));
    if (kind !== 'new' && pool.length === 0) kind = 'new';
    if (kind === 'new' && used.length >= KEYS) {
      kind = 'repeat';
      pool = used;
    }
    let model: KeyModel;
    if (kind === 'new') {
      const excluded = d.customer === 9;
      model = {
        key: `chaos-k${String(used.length).padStart(3, '0')}`,
        customerId: excluded
          ? EXCLUDED.customerId
          : CUSTOMERS[d.customer % CUSTOMERS.length]!.customerId,
        excluded,
        planned: 'open',
        phase: 'open',
        renewals: 0,
        repeated: false,
        stale: new Set(),
        deleted: new Set(),
        chain: Promise.resolve(),
        ops: [],
      };
      keys.set(model.key, model);
      used.push(model);
    } else {
      model = pool[d.pick % pool.length]!;
    }
    model.planned =
      kind === 'resolve'
        ? 'resolved'
        : kind === 'close'
          ? 'closed'
          : kind === 'delete'
            ? 'deleted'
            : 'open';
    at += Math.round(d.gap * scale);
    ops.push({
      index,
      kind,
      key: model.key,
      at,
      delivery: d.delivery,
      closeVia: d.closeVia,
    });
  }
  return { ops, keys };
}

/** GET …/events/:key, the fields the checks read. */
interface Row {
  key: string;
  customerId: string;
  state: string;
  reason: string | null;
  ticketId: number | null;
  generation: number;
  occurrences: number;
  resolvedAt: string | null;
  lastSeen: string;
  updatedAt: string;
  connectWise: { closed: boolean } | null;
}

interface Tally {
  duplicates: number;
  losses: number;
  differences: number;
}

interface TableRow extends Tally {
  scenario: string;
  events: string;
  faults: number;
  note: string;
}
const rows: TableRow[] = [];

let t: TicketsStack;
let integrationId: string;
/** ConnectWise's company per customer. */
const companyOf = new Map<string, number>(CUSTOMERS.map((c) => [c.customerId, c.companyId]));

beforeAll(async () => {
  // eslint-disable-next-line no-console -- the seed that replays this run
  console.log(seedLine('ticket chaos'));
  // Every minute: the backstop that finds what a lost callback did not tell. Repeats are noted
  // once a minute.
  t = await startTicketsStack({ pollMinutes: 1, noteWindowMinutes: 1 });
  integrationId = (await t.call('GET', '/connectwise/integration')).id as string;
  await t.call('PUT', '/customers', { customers: [EXCLUDED] });
  await t.call('PUT', '/connectwise/company-mappings', {
    mappings: [{ customerId: EXCLUDED.customerId, companyId: null }],
  });
  // The ticket watch registered its callback (the technician's changes are told through it).
  const deadline = Date.now() + 60_000;
  while (
    !(await t.sim.state.callbacks()).some((c) => /\/connectwise\/callbacks\//.test(c.url as string))
  ) {
    if (Date.now() > deadline) throw new Error('the ticket watch registered no callback in 60 s');
    await sleep(250);
  }
}, 180_000 + STACK_SLOT_WAIT_MS);

afterAll(async () => {
  if (rows.length > 0) {
    const head = [
      'scenario',
      'events',
      'faults injected',
      'duplicates',
      'losses',
      'differences',
      'also',
    ];
    const lines = rows.map((r) =>
      [r.scenario, r.events, r.faults, r.duplicates, r.losses, r.differences, r.note].join(' | '),
    );
    // eslint-disable-next-line no-console -- the suite's table
    console.log(
      [
        `ticket chaos (seed ${SEED}, ${EVENTS} events over ${KEYS} keys)`,
        head.join(' | '),
        ...lines,
      ].join('\n'),
    );
  }
  await t?.stop();
});

/** `dfx:<tag>:<key>[:r<n>]`: the key and generation of one of our tickets. */
const XREF = /^dfx:[0-9a-f]{10}:(chaos-k\d{3})(?::r(\d+))?$/;
const ourTicket = (ticket: SimTicket) => {
  const m = XREF.exec(ticket.externalXRef ?? '');
  return m ? { key: m[1]!, generation: Number(m[2] ?? 0) } : undefined;
};

/** Calls the API, sending again after a 429 (Retry-After) or a 503, for up to a minute. */
async function persist<T>(what: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await what();
    } catch (err) {
      if (attempt >= 60 || !/: (429|503) /.test(String(err))) throw err;
      await sleep(1_000);
    }
  }
}

const rowOf = async (key: string) =>
  (await t.call('GET', `/connectwise/events/${key}`)) as unknown as Row;

/** Every event's row (pages of 200). */
async function allRows(): Promise<Map<string, Row>> {
  const all = new Map<string, Row>();
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const answer = await t.call('GET', `/connectwise/tickets?pageSize=200${query}`);
    for (const r of answer.tickets as Row[]) all.set(r.key, r);
    cursor = answer.nextCursor as string | null;
    if (!cursor) break;
  }
  return all;
}

/** Polls `probe` until it answers, or gives up after `ms` (undefined). */
async function within<T>(ms: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const answer = await probe();
    if (answer !== undefined || Date.now() > deadline) return answer;
    await sleep(300);
  }
}

/** One at a time: a delivery fault goes to the next delivery, the one the next action makes. */
let technicianTurn: Promise<void> = Promise.resolve();
function asTechnician<T>(work: () => Promise<T>): Promise<T> {
  const run = technicianTurn.then(work);
  technicianTurn = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

test('a stream of ticket events, technician actions, kills and faults: no duplicate, no loss', async () => {
  const started = Date.now();
  const [draws] = fc.sample(fc.array(drawArb, { minLength: EVENTS, maxLength: EVENTS }), {
    seed: SEED,
    numRuns: 1,
  });
  const { ops, keys } = plan(draws!);
  const [killAt] = fc.sample(
    fc.uniqueArray(fc.integer({ min: Math.floor(EVENTS * 0.15), max: Math.floor(EVENTS * 0.75) }), {
      minLength: KILLS,
      maxLength: KILLS,
    }),
    { seed: SEED + 1, numRuns: 1 },
  );
  const kills = new Set(killAt);
  /** What went wrong, each counted under one column. */
  const problems: Array<{ column: keyof Tally; what: string }> = [];
  const problem = (column: keyof Tally, what: string) => problems.push({ column, what });

  // Every ticket the stream made, as seen by a sampler (deleted ones too), and whether a key ever
  // had two open tickets at once.
  const seen = new Map<number, { key: string; generation: number; xref: string }>();
  const twoOpen = new Set<string>();
  const sample = async () => {
    const open = new Map<string, number[]>();
    for (const ticket of await t.sim.state.tickets()) {
      const ours = ourTicket(ticket);
      if (!ours) continue;
      seen.set(ticket.id, { ...ours, xref: ticket.externalXRef! });
      if (!ticket.closedFlag) open.set(ours.key, [...(open.get(ours.key) ?? []), ticket.id]);
    }
    for (const [key, ids] of open) {
      if (ids.length > 1 && !twoOpen.has(key)) {
        twoOpen.add(key);
        problem('duplicates', `${key} had ${ids.length} open tickets at once: ${ids.join(', ')}`);
      }
    }
  };
  let sampling = true;
  const sampler = (async () => {
    for (let i = 0; sampling && i < 10_000; i++) {
      await sample();
      await sleep(1_500);
    }
  })();

  // ConnectWise failing a share of the ticket calls (tickets, their notes, the watch's reads).
  const rules: FaultRuleInput[] = [
    { kind: 'rateLimit', retryAfterSeconds: 1, probability: 0.05 },
    { kind: 'serverError', status: 503, afterCommit: true, method: 'POST', probability: 0.1 },
    { kind: 'drop', afterCommit: true, method: 'POST', probability: 0.03 },
    { kind: 'serverError', status: 500, afterCommit: true, method: 'PATCH', probability: 0.15 },
    { kind: 'serverError', status: 502, method: 'GET', probability: 0.07 },
    // Creates the engine gives up waiting for (CW_WRITE_TIMEOUT_MS, 10 s here): one made at once
    // and answered late, one ConnectWise commits only after the engine's retry looked it up. Both
    // must be found, never made twice (the second is waited out: services/tickets/open.ts).
    ...(['start', 'end'] as const).map((commitAt) => ({
      kind: 'slowCommit' as const,
      ms: 12_000,
      commitAt,
      method: 'POST',
      path: '/service/tickets',
      count: FULL ? 3 : 1,
    })),
  ];
  await t.sim.faults.clear(SEED);
  await t.sim.journal.clear();
  for (const rule of rules) await t.sim.faults.add({ pathPattern: '^/service/tickets', ...rule });

  const technicianActions = { close: 0, reopen: 0, delete: 0 };
  /** Deletes that made a new ticket at once, of repeats reported before them. */
  let renewedByDelete = 0;
  const deliveryFaults = { drop: 0, duplicate: 0, delay: 0 };

  /** Reports one occurrence of the key's event, now. */
  async function post(model: KeyModel, first: boolean): Promise<void> {
    const occurredAt = new Date().toISOString();
    const event = securityEvent(model.key, {
      customerId: model.customerId,
      severity: 'medium',
      occurredAt,
    });
    const [answer] = await persist(() => t.post([event]));
    if (!answer?.accepted || answer.firstReport !== first)
      problem('losses', `${model.key}: a report answered ${JSON.stringify(answer)}`);
  }

  /** The key's current open ticket: the one it knows, or the row's once it shows a new one. */
  async function currentTicket(model: KeyModel): Promise<number | undefined> {
    if (model.current !== undefined) return model.current;
    const row = await within(WAIT_MS, async () => {
      const r = await rowOf(model.key);
      return r.state === 'open' && r.ticketId !== null && !model.stale.has(r.ticketId)
        ? r
        : undefined;
    });
    if (!row) {
      const last = await rowOf(model.key);
      problem(
        'losses',
        `${model.key}: no open ticket within ${WAIT_MS / 1000} s (ops ${model.ops.join(' ')}; row ${JSON.stringify(last)})`,
      );
      model.broken = true;
      return undefined;
    }
    model.current = row.ticketId!;
    return model.current;
  }

  async function technician(op: Op, model: KeyModel): Promise<void> {
    const ticketId = await currentTicket(model);
    if (ticketId === undefined) return;
    await asTechnician(async () => {
      const d = op.delivery;
      if (d.kind !== 'none') {
        const fault: DeliveryFaultInput =
          d.kind === 'delay' ? { kind: 'delay', delayMs: d.delayMs } : { kind: d.kind };
        await t.sim.callbacks.fault(fault);
        deliveryFaults[d.kind] += 1;
      }
      if (op.kind === 'close') {
        if (op.closeVia === 'record') {
          // An edit of the whole record, as in ConnectWise's own screens.
          const ticket = (await t.sim.state.tickets()).find((tk) => tk.id === ticketId)!;
          await t.sim.state.put('tickets', {
            ...ticket,
            status: { id: OTHER_CLOSED_STATUS },
            closedFlag: true,
            closedDate: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
            closedBy: 'tmorris',
          });
        } else {
          await t.sim.technician.close(ticketId, {
            statusId: op.closeVia === 'technician-203' ? CLOSING_STATUS : OTHER_CLOSED_STATUS,
          });
        }
      } else if (op.kind === 'reopen') {
        await t.sim.technician.reopen(ticketId);
      } else {
        await t.sim.state.remove('tickets', ticketId);
      }
    });
    technicianActions[op.kind as keyof typeof technicianActions] += 1;
    // Shown on the row before the key's next report or resolve (below); another technician
    // action may come first (its callback overtaking this one's).
    model.unshown = {
      kind: op.kind,
      ticketId,
      delivery: op.delivery.kind,
      want:
        op.kind === 'close'
          ? 'closed_in_connectwise'
          : op.kind === 'reopen'
            ? 'open'
            : 'deleted_in_connectwise',
    };
    if (op.kind === 'delete') {
      model.deleted.add(ticketId);
      model.stale.add(ticketId);
      model.current = undefined;
    }
  }

  /**
   * The technician's last change, shown on the row (a callback, or the poll when the callback
   * was lost) before the key's next report or resolve: one racing a change the engine cannot
   * know yet is another question (see the suite's report).
   */
  async function shown(model: KeyModel): Promise<void> {
    const change = model.unshown;
    if (!change) return;
    model.unshown = undefined;
    const row = await within(WAIT_MS, async () => {
      const r = await rowOf(model.key);
      if (r.state === change.want && r.ticketId === change.ticketId) return r;
      // A delete may be followed at once by the next ticket (afterDelete): its history has it.
      if (change.kind !== 'delete') return undefined;
      const { history } = await t.call(
        'GET',
        `/connectwise/events/${model.key}/history?pageSize=200`,
      );
      const told = (history as Array<{ kind: string; ticketId: number }>).some(
        (h) => h.kind === 'deleted' && h.ticketId === change.ticketId,
      );
      return told ? r : undefined;
    });
    if (row && change.kind === 'delete') await afterDelete(model, change.ticketId);
    if (row) return;
    const last = await rowOf(model.key);
    problem(
      'losses',
      `${model.key}: the technician's ${change.kind} of ticket ${change.ticketId} (callback ${change.delivery}) not on its row within ${WAIT_MS / 1000} s (ops ${model.ops.join(' ')}; row ${JSON.stringify(last)})`,
    );
    model.broken = true;
  }

  /**
   * A delete shown: the event's workflow ends there, unless repeats of the ticket were not noted
   * yet, which make a new ticket at once (the engine's rule for a delete; a close counts them).
   */
  async function afterDelete(model: KeyModel, ticketId: number): Promise<void> {
    const handle = t.temporal.workflow.getHandle(`ticket:${integrationId}:${model.key}`);
    const outcome = await within(WAIT_MS, async () => {
      if ((await handle.describe()).status.name !== 'RUNNING') return 'ended';
      const p = await handle.query(ticketProgressQuery);
      // Not told yet, or told and about to end or begin the next ticket.
      if (p.ticketId === ticketId || p.state === 'deleted_in_connectwise') return undefined;
      return 'renewed';
    });
    if (outcome === 'renewed' && model.repeated) {
      renewedByDelete += 1;
      model.renewals += 1;
      model.repeated = false;
      model.phase = 'open';
      model.current = undefined;
    } else if (outcome !== 'ended') {
      problem(
        outcome === 'renewed' ? 'duplicates' : 'losses',
        `${model.key}: after the delete of ticket ${ticketId}, its workflow ${outcome === 'renewed' ? 'began a new ticket with no repeat to make it of' : 'did not settle'} (ops ${model.ops.join(' ')}; row ${JSON.stringify(await rowOf(model.key))})`,
      );
      model.broken = true;
    }
  }

  async function resolve(model: KeyModel): Promise<void> {
    const sent = Date.now();
    await persist(() =>
      t.call('POST', `/connectwise/events/${model.key}/resolve`, { resolution: 'contained' }),
    );
    if (model.excluded) return;
    // Resolved once its row says so, written after this resolve was sent: with its time, or
    // (none was made before it) with no ticket. An earlier resolve's row does not count.
    const row = await within(WAIT_MS, async () => {
      const r = await rowOf(model.key);
      const done =
        r.state === 'resolved' &&
        Date.parse(r.updatedAt) >= sent &&
        (r.ticketId === null || (r.resolvedAt !== null && Date.parse(r.resolvedAt) >= sent));
      return done ? r : undefined;
    });
    if (!row) {
      const last = await rowOf(model.key);
      problem(
        'losses',
        `${model.key}: a resolve not applied within ${WAIT_MS / 1000} s (ops ${model.ops.join(' ')}; row ${JSON.stringify(last)})`,
      );
      model.broken = true;
    } else if (row.ticketId !== null) {
      model.stale.add(row.ticketId);
    }
    model.current = undefined;
  }

  async function execute(op: Op): Promise<void> {
    const model = keys.get(op.key)!;
    if (model.broken) return;
    if (op.kind === 'new' || op.kind === 'repeat' || op.kind === 'resolve') await shown(model);
    if (model.broken) return;
    model.ops.push(
      `${op.index}:${op.kind}${op.kind === 'close' || op.kind === 'delete' || op.kind === 'reopen' ? `(${op.delivery.kind})` : ''}`,
    );
    switch (op.kind) {
      case 'new':
        await post(model, true);
        break;
      case 'repeat':
        if (model.phase !== 'open') {
          // The finished ticket is not the key's any more: the next is a new one.
          if (model.current !== undefined) model.stale.add(model.current);
          model.current = undefined;
          model.renewals += 1;
          model.repeated = false;
        } else {
          model.repeated = true;
        }
        await post(model, false);
        break;
      case 'resolve':
        model.repeated = false;
        await resolve(model);
        break;
      default:
        // (Repeats stay possibly not noted: a close the engine never saw, the reopen coming
        // first, counts none of them.)
        await technician(op, model);
    }
    if (model.broken) return;
    model.phase =
      op.kind === 'resolve'
        ? 'resolved'
        : op.kind === 'close'
          ? 'closed'
          : op.kind === 'delete'
            ? 'deleted'
            : 'open';
  }

  // The stream: each op at its time, on its key's chain; the worker killed at the drawn ops.
  let killing: Promise<void> = Promise.resolve();
  let killed = 0;
  const streamStart = Date.now();
  for (const op of ops) {
    const wait = streamStart + op.at - Date.now();
    if (wait > 0) await sleep(wait);
    if (kills.has(op.index)) {
      killing = killing.then(async () => {
        await t.stack.restartWorker('SIGKILL');
        killed += 1;
      });
    }
    const model = keys.get(op.key)!;
    model.chain = model.chain.then(() => execute(op));
  }
  await Promise.all([...keys.values()].map((k) => k.chain));
  await killing;
  // Each key's last technician change, shown on its row.
  await Promise.all([...keys.values()].filter((k) => !k.broken).map((k) => shown(k)));
  const streamSeconds = Math.round((Date.now() - streamStart) / 1000);
  const cwFaults = (await t.sim.faults.list()).reduce((n, f) => n + f.fired, 0);
  const journal = await t.sim.journal.list();
  const throttled = journal.filter((e) => e.status === 429).length;
  await t.sim.faults.clear();

  // Drained: every key as the driver left it (bounded); then the final look.
  const drainStart = Date.now();
  type Check = { column: keyof Tally; what: string };
  async function check(): Promise<Check[]> {
    const found: Check[] = [];
    const bad = (column: keyof Tally, what: string) => found.push({ column, what });
    const byKey = await allRows();
    const tickets = await t.sim.state.tickets();
    const byId = new Map(tickets.map((tk) => [tk.id, tk]));
    const openOf = new Map<string, number[]>();
    for (const tk of tickets) {
      const ours = ourTicket(tk);
      if (ours && !tk.closedFlag) openOf.set(ours.key, [...(openOf.get(ours.key) ?? []), tk.id]);
    }
    for (const model of keys.values()) {
      const row = byKey.get(model.key);
      const context = `(ops ${model.ops.join(' ')}; row ${JSON.stringify(row)})`;
      if (!row) {
        bad('losses', `${model.key}: no row ${context}`);
        continue;
      }
      if (model.broken) continue;
      // No ticket left open but the one an open event has.
      const leftOpen = (openOf.get(model.key) ?? []).filter(
        (id) => model.phase !== 'open' || id !== row.ticketId,
      );
      if (leftOpen.length > 0)
        bad('losses', `${model.key}: ticket(s) ${leftOpen.join(', ')} left open ${context}`);
      if (row.customerId !== model.customerId)
        bad('differences', `${model.key}: customer ${row.customerId} ${context}`);
      if (model.excluded) {
        // Skipped; or resolved before its first step ran (no ticket was ever asked for).
        const skipped =
          row.state === 'skipped' ||
          (row.state === 'resolved' && row.reason === 'resolved before a ticket could be created');
        if (!skipped || row.ticketId !== null)
          bad('differences', `${model.key}: an excluded customer's event not skipped ${context}`);
        continue;
      }
      const ticket = row.ticketId === null ? undefined : byId.get(row.ticketId);
      if (ticket) {
        const ours = ourTicket(ticket);
        if (ours?.key !== model.key)
          bad('differences', `${model.key}: its row names another key's ticket ${context}`);
        if (
          ticket.company.id !== companyOf.get(model.customerId) ||
          ticket.board.id !== TICKET_SETTINGS.boardId
        )
          bad(
            'differences',
            `${model.key}: ticket ${ticket.id} on company ${ticket.company.id}, board ${ticket.board.id} ${context}`,
          );
      }
      switch (model.phase) {
        case 'open':
          if (row.state !== 'open' || !ticket || ticket.closedFlag || model.stale.has(ticket.id))
            bad(
              'losses',
              `${model.key}: should have an open ticket ${context}; ticket ${JSON.stringify(ticket?.status)}`,
            );
          break;
        case 'resolved':
          if (row.state !== 'resolved')
            bad('losses', `${model.key}: should be resolved ${context}`);
          else if (
            row.ticketId !== null &&
            (!ticket || !ticket.closedFlag || ticket.status.id !== CLOSING_STATUS)
          )
            bad(
              'losses',
              `${model.key}: resolved, but its ticket is not closed with the closing status ${context}; ticket ${JSON.stringify(ticket?.status)}`,
            );
          break;
        case 'closed':
          if (
            row.state !== 'closed_in_connectwise' ||
            row.ticketId !== model.current ||
            !ticket?.closedFlag
          )
            bad('losses', `${model.key}: a technician's close not on its row ${context}`);
          break;
        case 'deleted':
          if (
            row.state !== 'deleted_in_connectwise' ||
            row.ticketId === null ||
            !model.deleted.has(row.ticketId) ||
            ticket
          )
            bad('losses', `${model.key}: a technician's delete not on its row ${context}`);
          break;
      }
    }
    return found;
  }
  let last: Check[] = [];
  for (let round = 0; round < 1_000; round++) {
    last = await check();
    if (last.length === 0 || Date.now() - drainStart > DRAIN_MS) break;
    await sleep(3_000);
  }
  const drainSeconds = Math.round((Date.now() - drainStart) / 1000);
  sampling = false;
  await sampler;
  await sample();
  problems.push(...last);

  // Made twice: a ticket (two with one externalXRef), a note (two with one marker); more tickets
  // for a key than its finishes allow (reopen window 0: one more after each).
  const byXref = new Map<string, number[]>();
  for (const [id, s] of seen) byXref.set(s.xref, [...(byXref.get(s.xref) ?? []), id]);
  for (const [xref, ids] of byXref)
    if (ids.length > 1) problem('duplicates', `${xref}: ${ids.length} tickets (${ids.join(', ')})`);
  for (const model of keys.values()) {
    const generations = new Set(
      [...seen.values()].filter((s) => s.key === model.key).map((s) => s.generation),
    );
    if (generations.size > 1 + model.renewals)
      problem(
        'duplicates',
        `${model.key}: ${generations.size} tickets for ${model.renewals} new occurrence(s) after a finish (ops ${model.ops.join(' ')})`,
      );
    if (model.excluded && generations.size > 0)
      problem('differences', `${model.key}: an excluded customer's event has a ticket`);
  }
  const notes: SimNote[] = await t.sim.state.notes();
  const markers = new Map<string, number>();
  for (const note of notes) {
    if (!seen.has(note.ticketId)) continue;
    const marker = /\[dfx:evt:[^\]]+\]/.exec(note.text)?.[0];
    if (marker)
      markers.set(
        `${note.ticketId} ${marker}`,
        (markers.get(`${note.ticketId} ${marker}`) ?? 0) + 1,
      );
  }
  for (const [marker, n] of markers)
    if (n > 1) problem('duplicates', `note ${marker} posted ${n} times`);

  const deliveries = await t.sim.callbacks.deliveries();
  const tally: Tally = { duplicates: 0, losses: 0, differences: 0 };
  for (const p of problems) tally[p.column] += 1;
  const posts = ops.filter((o) => o.kind === 'new' || o.kind === 'repeat').length;
  const resolves = ops.filter((o) => o.kind === 'resolve').length;
  const deliveryFaultCount = deliveryFaults.drop + deliveryFaults.duplicate + deliveryFaults.delay;
  rows.push({
    scenario: 'tickets: stream, worker SIGKILL, ConnectWise and callback faults',
    events: `${EVENTS} (${keys.size} keys)`,
    faults: killed + cwFaults + deliveryFaultCount,
    ...tally,
    note:
      `${posts} reports, ${resolves} resolves, technician ${technicianActions.close} closes/${technicianActions.reopen} reopens/${technicianActions.delete} deletes; ` +
      `${renewedByDelete} delete(s) made a new ticket of repeats not noted yet; ` +
      `${killed} kill(s), ${cwFaults} ConnectWise faults (${throttled} 429s), callbacks ${deliveryFaults.drop} dropped/${deliveryFaults.duplicate} duplicated/${deliveryFaults.delay} delayed of ${deliveries.length}; ` +
      `${seen.size} tickets; stream ${streamSeconds} s (changes shown), settled in ${drainSeconds} s more, ${Math.round((Date.now() - started) / 1000)} s in all`,
  });

  // The stream did what it says: the worker died, ConnectWise failed, callbacks went wrong, and
  // the technician acted.
  expect(killed).toBe(KILLS);
  expect(cwFaults).toBeGreaterThan(0);
  expect(deliveryFaultCount).toBeGreaterThan(0);
  expect(technicianActions.close).toBeGreaterThan(0);
  expect({ seed: SEED, ...tally, problems: problems.map((p) => `${p.column}: ${p.what}`) }).toEqual(
    {
      seed: SEED,
      duplicates: 0,
      losses: 0,
      differences: 0,
      problems: [],
    },
  );
});
