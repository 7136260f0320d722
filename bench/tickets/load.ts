/**
 * The ticket benchmark's load, through the API process over HTTP, one event per request, on a
 * fixed schedule (open loop: post i is sent at start + i / rate whether or not the earlier ones
 * were answered). Each post is, by a seeded draw, a resolve of an open event (`POST
 * …/events/:key/resolve`), a repeat of an open event (the same key posted again, occurring now),
 * or else a new event of a customer drawn at random. An event is open once its first post was
 * accepted, until its resolve is sent; a key with a request in flight is not drawn, so each key's
 * repeats reach its workflow before its resolve, in the order the bench decided. A draw with no
 * open event to pick is a new event. A post answered 429 is sent again after its Retry-After, as
 * a portal would; each answer's own time is recorded.
 */
import type { SecurityEvent } from '../../domain/tickets/event';
import { SEVERITIES } from '../../domain/tickets/settings';
import { mulberry32 as prng } from '../../simulator/faults';
import { postPatiently } from './http';
import type { TicketBench } from './setup';

export type PostKind = 'new' | 'repeat' | 'resolve';

export interface TrackedEvent {
  key: string;
  customerId: string;
  /** The event as first posted (a repeat is the same with another occurredAt). */
  event: SecurityEvent;
  /** Date.now() when its first post was sent. */
  postedAt: number;
  /** Date.now() when its first post was answered 202 and accepted; unset if it was not. */
  acceptedAt?: number;
  /** Repeats answered 202 and accepted. */
  repeats: number;
  /** A resolve was answered 202 (every repeat was accepted before it was sent). */
  resolved: boolean;
  /** The event as the resolve's answer showed it: its row before the close. */
  atResolve?: { state: string; updatedAt: string; notes: number; ticketId: number | null };
}

export interface PostRecord {
  kind: PostKind;
  /** Milliseconds from the load's start: when it was due, sent, and answered. */
  dueMs: number;
  sentMs: number;
  answeredMs: number;
  /** HTTP status of the last answer, 0 when no answer came. */
  status: number;
  /** How long each HTTP answer took (a 429 is answered, waited out and sent again). */
  answerMs: number[];
  /** Answers 429 (each resent after its Retry-After). */
  throttled: number;
  /** 202, and for an event post, accepted. */
  ok: boolean;
  error?: string;
}

export interface LoadResult {
  events: TrackedEvent[];
  posts: PostRecord[];
  /** Date.now() at the load's start. */
  startedAt: number;
  /** Milliseconds from the start to the last post sent, and to the last answer. */
  lastSentMs: number;
  lastAnsweredMs: number;
  /** Most posts waiting for their answer at one time. */
  maxInFlight: number;
}

const TITLES = [
  'Phishing site blocked',
  'Malware download blocked',
  'Credential entry on an unknown site',
  'Sensitive data upload blocked',
];

/** Open events to draw from: O(1) add, remove and random pick. */
class OpenSet {
  private keys: string[] = [];
  private index = new Map<string, number>();

  add(key: string): void {
    this.index.set(key, this.keys.length);
    this.keys.push(key);
  }

  remove(key: string): void {
    const at = this.index.get(key);
    if (at === undefined) return;
    const last = this.keys.pop()!;
    if (last !== key) {
      this.keys[at] = last;
      this.index.set(last, at);
    }
    this.index.delete(key);
  }

  /** A random open key not in `busy` (a few tries), or undefined. */
  pick(rand: () => number, busy: ReadonlySet<string>): string | undefined {
    for (let tries = 0; tries < 8 && this.keys.length > 0; tries++) {
      const key = this.keys[Math.floor(rand() * this.keys.length)]!;
      if (!busy.has(key)) return key;
    }
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runLoad(bench: TicketBench): Promise<LoadResult> {
  const { opts } = bench;
  const base = `${bench.apiUrl}/v1/partners/${bench.partnerId}/connectwise`;
  const rand = prng(9);
  const run = Date.now().toString(36);
  const events = new Map<string, TrackedEvent>();
  const open = new OpenSet();
  const busy = new Set<string>();
  const posts: PostRecord[] = [];
  const started = performance.now();
  const startedAt = Date.now();
  const now = () => performance.now() - started;

  /** Sends one post (429s waited out), records it; `onAnswer` says if it was what we wanted. */
  async function post(
    kind: PostKind,
    dueMs: number,
    path: string,
    body: unknown,
    onAnswer: (answer: { status: number; body: unknown }) => boolean,
  ): Promise<void> {
    const sentMs = now();
    const answer = await postPatiently(`${base}${path}`, bench.token, body);
    const ok = answer.error === undefined && onAnswer(answer);
    const error = ok ? undefined : (answer.error ?? JSON.stringify(answer.body).slice(0, 300));
    posts.push({
      kind,
      dueMs,
      sentMs,
      answeredMs: now(),
      status: answer.status,
      ok,
      answerMs: answer.answerMs,
      throttled: answer.throttled,
      ...(error ? { error } : {}),
    });
  }

  const acceptedOne = ({ status, body }: { status: number; body: unknown }) =>
    status === 202 && (body as { events?: Array<{ accepted?: boolean }> }).events?.[0]?.accepted;

  async function postNew(seq: number, dueMs: number): Promise<void> {
    const key = `b${run}-${seq}`;
    const customerId = bench.customerIds[Math.floor(rand() * bench.customerIds.length)]!;
    const event: SecurityEvent = {
      key,
      customerId,
      title: TITLES[seq % TITLES.length]!,
      severity: SEVERITIES[seq % SEVERITIES.length]!,
      description: `Bench event ${seq}: DefensX blocked it.`,
      occurredAt: new Date().toISOString(),
      url: `https://console.defensx.example/events/${key}`,
    };
    const tracked: TrackedEvent = {
      key,
      customerId,
      event,
      postedAt: Date.now(),
      repeats: 0,
      resolved: false,
    };
    events.set(key, tracked);
    busy.add(key);
    await post('new', dueMs, '/events', event, (answer) => {
      if (!acceptedOne(answer)) return false;
      tracked.acceptedAt = Date.now();
      open.add(key);
      return true;
    });
    busy.delete(key);
  }

  async function postRepeat(key: string, dueMs: number): Promise<void> {
    const tracked = events.get(key)!;
    busy.add(key);
    await post(
      'repeat',
      dueMs,
      '/events',
      { ...tracked.event, occurredAt: new Date().toISOString() },
      (answer) => {
        if (!acceptedOne(answer)) return false;
        tracked.repeats += 1;
        return true;
      },
    );
    busy.delete(key);
  }

  async function postResolve(key: string, dueMs: number): Promise<void> {
    const tracked = events.get(key)!;
    open.remove(key);
    busy.add(key);
    await post(
      'resolve',
      dueMs,
      `/events/${key}/resolve`,
      { resolution: 'handled by the bench' },
      ({ status, body }) => {
        if (status !== 202) return false;
        const view = body as NonNullable<TrackedEvent['atResolve']>;
        tracked.resolved = true;
        tracked.atResolve = {
          state: view.state,
          updatedAt: view.updatedAt,
          notes: view.notes,
          ticketId: view.ticketId,
        };
        return true;
      },
    );
    busy.delete(key);
  }

  const total = opts.rate * opts.seconds;
  const interval = 1000 / opts.rate;
  const repeatShare = opts.repeatPercent / 100;
  const resolveShare = opts.resolvePercent / 100;
  const inFlight = new Set<Promise<void>>();
  let maxInFlight = 0;
  let lastSentMs = 0;
  let nextReport = 10_000;
  for (let i = 0; i < total; i++) {
    const dueMs = i * interval;
    const wait = dueMs - now();
    if (wait > 0) await sleep(wait);
    const draw = rand();
    const target = draw < resolveShare + repeatShare ? open.pick(rand, busy) : undefined;
    const sending =
      target === undefined
        ? postNew(i, dueMs)
        : draw < resolveShare
          ? postResolve(target, dueMs)
          : postRepeat(target, dueMs);
    lastSentMs = now();
    const tracked: Promise<void> = sending.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    maxInFlight = Math.max(maxInFlight, inFlight.size);
    if (lastSentMs >= nextReport) {
      console.log(
        `  ${Math.round(lastSentMs / 1000)} s: ${i + 1} sent, ${posts.length} answered, ${inFlight.size} in flight`,
      );
      nextReport += 10_000;
    }
  }
  await Promise.all(inFlight);
  return {
    events: [...events.values()],
    posts,
    startedAt,
    lastSentMs,
    lastAnsweredMs: Math.max(0, ...posts.map((p) => p.answeredMs)),
    maxInFlight,
  };
}
