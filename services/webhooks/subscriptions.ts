import { randomBytes } from 'node:crypto';
import type { PageRequest } from '../../db/page';
import {
  WebhookLimitError,
  type DeliveryState,
  type Repositories,
  type WebhookRecord,
} from '../../db';
import { MAX_WEBHOOKS_PER_PARTNER, type WebhookEventType } from '../../domain/webhooks/events';
import type { Keyring } from '../../security';
import { generateWebhookSecret } from '../../security/webhook-signature';
import { busy, invalidFields, notFound } from '../errors';
import { sealWebhookSecret } from './secret';
import { checkWebhookUrl, WebhookUrlError, type WebhookUrlOptions } from './url';

export interface WebhookServiceDeps {
  repos: Pick<Repositories, 'webhooks' | 'webhookDeliveries'>;
  keyring: Keyring;
  url: WebhookUrlOptions;
}

export interface NewSubscription {
  url: string;
  events: WebhookEventType[];
  description?: string;
}

/**
 * A partner's webhook subscriptions (issue 19): made with a URL that passes the SSRF rules of
 * ConnectWise sites and a secret shown once, listed and read without it, removed with every event
 * still pending for them, pinged. What to deliver is written by the repositories where state
 * changes; the delivery workflows send it (workflows/webhook-delivery.ts).
 */
/** Pings of one subscription are this far apart at least. */
export const PING_GAP_MS = 10_000;

export class WebhookService {
  /** When each subscription was last pinged through this process. */
  private readonly pinged = new Map<string, number>();

  constructor(private readonly deps: WebhookServiceDeps) {}

  /** The new subscription and its secret: the only time the secret is shown. */
  async create(
    partnerId: string,
    input: NewSubscription,
    by: string,
  ): Promise<{ webhook: WebhookRecord; secret: string }> {
    let url: string;
    try {
      url = await checkWebhookUrl(input.url, this.deps.url);
    } catch (err) {
      if (!(err instanceof WebhookUrlError)) throw err;
      throw invalidFields([{ field: 'body.url', message: err.message }]);
    }
    const secret = generateWebhookSecret();
    try {
      const webhook = await this.deps.repos.webhooks.create(
        {
          partnerId,
          url,
          events: [...new Set(input.events)],
          description: input.description ?? null,
          createdBy: by,
          sealSecret: (webhookId) =>
            sealWebhookSecret(this.deps.keyring, { partnerId, webhookId }, secret),
        },
        MAX_WEBHOOKS_PER_PARTNER,
      );
      return { webhook, secret };
    } catch (err) {
      if (!(err instanceof WebhookLimitError)) throw err;
      throw invalidFields([
        { field: 'body', message: `${err.message}: remove one before adding another` },
      ]);
    }
  }

  list(partnerId: string): Promise<WebhookRecord[]> {
    return this.deps.repos.webhooks.list(partnerId);
  }

  async get(partnerId: string, webhookId: string): Promise<WebhookRecord> {
    const webhook = await this.deps.repos.webhooks.get(partnerId, webhookId);
    if (!webhook) throw notFound('webhook');
    return webhook;
  }

  /**
   * Removes the subscription, then every row of it (nothing stays pending). Its workflow finds it
   * gone at its next pass and ends; an event emitted in between is dropped by that pass.
   */
  async remove(partnerId: string, webhookId: string): Promise<void> {
    if (!(await this.deps.repos.webhooks.remove(partnerId, webhookId))) throw notFound('webhook');
    await this.deps.repos.webhookDeliveries.removeAll(partnerId, webhookId);
  }

  /**
   * A `ping` event for this subscription only, behind any event still pending for it. One every
   * PING_GAP_MS per subscription (and API process): a ping skips the retry wait, so a loop of them
   * would hammer a receiver that is down.
   */
  async ping(partnerId: string, webhookId: string, now = new Date()): Promise<{ eventId: string }> {
    await this.get(partnerId, webhookId);
    const last = this.pinged.get(webhookId);
    if (last !== undefined && now.getTime() - last < PING_GAP_MS)
      throw busy(
        'ping_too_soon',
        'a ping was sent to this subscription moments ago: follow it in the deliveries',
        (PING_GAP_MS - (now.getTime() - last)) / 1000,
      );
    this.pinged.set(webhookId, now.getTime());
    for (const [id, at] of this.pinged)
      if (now.getTime() - at >= PING_GAP_MS) this.pinged.delete(id);
    const { eventId } = await this.deps.repos.webhookDeliveries.enqueue(
      partnerId,
      [webhookId],
      {
        type: 'ping',
        key: `${webhookId}/${randomBytes(8).toString('hex')}`,
        data: { webhookId, message: 'A test delivery, sent on request.' },
      },
      now,
    );
    return { eventId };
  }

  async deliveries(
    partnerId: string,
    webhookId: string,
    filter: { state?: DeliveryState },
    request: PageRequest,
  ) {
    await this.get(partnerId, webhookId);
    return this.deps.repos.webhookDeliveries.page(partnerId, webhookId, filter, request);
  }
}
