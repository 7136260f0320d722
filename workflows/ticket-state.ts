import { setHandler } from '@temporalio/workflow';
import type { SecurityEvent, TicketState } from '../domain/tickets/event';
import { addOccurrence, afterFirst, type OccurrenceBatch } from '../domain/tickets/occurrences';
import type { TicketTimes } from '../domain/tickets/steps';
import {
  eventOccurredSignal,
  eventResolvedSignal,
  ticketChangedSignal,
  ticketProgressQuery,
  ticketWakeSignal,
  type EventOccurred,
  type EventResolved,
  type TicketChanged,
  type TicketProgress,
} from './ticket-messages';

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
const DEFAULT_TIMES: TicketTimes = {
  noteWindowMinutes: 15,
  reopenWindowHours: 0,
  maxEventAgeHours: 168,
};

/**
 * An event's ticket as the workflow knows it (`s`, carried across continue-as-new) and the state
 * it reports, with the handlers of what reaches it: reports, resolves, a wake, and what a
 * technician did in ConnectWise.
 */
export class TicketEventState {
  readonly s: TicketCarried;
  state: TicketState;
  /** Set by a signal that may let a held step go through now. */
  woken = false;

  constructor(private readonly input: TicketWorkflowInput) {
    this.s = input.carried ?? {
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
    const { phase } = this.s;
    this.state = phase === 'create' ? 'pending' : phase === 'open' ? 'open' : 'resolved';
  }

  listen(): void {
    setHandler(eventOccurredSignal, (report) => this.occurred(report));
    setHandler(eventResolvedSignal, (resolved) => this.resolved(resolved));
    setHandler(ticketWakeSignal, () => {
      this.woken = true;
    });
    // What a technician did in ConnectWise (workflows/ticket-watch.ts read it back).
    setHandler(ticketChangedSignal, (change) => this.changed(change));
    setHandler(ticketProgressQuery, () => this.progress());
  }

  /** The event as the current ticket stands for it (a later ticket: from its own first occurrence). */
  event(): SecurityEvent {
    const { event } = this.input;
    return this.s.since ? { ...event, occurredAt: this.s.since } : event;
  }

  ref() {
    const { partnerId, integrationId, event } = this.input;
    return { partnerId, integrationId, key: event.key, generation: this.s.generation };
  }

  lastSeen(): string {
    return this.s.pending?.last ?? this.event().occurredAt;
  }

  /** Occurrences after the resolve, once the reopen window passed (or is 0): a new ticket. */
  nextTicket(): void {
    const { s } = this;
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
    this.state = 'pending';
  }

  private occurred({ at, reportId }: EventOccurred): void {
    const { s } = this;
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
  }

  private resolved(resolved: EventResolved): void {
    const { s } = this;
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
    if (s.phase === 'create') this.woken = true;
  }

  private changed(change: TicketChanged): void {
    const { s } = this;
    if (change.ticketId !== s.ticketId) return;
    if (change.kind === 'deleted') {
      s.deleted = true;
      s.phase = 'closed';
      s.closedAt ??= Date.now();
      this.state = 'deleted_in_connectwise';
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
      this.state = 'closed_in_connectwise';
    } else if (s.phase === 'closed' && !s.deleted && s.inFlight === undefined) {
      s.phase = 'open';
      s.resolvedAt = undefined;
      s.lastNoteAt = Date.now();
      this.state = 'open';
    }
  }

  private progress(): TicketProgress {
    const { s } = this;
    return {
      state: this.state,
      ...(s.heldReason ? { reason: s.heldReason } : {}),
      generation: s.generation,
      ...(s.ticketId ? { ticketId: s.ticketId } : {}),
      occurrences: s.occurrences,
      pendingOccurrences: s.pending?.count ?? 0,
      notes: s.noteSeq,
    };
  }
}
