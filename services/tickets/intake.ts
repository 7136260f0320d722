import { randomBytes, randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { Logger } from '../../config/logger';
import type { IntakeReport, Repositories } from '../../db';
import type { SecurityEvent } from '../../domain/tickets/event';
import { busy } from '../errors';
import type { TicketClient } from './ticket-client';
import { ticketWorkflowId } from './ticket-client';

type Ids = { partnerId: string; integrationId: string };

export interface TicketIntakeOptions {
  repos: Pick<Repositories, 'ticketIntake'>;
  tickets: Pick<TicketClient, 'occurred'>;
  logger: Pick<Logger, 'warn' | 'error'>;
  /** Reports this process may hold before Temporal took them; past it, posts are told to wait. */
  maxBacklog: number;
  /**
   * Event posts (and resolves) this process works on at once; one more is answered 429 at once
   * instead of queueing behind them (unset: no bound).
   */
  maxInFlight?: number;
  /** Signals to Temporal in flight at once. */
  concurrency?: number;
  /** How long a process owns the reports it accepted (renewed while it still holds them). */
  leaseMs?: number;
  /** How often leases are renewed and reports whose lease ran out are claimed. */
  sweepMs?: number;
}

/** Handed-over reports are deleted from the outbox in slices of this many, or every FLUSH_MS. */
const FLUSH_AT = 200;
const FLUSH_MS = 200;
const BACKOFF_MS = [250, 500, 1_000, 2_000, 5_000, 10_000, 30_000];
/** The dispatch rate behind Retry-After is measured over this window. */
const RATE_WINDOW_MS = 10_000;

/**
 * Accepting security event reports without holding the sender (issue 18 §3): a batch is written to
 * an outbox (one round trip) and answered; a dispatcher in this process then hands each report to
 * its key's ticket workflow (signal-with-start, reports of one key in order, different keys at
 * once) and deletes it from the outbox. Nothing accepted is lost: a report this process could not
 * hand over (it died, or Temporal stayed down past the lease) is claimed by the next sweep of any
 * API process. A report handed over twice counts once (its id travels with the signal). When more
 * than `maxBacklog` reports wait here, posts are refused at once with 429 and a Retry-After from
 * the measured dispatch rate.
 */
export class TicketIntake {
  /** This process's name on the leases it holds. */
  readonly owner = randomUUID();
  private readonly chains = new Map<string, IntakeReport[]>();
  /** Ids of the reports held in memory (queued or being handed over). */
  private readonly held = new Set<string>();
  private readonly handedOver: string[] = [];
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly leaseMs: number;
  private readonly sweepMs: number;
  private readonly dispatchedAt: number[] = [];
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;
  /** Drains under way, and the wake-ups of those waiting out a backoff (stop ends the wait). */
  private readonly draining = new Set<Promise<void>>();
  private readonly sleepers = new Set<() => void>();
  private flushing: Promise<void> | undefined;
  private inFlight = 0;

  constructor(private readonly opts: TicketIntakeOptions) {
    this.limit = pLimit(opts.concurrency ?? 16);
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.sweepMs = opts.sweepMs ?? 10_000;
  }

  /** Starts the sweep (and claims what an earlier process left at once). */
  start(): this {
    if (this.timers.length > 0) return this;
    const every = (ms: number, run: () => Promise<void>) => {
      const timer = setInterval(() => void run(), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.sweepMs, () => this.sweep());
    every(FLUSH_MS, () => this.flush());
    void this.sweep();
    return this;
  }

  /**
   * Stops handing over (a call under way ends within Temporal's call deadline); what is held stays
   * in the outbox and is released for the next sweep.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    for (const wake of this.sleepers) wake();
    await Promise.allSettled([...this.draining]);
    await this.flush();
    await this.opts.repos.ticketIntake
      .renew(this.owner, [...this.held], new Date(0))
      .catch(() => undefined);
  }

  /** Reports waiting in this process for Temporal. */
  get backlog(): number {
    return this.held.size;
  }

  /** Refuses `count` more reports when the backlog is full, saying when to send them again. */
  admit(count: number): void {
    if (this.held.size + count <= this.opts.maxBacklog) return;
    const now = Date.now();
    while (this.dispatchedAt.length > 0 && this.dispatchedAt[0]! < now - RATE_WINDOW_MS)
      this.dispatchedAt.shift();
    const perSecond = this.dispatchedAt.length / (RATE_WINDOW_MS / 1000);
    const excess = this.held.size + count - this.opts.maxBacklog;
    const seconds = perSecond > 0 ? Math.min(60, excess / perSecond) : 5;
    throw busy(
      'intake_backlog_full',
      `${this.held.size} reported events are waiting to be handed to the workflow service; send these again after the Retry-After seconds`,
      seconds,
    );
  }

  /**
   * Runs one post or resolve of events, or refuses it at once with 429 when `maxInFlight` are
   * under way: a process short of CPU answers "send again in a second" in a few milliseconds
   * rather than queueing every sender behind the ones it is already serving.
   */
  async serve<T>(work: () => Promise<T>): Promise<T> {
    const max = this.opts.maxInFlight;
    if (max !== undefined && this.inFlight >= max)
      throw busy(
        'intake_busy',
        `this API process is already answering ${this.inFlight} event reports; send these again after the Retry-After seconds`,
        1,
      );
    this.inFlight += 1;
    try {
      return await work();
    } finally {
      this.inFlight -= 1;
    }
  }

  /**
   * Writes the reports to the outbox beside `beside` (the batch's other write, awaited at once:
   * a post waits one round trip instead of two) and queues them once both are done; the answer
   * may go once this returns. When either write fails, the reports are withdrawn from the outbox
   * and nothing is queued. The reports of one key are handed over in the order given.
   */
  async accept<T = undefined>(
    ids: Ids,
    events: readonly SecurityEvent[],
    beside?: Promise<T>,
  ): Promise<T> {
    const createdAt = new Date();
    const seqOf = new Map<string, number>();
    const reports = events.map((event) => {
      const seq = seqOf.get(event.key) ?? 0;
      seqOf.set(event.key, seq + 1);
      return {
        reportId: `${ids.integrationId}:${event.key}:${randomBytes(6).toString('hex')}`,
        ...ids,
        workflowId: ticketWorkflowId(ids.integrationId, event.key),
        event,
        seq,
        createdAt,
      };
    });
    const { ticketIntake } = this.opts.repos;
    const [written, other] = await Promise.allSettled([
      ticketIntake.add(reports, this.owner, new Date(createdAt.getTime() + this.leaseMs)),
      beside,
    ]);
    if (written.status === 'rejected' || other.status === 'rejected') {
      // Not queued, so never handed over by this process. Removed even when the outbox write
      // failed: it may have written before its answer was lost. If this delete fails too, a
      // report's lease runs out and a sweep hands it over (its workflow writes the row itself).
      await ticketIntake.remove(reports.map((r) => r.reportId)).catch(() => undefined);
      throw written.status === 'rejected'
        ? written.reason
        : (other as PromiseRejectedResult).reason;
    }
    this.enqueue(reports);
    return other.value as T;
  }

  /**
   * Before a resolve is signalled: this event's reports accepted earlier are handed over first
   * (the vendor's order: a repeat sent before the resolve must reach the ticket before it
   * closes). Waits for this process's own (bounded); reports another process still holds are
   * answered 429, to send the resolve again in a second.
   */
  async settle(workflowId: string, timeoutMs = 5_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.chains.has(workflowId) && Date.now() < until) await this.pause(20);
    await this.flush();
    if (this.chains.has(workflowId) || (await this.opts.repos.ticketIntake.waitingFor(workflowId)))
      throw busy(
        'event_reports_pending',
        'reports of this event accepted earlier are still being handed over; send the resolve again after the Retry-After seconds',
        1,
      );
  }

  private enqueue(reports: readonly IntakeReport[]): void {
    for (const report of reports) {
      if (this.held.has(report.reportId)) continue;
      this.held.add(report.reportId);
      const chain = report.workflowId;
      const queued = this.chains.get(chain);
      if (queued) {
        queued.push(report);
        continue;
      }
      this.chains.set(chain, [report]);
      const drained = this.limit(() => this.drain(chain)).finally(() =>
        this.draining.delete(drained),
      );
      this.draining.add(drained);
    }
  }

  /** Hands a key's reports over one after the other, each until Temporal takes it. */
  private async drain(chain: string): Promise<void> {
    const queue = this.chains.get(chain)!;
    let attempt = 0;
    while (queue.length > 0 && !this.stopped) {
      const report = queue[0]!;
      const ids = { partnerId: report.partnerId, integrationId: report.integrationId };
      try {
        await this.opts.tickets.occurred(ids, report.event, report.reportId);
      } catch (err) {
        if (attempt % 5 === 0)
          this.opts.logger.warn(
            { err, workflowId: chain, waiting: this.held.size },
            'event reports wait for the workflow service',
          );
        await this.pause(BACKOFF_MS[Math.min(attempt, 6)]!);
        attempt += 1;
        continue;
      }
      attempt = 0;
      queue.shift();
      this.held.delete(report.reportId);
      this.handedOver.push(report.reportId);
      this.dispatchedAt.push(Date.now());
      if (this.handedOver.length >= FLUSH_AT) void this.flush();
    }
    this.chains.delete(chain);
  }

  /** Waits `ms`, or until stop (unref'd: a process that exits does not wait for it). */
  private async pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref();
      this.sleepers.add(wake);
    });
  }

  /** Deletes what was handed over from the outbox (kept to try again if the database fails). */
  private async flush(): Promise<void> {
    if (this.flushing) return await this.flushing;
    if (this.handedOver.length === 0) return;
    const ids = this.handedOver.splice(0);
    this.flushing = this.opts.repos.ticketIntake
      .remove(ids)
      .catch((err: unknown) => {
        this.handedOver.push(...ids);
        this.opts.logger.warn({ err }, 'handed-over event reports not removed from the outbox');
      })
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
  }

  /** Renews the leases of what this process holds; claims what nobody holds any more. */
  private async sweep(): Promise<void> {
    if (this.stopped) return;
    const { ticketIntake } = this.opts.repos;
    const now = new Date();
    const until = new Date(now.getTime() + this.leaseMs);
    try {
      await ticketIntake.renew(this.owner, [...this.held], until);
      const orphans = await ticketIntake.claimExpired(this.owner, now, until);
      if (!this.stopped) this.enqueue(orphans);
    } catch (err) {
      this.opts.logger.warn({ err }, 'the event intake sweep failed; it runs again shortly');
    }
  }
}
