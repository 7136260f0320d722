import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { SecurityEvent, TicketState } from '../domain/tickets/event';
import { addOccurrence, afterFirst, type OccurrenceBatch } from '../domain/tickets/occurrences';
import type { StepResult, TicketTimes } from '../domain/tickets/steps';
import {
  eventOccurredSignal,
  eventResolvedSignal,
  ticketProgressQuery,
  ticketWakeSignal,
  type EventResolved,
} from './ticket-messages';
import { failureText, heldBecause, integrationGone, ticketSteps } from './ticket-steps';

export interface TicketWorkflowInput {
  partnerId: string;
  integrationId: string;
  /** The event as first reported; later reports of the key are occurrences. */
  event: SecurityEvent;
  /** The state a continued-as-new run takes over. */
  carried?: TicketCarried;
  /** History events before continuing as new (tests lower it); default HISTORY_LIMIT. */
  historyLimit?: number;
}

/** Everything the workflow knows, carried across continue-as-new. */
export interface TicketCarried {
  phase: 'create' | 'open' | 'closed';
  generation: number;
  ticketId?: number;
  occurrences: number;
  /** Occurrences not written in a note yet (the first one is the ticket itself). */
  pending: OccurrenceBatch | null;
  noteSeq: number;
  /** Workflow time of the last note (or of the create / reopen). */
  lastNoteAt: number;
  resolve?: EventResolved;
  closedAt?: number;
  times: TicketTimes;
  /** The reason last recorded for a held step, so each reason is recorded once. */
  heldReason?: string;
  /** The key's current ticket (generation) was decided (absent: before the open step did it). */
  begun?: boolean;
}

/** The open step decides the generation itself: one activity (and workflow task) less an event. */
export const BEGIN_IN_OPEN_PATCH = 'ticket-begin-in-open';

const BACKOFF_MS = [15_000, 30_000, 60_000, 120_000, 300_000, 600_000];
/** Well under Temporal's 10,000-event warning, however long an event repeats or waits. */
const HISTORY_LIMIT = 2_000;
const HOUR_MS = 3_600_000;
const DEFAULT_TIMES: TicketTimes = {
  noteWindowMinutes: 15,
  reopenWindowHours: 0,
  maxEventAgeHours: 168,
};

type Ended = { end: TicketState };

/**
 * One security event's ticket (id `ticket:<integrationId>:<key>`), from its first report to its
 * close: created exactly once (externalXRef looked up first), repeats coalesced into one note per
 * window, closed with the closing status on resolve, reopened within the reopen window. A step
 * ConnectWise or the integration cannot take now (paused, keys rejected, ConnectWise down,
 * settings invalid) is held in the workflow and tried again, with backoff or when woken, so no
 * event is lost; an event not seen for the maximum age while held is recorded as expired.
 */
export async function ticketWorkflow(input: TicketWorkflowInput): Promise<TicketState> {
  const { event } = input;
  const scope = { partnerId: input.partnerId, integrationId: input.integrationId };
  const s: TicketCarried = input.carried ?? {
    phase: 'create',
    generation: 0,
    occurrences: 0,
    pending: null,
    noteSeq: 0,
    lastNoteAt: 0,
    times: DEFAULT_TIMES,
  };
  let state: TicketState =
    s.phase === 'create' ? 'pending' : s.phase === 'open' ? 'open' : 'resolved';
  let woken = false;
  setHandler(eventOccurredSignal, ({ at }) => {
    s.occurrences += 1;
    // The first report is the ticket itself; only what follows is a repeat to note.
    if (s.phase === 'create' && s.occurrences === 1) return;
    s.pending = addOccurrence(s.pending, at);
  });
  setHandler(eventResolvedSignal, (resolved) => {
    s.resolve ??= resolved;
  });
  setHandler(ticketWakeSignal, () => {
    woken = true;
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

  const ref = () => ({ ...scope, key: event.key, generation: s.generation });
  const lastSeen = () => s.pending?.last ?? event.occurredAt;

  /** Records an end the workflow itself decided (expired, resolved first, a refused step). */
  async function ended(end: TicketState, reason: string): Promise<Ended> {
    // With the occurrences: an event resolved (or expired) before its ticket had its repeats in
    // no row and no note (bench:tickets found them missing).
    await ticketSteps.recordTicketEvent({
      ref: ref(),
      event,
      update: { state: end, reason, occurrences: s.occurrences },
    });
    return { end };
  }

  /**
   * Runs a step until it is done, holding it (backoff, or until woken) while it cannot be: the
   * integration paused, keys rejected, ConnectWise down. `giveUp` ends the wait (recorded).
   */
  async function untilDone<T>(
    step: () => Promise<StepResult<T>>,
    giveUp: () => { end: TicketState; reason: string } | undefined = () => undefined,
  ): Promise<T | Ended> {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await step();
        if ('end' in r) return { end: r.end };
        if (r.times) s.times = r.times;
        if ('done' in r) {
          s.heldReason = undefined;
          return r.done;
        }
        s.heldReason = r.held; // the step recorded it
      } catch (err) {
        if (integrationGone(err)) return { end: state };
        const why = heldBecause(err);
        if (why === undefined) return await ended('failed', failureText(err));
        if (s.heldReason !== why) {
          s.heldReason = why;
          await ticketSteps.recordTicketEvent({ ref: ref(), event, update: { reason: why } });
        }
      }
      woken = false;
      const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!;
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

  /** While no ticket exists: expired once unseen for too long, or resolved before it was made. */
  const createGiveUp = () => {
    if (s.resolve)
      return { end: 'resolved' as const, reason: 'resolved before a ticket could be created' };
    const age = Date.now() - Date.parse(lastSeen());
    if (age <= s.times.maxEventAgeHours * HOUR_MS) return undefined;
    return {
      end: 'expired' as const,
      reason: `not seen for ${s.times.maxEventAgeHours} h while no ticket could be created`,
    };
  };

  async function create(): Promise<Ended | undefined> {
    const expired = createGiveUp();
    if (expired) return await ended(expired.end, expired.reason);
    const opened = await untilDone(
      () =>
        ticketSteps.openEventTicket({
          ref: ref(),
          event,
          occurrences: s.occurrences,
          lastSeen: lastSeen(),
          ...(s.begun ? {} : { beganBy: workflowInfo().firstExecutionRunId }),
        }),
      createGiveUp,
    );
    if ('end' in opened) return opened;
    s.ticketId = opened.ticketId;
    if (!s.begun) s.generation = opened.generation ?? s.generation;
    s.begun = true;
    s.lastNoteAt = Date.now();
    s.phase = 'open';
    state = 'open';
    return undefined;
  }

  async function writeNote(batch: OccurrenceBatch): Promise<Ended | undefined> {
    const seq = ++s.noteSeq;
    const noted = await untilDone(() =>
      ticketSteps.noteEventTicket({
        ref: ref(),
        event,
        ticketId: s.ticketId!,
        seq,
        batch,
        occurrences: s.occurrences,
      }),
    );
    s.lastNoteAt = Date.now();
    return typeof noted === 'object' ? noted : undefined;
  }

  /** Repeats become one note per window, until the event is resolved. */
  async function whileOpen(): Promise<Ended | undefined> {
    while (!s.resolve) {
      await condition(() => s.resolve !== undefined || s.pending !== null || tooLong());
      await maybeContinue();
      const due = s.lastNoteAt + s.times.noteWindowMinutes * 60_000;
      // Each report is a signal in the history: a storm inside one window continues as new
      // (the batch and the window's start are carried), it never outgrows the history.
      while (!s.resolve && Date.now() < due) {
        await condition(() => s.resolve !== undefined || tooLong(), due - Date.now());
        await maybeContinue();
      }
      const batch = s.pending;
      s.pending = null;
      const noted = batch ? await writeNote(batch) : undefined;
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
      const batch = s.pending;
      s.pending = null;
      const noted = await writeNote(batch);
      if (noted) return noted.end;
    }
    const seq = ++s.noteSeq;
    const resolution = s.resolve?.resolution;
    const closed = await untilDone(() =>
      ticketSteps.closeEventTicket({
        ref: ref(),
        event,
        ticketId: s.ticketId!,
        seq,
        ...(resolution ? { resolution } : {}),
        occurrences: s.occurrences,
      }),
    );
    s.resolve = undefined;
    s.pending = null;
    s.phase = 'closed';
    s.closedAt = Date.now();
    return typeof closed === 'object' ? closed.end : closed;
  }

  /** An occurrence within the reopen window reopens the ticket; true when it did. */
  async function reopenWithinWindow(): Promise<boolean> {
    const until = s.closedAt! + s.times.reopenWindowHours * HOUR_MS;
    if (Date.now() >= until) return false;
    if (!(await condition(() => s.pending !== null, until - Date.now()))) return false;
    await maybeContinue();
    const at = s.pending!.first;
    s.pending = afterFirst(s.pending);
    const seq = ++s.noteSeq;
    const reopened = await untilDone(() =>
      ticketSteps.reopenEventTicket({
        ref: ref(),
        event,
        ticketId: s.ticketId!,
        seq,
        at,
        occurrences: s.occurrences,
      }),
    );
    if (typeof reopened === 'object') {
      state = reopened.end;
      return false;
    }
    s.phase = 'open';
    s.lastNoteAt = Date.now();
    return true;
  }

  if (!input.carried && !patched(BEGIN_IN_OPEN_PATCH)) {
    const begun = await ticketSteps.beginTicketEvent({
      ...scope,
      event,
      runId: workflowInfo().firstExecutionRunId,
    });
    s.generation = begun.generation;
    s.begun = true;
  }
  for (;;) {
    if (s.phase === 'create') {
      const ended = await create();
      if (ended) return ended.end;
    }
    if (s.phase === 'open') {
      const stopped = await whileOpen();
      if (stopped) return stopped.end;
      state = await close();
      if (state !== 'resolved') return state;
    }
    if (!(await reopenWithinWindow())) return state;
    state = 'open';
  }
}
