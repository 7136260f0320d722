import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { SecurityEvent, TicketState } from '../domain/tickets/event';
import { addOccurrence, afterFirst, type OccurrenceBatch } from '../domain/tickets/occurrences';
import type { StepResult, TicketTimes } from '../domain/tickets/steps';
import {
  eventOccurredSignal,
  eventResolvedSignal,
  ticketChangedSignal,
  ticketProgressQuery,
  ticketWakeSignal,
  type EventResolved,
} from './ticket-messages';
import {
  databaseDown,
  failureText,
  heldBecause,
  integrationGone,
  ticketLocalSteps,
  ticketStepsOn,
} from './ticket-steps';

export interface TicketWorkflowInput {
  partnerId: string;
  integrationId: string;
  /** The event as first reported; later reports of the key are occurrences. */
  event: SecurityEvent;
  /** The state a continued-as-new run takes over. */
  carried?: TicketCarried;
  /** History events before continuing as new (tests lower it); default HISTORY_LIMIT. */
  historyLimit?: number;
  /** Where the steps run (TEMPORAL_TICKET_TASK_QUEUE); absent: this workflow's task queue. */
  activityTaskQueue?: string;
}

/**
 * A write to the ticket that was under way when the run continued as new: the next run finishes
 * it with the same sequence number (the same note marker), so it is neither lost nor doubled.
 */
export type InFlight =
  | { kind: 'note'; seq: number; batch: OccurrenceBatch }
  | { kind: 'close'; seq: number }
  | { kind: 'reopen'; seq: number; at: string };

/** Everything the workflow knows, carried across continue-as-new. */
export interface TicketCarried {
  phase: 'create' | 'open' | 'closed';
  generation: number;
  /** Tickets this chain of runs began before the current one (a new one after a resolve). */
  cycle: number;
  /** ISO time of the current ticket's first occurrence, when it is not the input event's. */
  since?: string;
  ticketId?: number;
  occurrences: number;
  /** Occurrences not written in a note yet (the first one is the ticket itself). */
  pending: OccurrenceBatch | null;
  noteSeq: number;
  inFlight?: InFlight;
  /** Workflow time of the last note (or of the create / reopen). */
  lastNoteAt: number;
  resolve?: EventResolved;
  /**
   * A resolve that came while `resolve` was being applied (its close under way), after reports
   * newer than it: it resolves those, once the close is done.
   */
  nextResolve?: EventResolved;
  /** ISO time of the resolve that closed the ticket: reports of earlier occurrences only count. */
  resolvedAt?: string;
  /** Occurrences counted after the resolve and not recorded yet. */
  countedLate: number;
  /** The ticket was deleted in ConnectWise: the next occurrence is a new ticket. */
  deleted?: boolean;
  closedAt?: number;
  times: TicketTimes;
  /** The reason last recorded for a held step, so each reason is recorded once. */
  heldReason?: string;
  /** The key's current ticket (generation) was decided (absent: before the open step did it). */
  begun?: boolean;
  /** The latest reports' ids (EventOccurred.reportId), newest last: a repeat is not counted. */
  reports?: string[];
}

/** Report ids remembered: a report handed over twice comes again within seconds or minutes. */
const REPORTS_KEPT = 200;
const BACKOFF_MS = [15_000, 30_000, 60_000, 120_000, 300_000, 600_000];
/** Well under Temporal's 10,000-event warning, however long an event repeats or waits. */
const HISTORY_LIMIT = 2_000;
const HOUR_MS = 3_600_000;
const DEFAULT_TIMES: TicketTimes = {
  noteWindowMinutes: 15,
  reopenWindowHours: 0,
  maxEventAgeHours: 168,
};

type Ended = { end: TicketState; counted?: true };

/**
 * One security event's ticket (id `ticket:<integrationId>:<key>`), from its first report to its
 * close: created exactly once (externalXRef looked up first), repeats coalesced into one note per
 * window, closed with the closing status on resolve, reopened within the reopen window, and a new
 * ticket for occurrences after it. A step ConnectWise, the database or the integration cannot
 * take now (paused, keys rejected, ConnectWise or the database down, settings invalid) is held in
 * the workflow and tried again, with backoff or when woken, so no event is lost; an event not
 * seen for the maximum age while held is recorded as expired.
 */
export async function ticketWorkflow(input: TicketWorkflowInput): Promise<TicketState> {
  const scope = { partnerId: input.partnerId, integrationId: input.integrationId };
  const ticketSteps = ticketStepsOn(input.activityTaskQueue);
  const s: TicketCarried = input.carried ?? {
    phase: 'create',
    generation: 0,
    cycle: 0,
    occurrences: 0,
    pending: null,
    noteSeq: 0,
    lastNoteAt: 0,
    countedLate: 0,
    times: DEFAULT_TIMES,
  };
  let state: TicketState =
    s.phase === 'create' ? 'pending' : s.phase === 'open' ? 'open' : 'resolved';
  let woken = false;
  setHandler(eventOccurredSignal, ({ at, reportId }) => {
    if (reportId !== undefined) {
      const reports = (s.reports ??= []);
      if (reports.includes(reportId)) return;
      reports.push(reportId);
      if (reports.length > REPORTS_KEPT) reports.shift();
    }
    s.occurrences += 1;
    // The first report is the ticket itself; only what follows is a repeat to note.
    if (s.phase === 'create' && s.occurrences === 1) return;
    // A report of an occurrence from before the resolve (a vendor re-sending) changes nothing.
    const resolvedAt = s.resolve?.at ?? (s.phase === 'closed' ? s.resolvedAt : undefined);
    if (resolvedAt !== undefined && Date.parse(at) < Date.parse(resolvedAt)) {
      s.countedLate += 1;
      return;
    }
    s.pending = addOccurrence(s.pending, at);
  });
  setHandler(eventResolvedSignal, (resolved) => {
    // The ticket is finished (closed, resolved, deleted) with no report since and no write under
    // way: nothing to close. The API tells a running workflow every resolve (a report may have
    // begun the next ticket before the row shows it); one kept would close the ticket the next
    // occurrence reopens.
    const finished = s.phase === 'closed' && s.pending === null && s.inFlight === undefined;
    if (finished) return;
    // Reports since the resolve being applied (older ones only count while it is): this one is
    // theirs, applied once the close under way is done (the close used to drop it, and the ticket
    // those reports made stayed open: found by the chaos suite with the worker killed mid-close).
    const next = s.resolve !== undefined && s.inFlight?.kind === 'close' && s.pending !== null;
    if (next) {
      s.nextResolve ??= resolved;
      return;
    }
    s.resolve ??= resolved;
    // A step held before the ticket exists is tried again now, to find out there is none.
    if (s.phase === 'create') woken = true;
  });
  setHandler(ticketWakeSignal, () => {
    woken = true;
  });
  // What a technician did in ConnectWise (workflows/ticket-watch.ts read it back).
  setHandler(ticketChangedSignal, (change) => {
    if (change.ticketId !== s.ticketId) return;
    if (change.kind === 'deleted') {
      s.deleted = true;
      s.phase = 'closed';
      s.closedAt ??= Date.now();
      state = 'deleted_in_connectwise';
    } else if (change.kind === 'closed') {
      // Our own close is under way or done: nothing a technician did.
      if (s.phase !== 'open' || s.resolve || s.inFlight?.kind === 'close') return;
      s.phase = 'closed';
      s.closedAt = Date.now();
      s.resolvedAt = change.at ?? new Date().toISOString();
      // Repeats not noted yet that happened before the close: counted, not a reason to reopen.
      // ConnectWise stamps the close to the second: a repeat within that second counts as before.
      // One after it is the next ticket's: the watch records the close on the row before it tells
      // this workflow, so a report sent once the row shows it can arrive first (the chaos suite).
      const after =
        s.pending !== null && Date.parse(s.pending.last) >= Date.parse(s.resolvedAt) + 1_000;
      if (!after) {
        s.countedLate += s.pending?.count ?? 0;
        s.pending = null;
      }
      state = 'closed_in_connectwise';
    } else if (s.phase === 'closed' && !s.deleted && s.inFlight === undefined) {
      s.phase = 'open';
      s.resolvedAt = undefined;
      s.lastNoteAt = Date.now();
      state = 'open';
    }
  });
  setHandler(ticketProgressQuery, () => ({
    state,
    ...(s.heldReason ? { reason: s.heldReason } : {}),
    generation: s.generation,
    ...(s.ticketId ? { ticketId: s.ticketId } : {}),
    occurrences: s.occurrences,
    pendingOccurrences: s.pending?.count ?? 0,
    notes: s.noteSeq,
  }));

  /** The event as the current ticket stands for it (a later ticket: from its own first occurrence). */
  const event = (): SecurityEvent =>
    s.since ? { ...input.event, occurredAt: s.since } : input.event;
  const ref = () => ({ ...scope, key: input.event.key, generation: s.generation });
  const lastSeen = () => s.pending?.last ?? event().occurredAt;

  /** Records what the workflow itself decided, waiting out a database that does not answer. */
  async function record(update: { state?: TicketState; reason?: string }): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await ticketLocalSteps.recordTicketEvent({
          ref: ref(),
          event: event(),
          update: { ...update, occurrences: s.occurrences },
        });
        s.countedLate = 0;
        return;
      } catch (err) {
        if (heldBecause(err) === undefined) throw err;
        await sleep(BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!);
      }
    }
  }

  /** Records an end the workflow itself decided (expired, a refused step). */
  async function ended(end: TicketState, reason: string): Promise<Ended> {
    // With the occurrences: an event expired before its ticket had its repeats in no row and no
    // note (bench:tickets found them missing).
    await record({ state: end, reason });
    return { end };
  }

  /**
   * Runs a step until it is done, holding it (backoff, or until woken) while it cannot be: the
   * integration paused, keys rejected, ConnectWise or the database down. `giveUp` ends the wait
   * (recorded).
   */
  async function untilDone<T>(
    step: () => Promise<StepResult<T>>,
    giveUp: () => { end: TicketState; reason: string } | undefined = () => undefined,
  ): Promise<T | Ended> {
    for (let attempt = 0; ; attempt++) {
      woken = false;
      let retryInMs: number | undefined;
      try {
        const r = await step();
        if ('end' in r) return { end: r.end, ...(r.counted ? { counted: true as const } : {}) };
        if (r.times) s.times = r.times;
        if ('done' in r) {
          s.heldReason = undefined;
          return r.done;
        }
        s.heldReason = r.held; // the step recorded it
        retryInMs = r.retryInMs;
      } catch (err) {
        if (integrationGone(err)) return { end: state };
        const why = heldBecause(err);
        if (why === undefined) return await ended('failed', failureText(err));
        if (s.heldReason !== why) {
          s.heldReason = why;
          // The database down cannot record it; the row says `pending` meanwhile anyway.
          if (!databaseDown(err)) await record({ reason: why });
        }
      }
      // The step's own time (a create in doubt), else the backoff.
      const delay = retryInMs ?? BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!;
      // Reports keep coming while a step is held (an alert storm during an outage): the history
      // is watched too, so a long hold never outgrows it.
      await condition(() => woken || giveUp() !== undefined || tooLong(), delay);
      const stop = giveUp();
      if (stop) return await ended(stop.end, stop.reason);
      await maybeContinue();
    }
  }

  function tooLong(): boolean {
    const info = workflowInfo();
    return (
      info.continueAsNewSuggested || info.historyLength > (input.historyLimit ?? HISTORY_LIMIT)
    );
  }

  async function maybeContinue(): Promise<void> {
    if (tooLong()) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof ticketWorkflow>({ ...input, carried: s });
    }
  }

  /** While no ticket exists: expired once unseen for too long. */
  const createGiveUp = () => {
    const age = Date.now() - Date.parse(lastSeen());
    if (age <= s.times.maxEventAgeHours * HOUR_MS) return undefined;
    return {
      end: 'expired' as const,
      reason: `not seen for ${s.times.maxEventAgeHours} h while no ticket could be created`,
    };
  };

  /**
   * The ticket, found or made; resolved first, only found (one may exist from an earlier run, or
   * from a create whose answer was lost), so it is closed rather than left open.
   */
  async function create(): Promise<Ended | undefined> {
    // The first attempt always goes: a late report of a resolved event is only counted there,
    // and the maximum age is about waiting, which ends after a hold (createGiveUp).
    const runId = workflowInfo().firstExecutionRunId;
    const opened = await untilDone(
      () =>
        ticketLocalSteps.openEventTicket({
          ref: ref(),
          event: event(),
          occurrences: s.occurrences,
          lastSeen: lastSeen(),
          beganBy: s.cycle === 0 ? runId : `${runId}/${s.cycle}`,
          ...(s.resolve ? { adoptOnly: true } : {}),
        }),
      createGiveUp,
    );
    if ('end' in opened) return opened;
    s.ticketId = opened.ticketId;
    s.generation = opened.generation;
    s.begun = true;
    s.lastNoteAt = Date.now();
    s.phase = 'open';
    state = 'open';
    return undefined;
  }

  /** The write under way (s.inFlight), to its end; a continued run finishes it the same way. */
  async function finishInFlight(): Promise<Ended | undefined> {
    const op = s.inFlight;
    if (!op) return undefined;
    const common = { ref: ref(), event: event(), ticketId: s.ticketId!, seq: op.seq };
    let result: Ended | boolean | 'resolved' | 'reopened';
    if (op.kind === 'note') {
      result = await untilDone(() =>
        ticketSteps.noteEventTicket({ ...common, batch: op.batch, occurrences: s.occurrences }),
      );
      s.lastNoteAt = Date.now();
    } else if (op.kind === 'close') {
      const resolution = s.resolve?.resolution;
      const resolvedAt = s.resolve?.at ?? new Date().toISOString();
      result = await untilDone(() =>
        ticketSteps.closeEventTicket({
          ...common,
          ...(resolution ? { resolution } : {}),
          resolvedAt,
          occurrences: s.occurrences,
        }),
      );
      s.resolvedAt = resolvedAt;
      s.resolve = s.nextResolve;
      s.nextResolve = undefined;
      s.phase = 'closed';
      s.closedAt = Date.now();
    } else {
      result = await untilDone(() =>
        ticketSteps.reopenEventTicket({ ...common, at: op.at, occurrences: s.occurrences }),
      );
      if (typeof result !== 'object') {
        s.phase = 'open';
        s.resolvedAt = undefined;
        s.lastNoteAt = Date.now();
      }
    }
    s.inFlight = undefined;
    return typeof result === 'object' ? result : undefined;
  }

  /** Writes the repeats gathered so far in one note. */
  async function writeNote(): Promise<Ended | undefined> {
    const batch = s.pending!;
    s.pending = null;
    s.inFlight = { kind: 'note', seq: ++s.noteSeq, batch };
    return await finishInFlight();
  }

  /** Repeats become one note per window, until the event is resolved (or closed in ConnectWise). */
  async function whileOpen(): Promise<Ended | undefined> {
    const open = () => s.phase === 'open' && !s.resolve;
    while (open()) {
      await condition(() => !open() || s.pending !== null || tooLong());
      await maybeContinue();
      const due = s.lastNoteAt + s.times.noteWindowMinutes * 60_000;
      // Each report is a signal in the history: a storm inside one window continues as new
      // (the batch and the window's start are carried), it never outgrows the history.
      while (open() && Date.now() < due) {
        await condition(() => !open() || tooLong(), due - Date.now());
        await maybeContinue();
      }
      if (!open()) break;
      const noted = s.pending ? await writeNote() : undefined;
      if (noted) return noted;
      await maybeContinue();
    }
    return undefined;
  }

  async function close(): Promise<TicketState> {
    // Repeats still pending when the resolve came during the create (or during a note), which
    // whileOpen never waited on, go in one note before the close: bench:tickets found them
    // dropped here (counted in occurrences, in no note).
    if (s.pending) {
      const noted = await writeNote();
      if (noted) return noted.end;
    }
    s.inFlight = { kind: 'close', seq: ++s.noteSeq };
    const closed = await finishInFlight();
    return closed ? closed.end : 'resolved';
  }

  /**
   * An occurrence within the reopen window reopens the ticket (as does a technician, in
   * ConnectWise); true when it is open again.
   */
  async function reopenWithinWindow(): Promise<boolean> {
    const until = s.closedAt! + s.times.reopenWindowHours * HOUR_MS;
    const reopened = () => s.phase === 'open';
    if (Date.now() >= until || s.deleted) return reopened();
    const any = () => s.pending !== null || reopened() || s.deleted === true;
    if (!(await condition(any, until - Date.now()))) return false;
    if (reopened()) return true;
    if (s.deleted) return false;
    await maybeContinue();
    s.inFlight = { kind: 'reopen', seq: ++s.noteSeq, at: s.pending!.first };
    s.pending = afterFirst(s.pending);
    const ended = await finishInFlight();
    if (ended) {
      state = ended.end;
      return false;
    }
    return true;
  }

  /** Occurrences after the resolve, once the reopen window passed (or is 0): a new ticket. */
  function nextTicket(): void {
    const batch = s.pending!;
    s.cycle += 1;
    s.since = batch.first;
    s.occurrences = batch.count;
    s.pending = afterFirst(batch);
    Object.assign(s, { phase: 'create', noteSeq: 0, begun: false });
    s.ticketId = undefined;
    s.resolvedAt = undefined;
    s.closedAt = undefined;
    s.deleted = undefined;
    state = 'pending';
  }

  /** The end, with occurrences counted since the last record written. */
  async function finish(end: TicketState): Promise<TicketState> {
    state = end;
    if (s.countedLate > 0) await record({});
    return end;
  }

  // A run continued while a write was under way finishes it first.
  if (s.inFlight) {
    const ended = await finishInFlight();
    if (ended) return await finish(ended.end);
    state = s.phase === 'open' ? 'open' : 'resolved';
  }
  for (;;) {
    if (s.phase === 'create') {
      const ended = await create();
      // Every occurrence the run knew was from before the last resolve: only counted; reports
      // that came in meanwhile may be newer.
      if (ended?.counted && s.pending) {
        nextTicket();
        continue;
      }
      if (ended) return await finish(ended.end);
    }
    if (s.phase === 'open') {
      const stopped = await whileOpen();
      if (stopped) return await finish(stopped.end);
      // Still open: resolved by the vendor (a technician's close moved it to closed already).
      if (s.phase === 'open') {
        const closed = await close();
        if (closed !== 'resolved') return await finish(closed);
        state = 'resolved';
      }
    }
    if (await reopenWithinWindow()) {
      state = 'open';
      continue;
    }
    // Occurrences after the close (ours or a technician's), or after a delete: a new ticket.
    // (`state` is read through a widened alias: signal handlers change it while this waits.)
    const now = state as TicketState;
    // (A reopen step that found the ticket gone ends `deleted_in_connectwise`.)
    const finished =
      now === 'resolved' || now === 'closed_in_connectwise' || now === 'deleted_in_connectwise';
    if (s.pending && (finished || s.deleted)) {
      nextTicket();
      continue;
    }
    return await finish(state);
  }
}
