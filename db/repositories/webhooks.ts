import { randomBytes, randomInt } from 'node:crypto';
import type { SealedSecret } from '../../security';
import type { WebhookDoc, WebhookModel } from '../models/webhook';
import { naturalId } from '../natural-id';
import { isDuplicateKey } from '../retry-duplicate';

/** A subscription as the API shows it: never its secret. */
export interface WebhookRecord {
  id: string;
  partnerId: string;
  url: string;
  events: string[];
  description: string | null;
  createdAt: Date;
  createdBy: string | null;
}

export interface NewWebhook {
  partnerId: string;
  url: string;
  events: string[];
  description?: string | null;
  createdBy?: string | null;
  /** Seals the new secret, bound to the subscription's id (known only here). */
  sealSecret: (webhookId: string) => SealedSecret;
}

/** The partner has as many subscriptions as it may. */
export class WebhookLimitError extends Error {
  constructor(readonly limit: number) {
    super(`a partner may have at most ${limit} webhook subscriptions`);
    this.name = 'WebhookLimitError';
  }
}

const toRecord = (d: WebhookDoc): WebhookRecord => ({
  id: d.webhookId,
  partnerId: d.partnerId,
  url: d.url,
  events: [...d.events],
  description: d.description ?? null,
  createdAt: d.createdAt,
  createdBy: d.createdBy ?? null,
});

/** The secret's sealed form, kept out of every record but the delivery's own read. */
const sealedOf = (d: WebhookDoc): SealedSecret => ({
  kid: d.secret.kid,
  iv: d.secret.iv,
  tag: d.secret.tag,
  ct: d.secret.ct,
});

export const newWebhookId = (): string => `wh_${randomBytes(12).toString('hex')}`;

/** Partners' webhook subscriptions (db/models/webhook.ts). */
/** How long a partner's subscriptions are taken as read by `wanting`. */
const SUBSCRIBED_MS = 5_000;
const SUBSCRIBED_MAX = 10_000;

export class WebhookRepository {
  /**
   * Each partner's subscriptions as `wanting` last read them: every ticket and health change asks,
   * and most partners have none. Dropped here on create and remove; another process sees a change
   * within SUBSCRIBED_MS.
   */
  private readonly subscribed = new Map<
    string,
    { docs: Array<Pick<WebhookDoc, 'webhookId' | 'events'>>; at: number }
  >();

  constructor(private readonly model: WebhookModel) {}

  /**
   * A new subscription in one of the partner's `limit` positions, taken by a unique `_id`: two
   * requests racing for the last position make one subscription, and the other is refused
   * (WebhookLimitError), as every request past the limit is.
   */
  async create(input: NewWebhook, limit: number, now = new Date()): Promise<WebhookRecord> {
    const webhookId = newWebhookId();
    const secret = input.sealSecret(webhookId);
    for (let attempt = 0; ; attempt++) {
      const taken = new Set(
        (await this.model.find({ partnerId: input.partnerId }, { position: 1 }).lean().exec()).map(
          (d) => d.position,
        ),
      );
      const free = Array.from({ length: limit }, (_, i) => i).filter((p) => !taken.has(p));
      if (free.length === 0) throw new WebhookLimitError(limit);
      // A random free position: requests racing mostly pick different ones.
      const position = free[randomInt(free.length)]!;
      const doc = {
        _id: naturalId(input.partnerId, 'webhook', String(position)),
        webhookId,
        partnerId: input.partnerId,
        position,
        url: input.url,
        events: input.events,
        description: input.description ?? null,
        secret,
        createdAt: now,
        createdBy: input.createdBy ?? null,
      };
      try {
        await this.model.insertMany([doc], { lean: true });
        this.subscribed.delete(input.partnerId);
        return toRecord(doc);
      } catch (err) {
        // Another request took that position meanwhile: look again.
        if (!isDuplicateKey(err) || attempt >= 2 * limit) throw err;
      }
    }
  }

  /** The partner's subscriptions, oldest first. */
  async list(partnerId: string): Promise<WebhookRecord[]> {
    const docs = await this.model.find({ partnerId }).lean<WebhookDoc[]>().exec();
    return docs
      .map(toRecord)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  }

  /** One of the partner's subscriptions; undefined for another partner's id. */
  async get(partnerId: string, webhookId: string): Promise<WebhookRecord | undefined> {
    const doc = await this.model.findOne({ webhookId, partnerId }).lean<WebhookDoc>().exec();
    return doc ? toRecord(doc) : undefined;
  }

  /** The subscription with its sealed secret: for the delivery step alone, which opens it. */
  async withSecret(
    partnerId: string,
    webhookId: string,
  ): Promise<(WebhookRecord & { secret: SealedSecret }) | undefined> {
    const doc = await this.model.findOne({ webhookId, partnerId }).lean<WebhookDoc>().exec();
    return doc ? { ...toRecord(doc), secret: sealedOf(doc) } : undefined;
  }

  /** Removes the subscription; false when the partner has none by that id. */
  async remove(partnerId: string, webhookId: string): Promise<boolean> {
    const res = await this.model.deleteOne({ webhookId, partnerId }).exec();
    this.subscribed.delete(partnerId);
    return res.deletedCount > 0;
  }

  /**
   * The ids of the partner's subscriptions that want events of this type. The partner's few
   * subscriptions are read and filtered here: FerretDB's pushdown compares an array field as a
   * whole, so `{ events: type }` would match none.
   */
  async wanting(partnerId: string, type: string): Promise<string[]> {
    const kept = this.subscribed.get(partnerId);
    const docs =
      kept && Date.now() - kept.at < SUBSCRIBED_MS
        ? kept.docs
        : await this.model
            .find({ partnerId }, { webhookId: 1, events: 1 })
            .lean<Array<Pick<WebhookDoc, 'webhookId' | 'events'>>>()
            .exec();
    if (docs !== kept?.docs) {
      this.subscribed.delete(partnerId);
      this.subscribed.set(partnerId, { docs, at: Date.now() });
      if (this.subscribed.size > SUBSCRIBED_MAX)
        this.subscribed.delete(this.subscribed.keys().next().value!);
    }
    return docs.filter((d) => d.events.includes(type)).map((d) => d.webhookId);
  }

  /** The partner of each of these subscriptions that exists (ids of deleted ones are left out). */
  async partnersOf(webhookIds: readonly string[]): Promise<Map<string, string>> {
    if (webhookIds.length === 0) return new Map();
    const docs = await this.model
      .find({ webhookId: { $in: [...webhookIds] } }, { webhookId: 1, partnerId: 1 })
      .lean<Array<Pick<WebhookDoc, 'webhookId' | 'partnerId'>>>()
      .exec();
    return new Map(docs.map((d) => [d.webhookId, d.partnerId]));
  }

  /** Every subscription with its sealed secret (key rotation: one read of the collection). */
  async *withSecrets(): AsyncGenerator<WebhookRecord & { secret: SealedSecret }> {
    for await (const doc of this.model.find({}).lean<WebhookDoc>().cursor()) {
      yield { ...toRecord(doc), secret: sealedOf(doc) };
    }
  }

  /**
   * The secret sealed again (under the current key), if it is still the one read (`expectCt`):
   * true when written.
   */
  async reseal(
    partnerId: string,
    webhookId: string,
    secret: SealedSecret,
    expectCt: string,
  ): Promise<boolean> {
    const res = await this.model
      .updateOne({ webhookId, partnerId, 'secret.ct': expectCt }, { $set: { secret } })
      .exec();
    return res.modifiedCount > 0;
  }
}
