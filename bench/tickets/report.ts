/**
 * The ticket benchmark's checks, arithmetic and printout (issue 9): when an event has settled,
 * duplicates and lost events, accepted → created latency, ConnectWise calls against the floor.
 * Pure (no I/O), so it is unit-tested.
 */
import { table } from '../common/table';
import { POSTGRES } from '../common/servers';
import type { BatchFigures } from './batches';
import type { CallbackFigures } from './callbacks';
import type { LoadResult, PostKind, PostRecord, TrackedEvent } from './load';
import { STEP_P99_LIMIT_MS, sustainedRate, type StepFigures } from './steps';

/** An event's row (db ticketEvents) as the checks read it. */
export interface EventRow {
  state: string;
  reason: string | null;
  ticketId: number | null;
  occurrences: number;
  notes: number;
  /** Epoch milliseconds of its last write. */
  updatedAt: number;
}

/** An open event's workflow, as its `ticket` query answers (workflows/ticket-messages.ts). */
export interface Progress {
  occurrences: number;
  pendingOccurrences: number;
}

export interface SimTicketView {
  id: number;
  externalXRef?: string;
  closedFlag: boolean;
  status: { id: number };
}

export interface SimNoteView {
  ticketId: number;
  text: string;
}

/** Nothing left for the engine to do: no ticket pending, a resolved event's ticket past open. */
export function isSettled(event: TrackedEvent, row: EventRow | undefined): boolean {
  if (!row || row.state === 'pending') return false;
  return !event.resolved || row.state !== 'open';
}

/** How the bench's integration names its tickets: an event's first ticket, and what all share. */
export interface XRefs {
  of(key: string): string;
  prefix: string;
}

/** Occurrences a note of the engine stands for: `occurred again at` 1, `occurred N more times` N. */
export function occurrencesInNote(text: string): number {
  if (/^The event occurred again at /.test(text)) return 1;
  const m = /^The event occurred (\d+) more times /.exec(text);
  return m ? Number(m[1]) : 0;
}

export const isResolutionNote = (text: string): boolean => /^Resolved in DefensX\b/.test(text);

export interface Verdict {
  /** Accepted new events. */
  events: number;
  /** Event keys with more than one ticket. */
  duplicates: string[];
  /** Events not accounted for, with why. */
  lost: Array<{ key: string; why: string }>;
  /** Outcomes of the accounted-for events. */
  open: number;
  resolved: number;
  /** Resolved before a ticket was created: recorded, no ticket needed (by design). */
  resolvedBeforeTicket: number;
  skipped: number;
  /** Repeats accepted, and those found in notes or pending in the workflow's window. */
  repeats: number;
  repeatsNoted: number;
  repeatsPending: number;
  /** Tickets with a bench xref the bench never posted (should be none). */
  strayTickets: number;
  /** Occurrence notes the engine wrote, and resolution notes. */
  occurrenceNotes: number;
  resolutionNotes: number;
  /** Tickets created and closed by the engine, and closes that flushed pending repeats. */
  created: number;
  closed: number;
  flushes: number;
}

/** The closing status of the bench's ticket settings. */
const CLOSING_STATUS = 203;

/**
 * Every accepted event accounted for: exactly one ticket (or a recorded skip, or resolved before
 * its ticket), its row in the state the bench left it (open, or resolved with the ticket closed),
 * and every occurrence counted: the row's (resolved) or the workflow's (open) occurrences are
 * 1 + the repeats accepted, and the occurrence notes plus those pending in the current window
 * cover every repeat.
 */
export function verify(
  tracked: readonly TrackedEvent[],
  rows: ReadonlyMap<string, EventRow>,
  progress: ReadonlyMap<string, Progress | { error: string }>,
  tickets: readonly SimTicketView[],
  notes: readonly SimNoteView[],
  xrefs: XRefs,
): Verdict {
  const byXref = new Map<string, SimTicketView[]>();
  for (const t of tickets)
    if (t.externalXRef) byXref.set(t.externalXRef, [...(byXref.get(t.externalXRef) ?? []), t]);
  const notesOf = new Map<number, SimNoteView[]>();
  for (const n of notes) notesOf.set(n.ticketId, [...(notesOf.get(n.ticketId) ?? []), n]);
  const v: Verdict = {
    events: 0,
    duplicates: [],
    lost: [],
    open: 0,
    resolved: 0,
    resolvedBeforeTicket: 0,
    skipped: 0,
    repeats: 0,
    repeatsNoted: 0,
    repeatsPending: 0,
    strayTickets: 0,
    occurrenceNotes: 0,
    resolutionNotes: 0,
    created: 0,
    closed: 0,
    flushes: 0,
  };
  const posted = new Set<string>();
  for (const e of tracked) {
    if (e.acceptedAt === undefined) continue;
    posted.add(xrefs.of(e.key));
    v.events += 1;
    v.repeats += e.repeats;
    const row = rows.get(e.key);
    const mine = byXref.get(xrefs.of(e.key)) ?? [];
    if (mine.length > 1) v.duplicates.push(e.key);
    const ticket = mine[0];
    if (ticket) v.created += 1;
    const texts = ticket ? (notesOf.get(ticket.id) ?? []).map((n) => n.text) : [];
    const noted = texts.reduce((sum, t) => sum + occurrencesInNote(t), 0);
    v.occurrenceNotes += texts.filter((t) => occurrencesInNote(t) > 0).length;
    const resolutions = texts.filter(isResolutionNote).length;
    v.resolutionNotes += resolutions;
    const lose = (why: string) => v.lost.push({ key: e.key, why });
    if (!row) {
      lose('no row');
      continue;
    }
    if (row.state === 'skipped') {
      v.skipped += 1;
      continue;
    }
    if (e.resolved) {
      if (row.state === 'resolved' && row.ticketId === null) {
        if (ticket) lose(`resolved before its ticket, but ticket ${ticket.id} exists`);
        else if (row.occurrences !== 1 + e.repeats)
          lose(
            `resolved before its ticket: ${row.occurrences} occurrences recorded of ${1 + e.repeats}`,
          );
        else v.resolvedBeforeTicket += 1;
        continue;
      }
      if (row.state !== 'resolved') {
        lose(`resolved, but its row is ${row.state} (${row.reason ?? 'no reason'})`);
        continue;
      }
      if (!ticket || ticket.id !== row.ticketId) {
        lose(`resolved, its row names ticket ${row.ticketId}, ConnectWise has ${ticket?.id}`);
        continue;
      }
      v.closed += 1;
      if (e.repeats > 0) v.flushes += 1;
      v.repeatsNoted += noted;
      if (!ticket.closedFlag || ticket.status.id !== CLOSING_STATUS)
        lose(`resolved, but ticket ${ticket.id} is in status ${ticket.status.id}`);
      else if (row.occurrences !== 1 + e.repeats)
        lose(`${row.occurrences} occurrences recorded of ${1 + e.repeats} posted`);
      else if (noted !== e.repeats) lose(`its notes count ${noted} of ${e.repeats} repeats`);
      else if (resolutions !== 1) lose(`${resolutions} resolution notes`);
      else v.resolved += 1;
      continue;
    }
    if (row.state !== 'open' || !ticket || ticket.id !== row.ticketId) {
      lose(`open, but its row is ${row.state} with ticket ${row.ticketId} (${row.reason ?? ''})`);
      continue;
    }
    const p = progress.get(e.key);
    if (!p || 'error' in p) {
      lose(`its workflow did not answer: ${p && 'error' in p ? p.error : 'not asked'}`);
      continue;
    }
    v.repeatsNoted += noted;
    v.repeatsPending += p.pendingOccurrences;
    if (p.occurrences !== 1 + e.repeats)
      lose(`its workflow counts ${p.occurrences} occurrences of ${1 + e.repeats} posted`);
    else if (noted + p.pendingOccurrences !== e.repeats)
      lose(`${noted} repeats in notes + ${p.pendingOccurrences} pending, of ${e.repeats}`);
    else v.open += 1;
  }
  for (const [xref, list] of byXref)
    if (xref.startsWith(xrefs.prefix) && !posted.has(xref)) v.strayTickets += list.length;
  return v;
}

/** The journal's `METHOD /template` of each ConnectWise call the ticket work makes. */
export const KINDS = {
  lookup: 'GET /service/tickets',
  create: 'POST /service/tickets',
  noteLookup: 'GET /service/tickets/{parentId}/notes',
  note: 'POST /service/tickets/{parentId}/notes',
  getTicket: 'GET /service/tickets/{id}',
  statuses: 'GET /service/boards/{parentId}/statuses',
  patch: 'PATCH /service/tickets/{id}',
} as const;

/**
 * The calls the outcomes needed, per kind: a lookup and a create per ticket; a marker lookup and
 * a POST per note (one per coalescing window: here the flush of the repeats pending at a resolve;
 * no 15-minute window closes during a shorter run); a resolve reads the ticket and its board's
 * statuses, posts the resolution note (with its lookup), PATCHes the status and reads it back.
 */
export function floorOf(
  v: Pick<Verdict, 'created' | 'closed' | 'flushes'>,
): Record<string, number> {
  const notes = v.flushes + v.closed;
  return {
    [KINDS.lookup]: v.created,
    [KINDS.create]: v.created,
    [KINDS.noteLookup]: notes,
    [KINDS.note]: notes,
    [KINDS.getTicket]: 2 * v.closed,
    [KINDS.statuses]: v.closed,
    [KINDS.patch]: v.closed,
  };
}

export const sum = (counts: Record<string, number>): number =>
  Object.values(counts).reduce((a, b) => a + b, 0);

/** The p-th percentile (0-100) by nearest rank; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/**
 * Accepted (the 202 of its first post, the bench's clock) → created (its row's last write while
 * it was `open` with no note: the write that recorded the ticket id, just after ConnectWise
 * answered the POST; read from the final row, or for a resolved event from the resolve's answer,
 * which shows the row before the close). Events with no such write are left out, and counted.
 * `fromPostMs`: the same from when the first post was sent (the API's own wait included).
 */
export function createLatencies(
  tracked: readonly TrackedEvent[],
  rows: ReadonlyMap<string, EventRow>,
): { ms: number[]; fromPostMs: number[]; leftOut: number } {
  const ms: number[] = [];
  const fromPostMs: number[] = [];
  let leftOut = 0;
  for (const e of tracked) {
    if (e.acceptedAt === undefined) continue;
    const row = rows.get(e.key);
    let created: number | undefined;
    if (e.resolved) {
      const r = e.atResolve;
      if (r && r.state === 'open' && r.notes === 0) created = Date.parse(r.updatedAt);
    } else if (row && row.state === 'open' && row.notes === 0) created = row.updatedAt;
    if (created === undefined) {
      leftOut += 1;
    } else {
      ms.push(created - e.acceptedAt);
      fromPostMs.push(created - e.postedAt);
    }
  }
  return { ms, fromPostMs, leftOut };
}

export interface PostFigures {
  kind: PostKind | 'all';
  sent: number;
  ok: number;
  p50: number;
  p99: number;
  max: number;
}

export function postFigures(posts: readonly PostRecord[]): PostFigures[] {
  const of = (kind: PostFigures['kind'], list: readonly PostRecord[]): PostFigures => {
    const answer = list.map((p) => p.answeredMs - p.sentMs);
    return {
      kind,
      sent: list.length,
      ok: list.filter((p) => p.ok).length,
      p50: percentile(answer, 50),
      p99: percentile(answer, 99),
      max: answer.length ? Math.max(...answer) : Number.NaN,
    };
  };
  const kinds: PostKind[] = ['new', 'repeat', 'resolve'];
  return [
    ...kinds.map((k) =>
      of(
        k,
        posts.filter((p) => p.kind === k),
      ),
    ),
    of('all', posts),
  ];
}

/** Posts per second over the load: sent (first to last send), and answered 202 in that span. */
export function rateOf(load: Pick<LoadResult, 'posts' | 'lastSentMs' | 'lastAnsweredMs'>) {
  const span = Math.max(1, load.lastSentMs) / 1000;
  const lateMs = Math.max(0, ...load.posts.map((p) => p.sentMs - p.dueMs));
  return {
    sentPerSecond: load.posts.length / span,
    okPerSecond: load.posts.filter((p) => p.ok).length / (Math.max(1, load.lastAnsweredMs) / 1000),
    /** The latest a post was sent after it was due (the driver falling behind). */
    lateMs,
  };
}

const ms = (n: number) => (Number.isNaN(n) ? 'n/a' : `${Math.round(n)} ms`);

export function postsTable(figures: readonly PostFigures[]): string {
  return table(
    ['posts', 'sent', '202 and accepted', 'answer p50', 'answer p99', 'answer max'],
    figures.map((f) => [f.kind, String(f.sent), String(f.ok), ms(f.p50), ms(f.p99), ms(f.max)]),
  );
}

/** The kinds a resolve makes (its per-resolve column). */
const RESOLVE_KINDS: ReadonlySet<string> = new Set([
  KINDS.noteLookup,
  KINDS.note,
  KINDS.getTicket,
  KINDS.statuses,
  KINDS.patch,
]);

export function callsTable(
  calls: Record<string, number>,
  floor: Record<string, number>,
  v: Pick<Verdict, 'events' | 'closed'>,
): string {
  const kinds = [...new Set([...Object.keys(floor), ...Object.keys(calls)])].sort();
  const per = (n: number, d: number) => (d ? (n / d).toFixed(2) : 'n/a');
  const rows = kinds.map((k) => [
    k,
    String(calls[k] ?? 0),
    String(floor[k] ?? 0),
    per(calls[k] ?? 0, v.events),
    RESOLVE_KINDS.has(k) ? per(calls[k] ?? 0, v.closed) : '',
  ]);
  rows.push(['total', String(sum(calls)), String(sum(floor)), per(sum(calls), v.events), '']);
  return table(
    ['ConnectWise calls by kind', 'calls', 'floor', 'per new event', 'per resolve (closed)'],
    rows,
  );
}

export interface Target {
  name: string;
  value: string;
  limit: string;
  pass: boolean;
  /** The figure before issue 18 §3, as its text measured it. */
  before?: string;
}

export function targetsOf(input: {
  verdict: Verdict;
  calls: Record<string, number>;
  floor: Record<string, number>;
  rate: number;
  sentPerSecond: number;
  posts: readonly PostRecord[];
  settled: boolean;
}): Target[] {
  const { verdict: v, calls, floor } = input;
  const over = Object.keys({ ...calls, ...floor }).filter((k) => (calls[k] ?? 0) > (floor[k] ?? 0));
  const failed = input.posts.filter((p) => !p.ok).length;
  return [
    {
      name: 'duplicate tickets (event keys with more than one)',
      value: String(v.duplicates.length + v.strayTickets),
      limit: '0',
      pass: v.duplicates.length + v.strayTickets === 0,
    },
    {
      name: 'lost events (not a ticket, a note, a pending repeat or a recorded skip)',
      value: String(v.lost.length),
      limit: '0',
      pass: v.lost.length === 0 && input.settled,
    },
    {
      name: 'ConnectWise calls vs the floor',
      value: `${sum(calls)} / ${sum(floor)} = ${(sum(calls) / Math.max(1, sum(floor))).toFixed(2)}×${over.length ? ` (over in ${over.join(', ')})` : ''}`,
      limit: '≤ 1.00× in every kind',
      pass: over.length === 0,
    },
    {
      name: 'posting rate sustained, every post answered 202',
      value: `${input.sentPerSecond.toFixed(1)}/s, ${failed} not 202`,
      limit: `≥ ${(input.rate * 0.95).toFixed(1)}/s, 0`,
      pass: input.sentPerSecond >= input.rate * 0.95 && failed === 0,
    },
  ];
}

export function targetsTable(targets: readonly Target[]): string {
  return table(
    ['target', 'before (issue 18)', 'measured', 'limit', 'result'],
    targets.map((t) => [t.name, t.before ?? '', t.value, t.limit, t.pass ? 'PASS' : 'FAIL']),
  );
}

/** The engine's processes (the bench driver and the simulator are not the engine). */
const ENGINE = ['worker process', 'API process', 'FerretDB', POSTGRES, 'Temporal server'];

/** Milliseconds of engine CPU per new event. */
export function engineCpuPerEvent(
  cpu: Record<string, number | undefined>,
  newEvents: number,
): number {
  const total = ENGINE.reduce((sum, name) => sum + (cpu[name] ?? 0), 0);
  return (total * 1000) / Math.max(1, newEvents);
}

const p = (values: readonly number[], at: number) => ms(percentile(values, at));

export function batchesText(b: BatchFigures): string {
  const answers = table(
    ['batches of 500', 'answers', '202', '429 waited out', 'answer p50', 'answer p99', 'max'],
    [
      [
        String(b.batches),
        String(b.answerMs.length),
        String(b.statuses.filter((s) => s === 202).length),
        String(b.throttled),
        p(b.answerMs, 50),
        p(b.answerMs, 99),
        ms(Math.max(...b.answerMs)),
      ],
    ],
  );
  return (
    `${answers}\n\n${b.reports} reports of ${b.keys} keys accepted; every key's ticket ` +
    `${b.settledMs === undefined ? 'NOT created within the settle time' : `created ${(b.settledMs / 1000).toFixed(1)} s after the first batch`}; ` +
    `keys with more than one ticket: ${b.duplicates.length}, with none: ${b.missing.length}, ` +
    `whose workflow counted other than the reports sent: ${b.miscounted.length}` +
    (b.byApi.length > 1
      ? `\nreports accepted per API process (each batch dealt among them, every key through each): ${b.byApi.join(' / ')}`
      : '') +
    (b.byWorker
      ? `\nof ${b.byWorker.sampled} keys' ticket workflows, by worker process (Temporal identity): workflows begun ${[...b.byWorker.workflows].map(([w, n]) => `${w}: ${n}`).join(', ')}; ${b.byWorker.activities.size > 0 ? `activity attempts ${[...b.byWorker.activities].map(([w, n]) => `${w}: ${n}`).join(', ')}` : 'their steps are local activities, run by the worker that runs the workflow'}`
      : '')
  );
}

export function stepsTable(steps: readonly StepFigures[]): string {
  return table(
    [
      'step (new events/s)',
      'accepted',
      'answer p99',
      '429s',
      'accepted → created p50',
      'p99',
      'duplicates',
      'no ticket',
    ],
    steps.map((s) => [
      String(s.rate),
      `${s.accepted}/${s.posts}`,
      p(s.answerMs, 99),
      String(s.throttled),
      p(s.createdMs, 50),
      p(s.createdMs, 99),
      String(s.duplicates),
      String(s.missing),
    ]),
  );
}

export function callbacksText(c: CallbackFigures): string {
  return (
    `two-way: the first delivery (the receiver fetched the signing key) answered in ${c.firstMs === undefined ? 'n/a' : `${c.firstMs} ms`}; then ` +
    `${c.closes} tickets closed by a technician; ${c.answerMs.length} signed deliveries ` +
    `(statuses ${JSON.stringify(c.statuses)}) answered p50 ${p(c.answerMs, 50)}, p99 ${p(c.answerMs, 99)}; ` +
    `the row said closed_in_connectwise after p50 ${p(c.shownMs, 50)}, p99 ${p(c.shownMs, 99)} ` +
    `(seen by a 500 ms poll); ${c.notShown} never`
  );
}

export function alongsideText(a: {
  solo: StepFigures;
  withBilling: StepFigures;
  billingWallMs: number;
}): string {
  return table(
    ['20 new events/s', 'accepted → created p50', 'p99', 'no ticket'],
    [
      ['alone', p(a.solo.createdMs, 50), p(a.solo.createdMs, 99), String(a.solo.missing)],
      [
        `beside billing's first sync (${(a.billingWallMs / 1000).toFixed(0)} s)`,
        p(a.withBilling.createdMs, 50),
        p(a.withBilling.createdMs, 99),
        String(a.withBilling.missing),
      ],
    ],
  );
}

/** Issue 18 §3's targets, beside the figures its text measured before. */
export function intakeTargets(m: {
  /** The mixed load's posts a second. */
  rate: number;
  answers: readonly number[];
  cpuPerEvent: number;
  batches?: BatchFigures;
  steps: readonly StepFigures[];
  callbacks?: CallbackFigures;
  alongside?: { solo: StepFigures; withBilling: StepFigures };
}): Target[] {
  const targets: Target[] = [
    {
      name: `every answer at ${m.rate} posts/s (202, or 429 waited out), p99`,
      before: 'p50 19 s, p99 28 s',
      value: p(m.answers, 99),
      limit: '≤ 500 ms',
      pass: percentile(m.answers, 99) <= 500,
    },
    {
      name: 'engine CPU per new event',
      before: '~130 ms',
      value: `${m.cpuPerEvent.toFixed(1)} ms`,
      limit: '≤ 65 ms',
      pass: m.cpuPerEvent <= 65,
    },
  ];
  if (m.batches) {
    const b = m.batches;
    const wrong = b.duplicates.length + b.missing.length + b.miscounted.length;
    targets.push(
      {
        name: `a 500-event batch answered (p99 of ${b.batches})`,
        before: '13–16 s',
        value: p(b.answerMs, 99),
        limit: '≤ 1 s',
        pass: percentile(b.answerMs, 99) <= 1000 && b.statuses.every((s) => s === 202),
      },
      {
        name: 'batches: keys with a duplicate, no ticket, or a miscount',
        value: String(wrong),
        limit: '0',
        pass: wrong === 0 && b.settledMs !== undefined,
      },
    );
  }
  if (m.steps.length > 0) {
    const rate = sustainedRate(m.steps);
    const wrong = m.steps.reduce((n, s) => n + s.duplicates, 0);
    targets.push(
      {
        name: `highest step rate with accepted → created p99 ≤ ${STEP_P99_LIMIT_MS / 1000} s`,
        before: '~15 new events/s',
        value: `${rate} new events/s`,
        limit: '≥ 30/s',
        pass: rate >= 30,
      },
      {
        name: 'step load: duplicate tickets',
        value: String(wrong),
        limit: '0',
        pass: wrong === 0,
      },
    );
  }
  if (m.callbacks) {
    const c = m.callbacks;
    const refused = Object.entries(c.statuses).filter(([status]) => status !== '204');
    targets.push(
      {
        name: "ConnectWise's callback answered by the engine, p99 (signing key cached)",
        value: `${p(c.answerMs, 99)} (${c.answerMs.length} deliveries)`,
        limit: '≤ 100 ms',
        pass: c.answerMs.length > 0 && percentile(c.answerMs, 99) <= 100 && refused.length === 0,
      },
      {
        name: "a technician's close shows on the event's row (p99; not shown)",
        value: `${p(c.shownMs, 99)}; ${c.notShown}`,
        limit: '≤ 10 s; 0',
        pass: c.closes > 0 && c.notShown === 0 && percentile(c.shownMs, 99) <= 10_000,
      },
    );
  }
  if (m.alongside) {
    const solo = percentile(m.alongside.solo.createdMs, 99);
    const beside = percentile(m.alongside.withBilling.createdMs, 99);
    targets.push({
      name: "ticket latency (accepted → created p99) beside billing's first sync vs alone",
      value: `${ms(beside)} vs ${ms(solo)} = ${(beside / solo).toFixed(2)}×`,
      limit: '≤ 2×',
      pass: beside <= 2 * solo && m.alongside.withBilling.missing === 0,
    });
  }
  return targets;
}
