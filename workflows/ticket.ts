import { condition, workflowInfo } from '@temporalio/workflow';
import type { TicketState } from '../domain/tickets/event';
import { afterFirst } from '../domain/tickets/occurrences';
import { TicketEventState, type TicketWorkflowInput } from './ticket-state';
import { ticketLocalSteps, ticketStepsOn, TicketSteps, type Ended } from './ticket-steps';

export type { InFlight, TicketCarried, TicketWorkflowInput } from './ticket-state';

const HOUR_MS = 3_600_000;

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
  const t = new TicketEventState(input);
  t.listen();
  const ticket = new Ticket(input, t);

  // A run continued while a write was under way finishes it first.
  if (t.s.inFlight) {
    const ended = await ticket.finishInFlight();
    if (ended) return await ticket.finish(ended.end);
    t.state = t.s.phase === 'open' ? 'open' : 'resolved';
  }
  for (;;) {
    if (t.s.phase === 'create') {
      const ended = await ticket.create();
      // Every occurrence the run knew was from before the last resolve: only counted; reports
      // that came in meanwhile may be newer.
      if (ended?.counted && t.s.pending) {
        t.nextTicket();
        continue;
      }
      if (ended) return await ticket.finish(ended.end);
    }
    if (t.s.phase === 'open') {
      const stopped = await ticket.whileOpen();
      if (stopped) return await ticket.finish(stopped.end);
      // Still open: resolved by the vendor (a technician's close moved it to closed already).
      if (t.s.phase === 'open') {
        const closed = await ticket.close();
        if (closed !== 'resolved') return await ticket.finish(closed);
        t.state = 'resolved';
      }
    }
    if (await ticket.reopenWithinWindow()) {
      t.state = 'open';
      continue;
    }
    // Occurrences after the close (ours or a technician's), or after a delete: a new ticket.
    // (A reopen step that found the ticket gone ends `deleted_in_connectwise`.)
    const now = t.state;
    const finished =
      now === 'resolved' || now === 'closed_in_connectwise' || now === 'deleted_in_connectwise';
    if (t.s.pending && (finished || t.s.deleted)) {
      t.nextTicket();
      continue;
    }
    return await ticket.finish(t.state);
  }
}

/** The phases of the event's ticket: made, noted while open, closed, reopened. */
class Ticket {
  private readonly steps: TicketSteps;
  private readonly onConnectWise: ReturnType<typeof ticketStepsOn>;

  constructor(
    input: TicketWorkflowInput,
    private readonly t: TicketEventState,
  ) {
    this.steps = new TicketSteps(input, t);
    this.onConnectWise = ticketStepsOn(input.activityTaskQueue);
  }

  /**
   * The ticket, found or made; resolved first, only found (one may exist from an earlier run, or
   * from a create whose answer was lost), so it is closed rather than left open.
   */
  async create(): Promise<Ended | undefined> {
    const { t } = this;
    const { s } = t;
    // The first attempt always goes: a late report of a resolved event is only counted there,
    // and the maximum age is about waiting, which ends after a hold (giveUp).
    const runId = workflowInfo().firstExecutionRunId;
    const giveUp = () => {
      const age = Date.now() - Date.parse(t.lastSeen());
      if (age <= s.times.maxEventAgeHours * HOUR_MS) return undefined;
      return {
        end: 'expired' as const,
        reason: `not seen for ${s.times.maxEventAgeHours} h while no ticket could be created`,
      };
    };
    const opened = await this.steps.untilDone(
      () =>
        ticketLocalSteps.openEventTicket({
          ref: t.ref(),
          event: t.event(),
          occurrences: s.occurrences,
          lastSeen: t.lastSeen(),
          beganBy: s.cycle === 0 ? runId : `${runId}/${s.cycle}`,
          ...(s.resolve ? { adoptOnly: true } : {}),
        }),
      giveUp,
    );
    if ('end' in opened) return opened;
    s.ticketId = opened.ticketId;
    s.generation = opened.generation;
    s.begun = true;
    s.lastNoteAt = Date.now();
    s.phase = 'open';
    t.state = 'open';
    return undefined;
  }

  /** Repeats become one note per window, until the event is resolved (or closed in ConnectWise). */
  async whileOpen(): Promise<Ended | undefined> {
    const { s } = this.t;
    const { steps } = this;
    const open = () => s.phase === 'open' && !s.resolve;
    while (open()) {
      await condition(() => !open() || s.pending !== null || steps.tooLong());
      await steps.maybeContinue();
      const due = s.lastNoteAt + s.times.noteWindowMinutes * 60_000;
      // Each report is a signal in the history: a storm inside one window continues as new
      // (the batch and the window's start are carried), it never outgrows the history.
      while (open() && Date.now() < due) {
        await condition(() => !open() || steps.tooLong(), due - Date.now());
        await steps.maybeContinue();
      }
      if (!open()) break;
      const noted = s.pending ? await this.writeNote() : undefined;
      if (noted) return noted;
      await steps.maybeContinue();
    }
    return undefined;
  }

  async close(): Promise<TicketState> {
    const { s } = this.t;
    // Repeats still pending when the resolve came during the create (or during a note), which
    // whileOpen never waited on, go in one note before the close: bench:tickets found them
    // dropped here (counted in occurrences, in no note).
    if (s.pending) {
      const noted = await this.writeNote();
      if (noted) return noted.end;
    }
    s.inFlight = { kind: 'close', seq: ++s.noteSeq };
    const closed = await this.finishInFlight();
    return closed ? closed.end : 'resolved';
  }

  /**
   * An occurrence within the reopen window reopens the ticket (as does a technician, in
   * ConnectWise); true when it is open again.
   */
  async reopenWithinWindow(): Promise<boolean> {
    const { t } = this;
    const { s } = t;
    const until = s.closedAt! + s.times.reopenWindowHours * HOUR_MS;
    const reopened = () => s.phase === 'open';
    if (Date.now() >= until || s.deleted) return reopened();
    const any = () => s.pending !== null || reopened() || s.deleted === true;
    if (!(await condition(any, until - Date.now()))) return false;
    if (reopened()) return true;
    if (s.deleted) return false;
    await this.steps.maybeContinue();
    s.inFlight = { kind: 'reopen', seq: ++s.noteSeq, at: s.pending!.first };
    s.pending = afterFirst(s.pending);
    const ended = await this.finishInFlight();
    if (ended) {
      t.state = ended.end;
      return false;
    }
    return true;
  }

  /** The write under way (s.inFlight), to its end; a continued run finishes it the same way. */
  async finishInFlight(): Promise<Ended | undefined> {
    const { t, steps, onConnectWise: cw } = this;
    const { s } = t;
    const op = s.inFlight;
    if (!op) return undefined;
    const common = { ref: t.ref(), event: t.event(), ticketId: s.ticketId!, seq: op.seq };
    let result: Ended | boolean | 'resolved' | 'reopened';
    if (op.kind === 'note') {
      result = await steps.untilDone(() =>
        cw.noteEventTicket({ ...common, batch: op.batch, occurrences: s.occurrences }),
      );
      s.lastNoteAt = Date.now();
    } else if (op.kind === 'close') {
      const resolution = s.resolve?.resolution;
      const resolvedAt = s.resolve?.at ?? new Date().toISOString();
      result = await steps.untilDone(() =>
        cw.closeEventTicket({
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
      result = await steps.untilDone(() =>
        cw.reopenEventTicket({ ...common, at: op.at, occurrences: s.occurrences }),
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

  /** The end, with occurrences counted since the last record written. */
  async finish(end: TicketState): Promise<TicketState> {
    this.t.state = end;
    if (this.t.s.countedLate > 0) await this.steps.record({});
    return end;
  }

  /** Writes the repeats gathered so far in one note. */
  private async writeNote(): Promise<Ended | undefined> {
    const { s } = this.t;
    const batch = s.pending!;
    s.pending = null;
    s.inFlight = { kind: 'note', seq: ++s.noteSeq, batch };
    return await this.finishInFlight();
  }
}
