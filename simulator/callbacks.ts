import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { SimRecord } from './resources';
import type { Store } from './store';

/**
 * Who changed a record: the API member through the REST API (its own callbacks may be
 * self-suppressed), or a technician in ConnectWise's screens (the admin interface).
 */
export interface Actor {
  api: boolean;
  member: { id: number; identifier: string; name: string };
}

/** The technician the admin interface acts as, unless a test names another. */
export const TECHNICIAN = { id: 178, identifier: 'tmorris', name: 'Tara Morris' } as const;

export type CallbackAction = 'added' | 'updated' | 'deleted';

/** A fault applied to the next deliveries, in order, each `count` times. */
export const deliveryFaultSchema = z.strictObject({
  /** drop: never sent; duplicate: sent twice; delay: sent `delayMs` later (the next overtake it); badSignature: signed with another key. */
  kind: z.enum(['drop', 'duplicate', 'delay', 'badSignature']),
  count: z.number().int().positive().default(1),
  delayMs: z.number().int().min(0).max(600_000).default(2_000),
});
export type DeliveryFault = z.infer<typeof deliveryFaultSchema>;

export interface Delivery {
  messageId: string;
  callbackId: number;
  url: string;
  action: CallbackAction;
  recordId: number;
  /** What happened: the receiver's status, 0 for no answer, or the fault that stopped it. */
  status: number;
  fault?: DeliveryFault['kind'];
  at: string;
  /** How long the receiver took to answer (absent when none was asked). */
  durationMs?: number;
}

const refId = (ref: unknown): number | undefined =>
  typeof ref === 'object' && ref !== null && typeof (ref as { id?: unknown }).id === 'number'
    ? (ref as { id: number }).id
    : undefined;

/** The id the watched level compares with the callback's objectId. */
function levelId(level: string, ticket: SimRecord): number | undefined {
  switch (level.toLowerCase()) {
    case 'board':
      return refId(ticket.board);
    case 'status':
      return refId(ticket.status);
    case 'company':
      return refId(ticket.company);
    default:
      return undefined;
  }
}

/**
 * ConnectWise's callbacks as open-source receivers describe them (docs/connectwise.md §7b): a POST of JSON
 * to the registered URL with the record id appended, signed in `x-content-signature` (base64 of
 * HMAC-SHA256 of the body, keyed by the SHA-256 of the signing key that `Metadata.key_url`
 * serves). Deliveries are fire and forget, as ConnectWise documents no retry: faults drop,
 * duplicate, delay or mis-sign them.
 */
export class CallbackDispatcher {
  origin = '';
  private keys = new Map<string, string>();
  private currentKeyId = '';
  private faults: DeliveryFault[] = [];
  private log: Delivery[] = [];
  private inFlight = new Set<Promise<void>>();

  constructor(private readonly store: Store) {
    this.rotateKey();
  }

  /** A new signing key; the old one keeps answering at its own key URL. */
  rotateKey(): string {
    this.currentKeyId = randomUUID();
    this.keys.set(this.currentKeyId, randomBytes(32).toString('base64'));
    return this.currentKeyId;
  }

  signingKey(keyId: string): string | undefined {
    return this.keys.get(keyId);
  }

  keyUrl(keyId = this.currentKeyId): string {
    return `${this.origin}/callback-keys/${keyId}`;
  }

  addFault(fault: DeliveryFault): void {
    this.faults.push(fault);
  }

  clearFaults(): void {
    this.faults = [];
  }

  deliveries(): Delivery[] {
    return [...this.log];
  }

  reset(): void {
    this.faults = [];
    this.log = [];
    this.keys.clear();
    this.rotateKey();
  }

  /** Deliveries still on their way (a test waits for them). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** A ticket was added, changed or deleted: every matching active callback is called. */
  ticketChanged(ticket: SimRecord, action: CallbackAction, actor: Actor): void {
    for (const callback of this.store.list('callbacks')) {
      if (callback.inactiveFlag === true) continue;
      if (String(callback.type).toLowerCase() !== 'ticket') continue;
      const level = String(callback.level);
      if (level.toLowerCase() !== 'owner' && levelId(level, ticket) !== callback.objectId) continue;
      if (
        callback.isSelfSuppressedFlag === true &&
        actor.api &&
        callback.memberId === actor.member.id
      )
        continue;
      this.deliver(callback, ticket, action, actor);
    }
  }

  private nextFault(): DeliveryFault | undefined {
    const fault = this.faults[0];
    if (!fault) return undefined;
    if (--fault.count <= 0) this.faults.shift();
    return { ...fault };
  }

  private deliver(callback: SimRecord, ticket: SimRecord, action: CallbackAction, actor: Actor) {
    const messageId = randomUUID();
    const body = JSON.stringify({
      MessageId: messageId,
      FromUrl: this.origin,
      CompanyId: this.store.site.companyId,
      MemberId: actor.member.identifier,
      Action: action,
      Type: 'ticket',
      ID: ticket.id,
      ProductInstanceId: null,
      PartnerId: null,
      Entity: action === 'deleted' ? null : JSON.stringify(ticket),
      Metadata: { key_url: this.keyUrl() },
    });
    const fault = this.nextFault();
    const key = fault?.kind === 'badSignature' ? randomBytes(32).toString('base64') : undefined;
    const signature = createHmac(
      'sha256',
      createHash('sha256')
        .update(key ?? this.keys.get(this.currentKeyId)!)
        .digest(),
    )
      .update(body)
      .digest('base64');
    const url = `${String(callback.url)}${ticket.id}`;
    const entry = { messageId, callbackId: callback.id, url, action, recordId: ticket.id };
    if (fault?.kind === 'drop') {
      this.log.push({ ...entry, status: 0, fault: 'drop', at: new Date().toISOString() });
      return;
    }
    const send = async () => {
      let status = 0;
      const asked = performance.now();
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-content-signature': signature },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(10_000),
        });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = 0;
      }
      this.log.push({
        ...entry,
        status,
        ...(fault ? { fault: fault.kind } : {}),
        at: new Date().toISOString(),
        durationMs: Math.round(performance.now() - asked),
      });
    };
    const later = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)).then(send);
    const sends =
      fault?.kind === 'delay'
        ? [later(fault.delayMs)]
        : fault?.kind === 'duplicate'
          ? [send(), later(50)]
          : [send()];
    for (const p of sends) {
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    }
  }
}
