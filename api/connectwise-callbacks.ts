import { callbackUnverified, type HealthFinding } from '../domain/health/issues';
import { metrics } from '../observability/metrics';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Logger } from '../config/logger';
import {
  callbackSignatureMatches,
  fetchSigningKey,
  SigningKeyCache,
  SigningKeyError,
} from '../connectwise/callback-signature';
import type { Repositories } from '../db';
import { connectWiseOriginsOf } from '../services/connectwise-origins';
import type { TicketWatchClient } from '../services/tickets/watch-client';
import { parseHostedToken, verifierMatches } from '../security/hosted-token';

export interface CallbackRouterDeps {
  repos: Pick<Repositories, 'callbackTokens' | 'integrations' | 'healthIssues'>;
  watch: Pick<TicketWatchClient, 'changed'>;
  logger: Pick<Logger, 'warn'>;
  /** CW_ALLOW_PRIVATE_HOSTS: key URLs on private addresses (local stacks and tests). */
  allowPrivateHosts: boolean;
  keys?: SigningKeyCache;
}

/** What the engine reads of a delivery; anything else in it is ignored. */
const deliverySchema = z.looseObject({
  MessageId: z.string().min(1).max(200).optional(),
  Action: z.string().max(40).optional(),
  Type: z.string().max(40).optional(),
  ID: z.coerce.number().int().positive(),
  Metadata: z.looseObject({ key_url: z.string().min(1).max(2000) }),
});

/** Message ids seen lately in this process: a duplicate answers at once, without Temporal. */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly max = 10_000) {}
  /** True the first time. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value!);
    return true;
  }
}

/** The path's token as logs and traces may show it (api/request-urls.ts). */
export { redactCallbackToken } from './request-urls';

/**
 * `POST /connectwise/callbacks/<token>?recordId=<id>`: ConnectWise saying a ticket on the watched
 * board changed. No bearer token: the token in the path names the integration (its verifier
 * compared in constant time) and the body must carry ConnectWise's signature, checked with the
 * key its `key_url` serves, fetched only from the integration's own ConnectWise origin. The
 * change goes to the integration's ticket watch (Temporal) right after the answer, and the watch
 * reads the ticket itself: the answer is 204 within milliseconds, whatever Temporal does, and no
 * ConnectWise API call is made here. A body that is not
 * one is 400, an unknown token 404, a bad signature 401 (all logged without the token).
 */
export function callbackRouter(deps: CallbackRouterDeps): Router {
  const keys = deps.keys ?? new SigningKeyCache();
  const recent = new RecentIds();
  const verification = new VerificationHealth(deps);
  const router = Router();
  router.post(
    '/:token',
    express.raw({ type: () => true, limit: '256kb' }),
    async (req: Request, res: Response) => {
      const refuse = (status: number, reason: string) => {
        metrics.callbacks.inc({ outcome: 'refused' });
        deps.logger.warn({ status, reason }, 'ConnectWise callback refused');
        res.status(status).json({ error: reason });
      };
      const parts = parseHostedToken(String(req.params.token));
      const stored = parts && (await deps.repos.callbackTokens.find(parts.selector));
      if (!parts || !stored || !verifierMatches(parts.verifier, stored.verifierHash))
        return refuse(404, 'unknown callback');
      const integration = await deps.repos.integrations.get(stored.partnerId, stored.integrationId);
      if (!integration || integration.state === 'deleted') return refuse(404, 'unknown callback');
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let delivery: z.infer<typeof deliverySchema>;
      try {
        delivery = deliverySchema.parse(JSON.parse(raw.toString('utf8')));
      } catch {
        return refuse(400, 'not a ConnectWise callback');
      }
      const keyUrl = delivery.Metadata.key_url;
      const fetchKey = () =>
        fetchSigningKey(keyUrl, {
          allowedOrigins: connectWiseOriginsOf(integration),
          allowPrivateHosts: deps.allowPrivateHosts,
        });
      const signature = req.get('x-content-signature');
      let verified: boolean;
      try {
        verified = callbackSignatureMatches(raw, signature, await keys.get(keyUrl, fetchKey));
        if (!verified && keys.stale(keyUrl)) {
          // The key may have rotated under the same URL: once, fetch it again.
          keys.forget(keyUrl);
          verified = callbackSignatureMatches(raw, signature, await keys.get(keyUrl, fetchKey));
        }
      } catch (err) {
        if (!(err instanceof SigningKeyError)) throw err;
        refuse(401, `signing key refused: ${err.message}`);
        // Fixed words: the key URL and the error come from the delivery, not from ConnectWise.
        return await verification.failed(
          integration,
          "its signing key could not be fetched from the integration's ConnectWise",
        );
      }
      if (!verified) {
        refuse(401, 'signature does not match');
        return await verification.failed(integration, 'its signature does not match');
      }
      if (delivery.MessageId !== undefined && !recent.add(delivery.MessageId)) {
        metrics.callbacks.inc({ outcome: 'duplicate' });
        res.status(204).end();
        return;
      }
      metrics.callbacks.inc({ outcome: 'accepted' });
      // Answered before the watch is told: ConnectWise is never held by Temporal (bench:tickets
      // measured its p99 at 143 ms when it waited). A signal that fails is logged; the watch's
      // poll finds the change anyway (a lost callback only delays it).
      res.status(204).end();
      const ids = { partnerId: integration.partnerId, integrationId: integration.id };
      await verification.passed(integration);
      await deps.watch
        .changed(ids, {
          ticketIds: [delivery.ID],
          ...(delivery.MessageId !== undefined ? { messageId: delivery.MessageId } : {}),
        })
        .catch((err: unknown) =>
          deps.logger.warn(
            { err, integrationId: integration.id, ticketId: delivery.ID },
            'the ticket watch was not told of a callback; its poll will find the change',
          ),
        );
    },
  );
  return router;
}

/** Deliveries failing verification, as a health issue (opened and resolved after the answer). */
class VerificationHealth {
  /** Integrations with a failure seen here, and when a pass last resolved the issue. */
  private readonly failing = new Set<string>();
  private readonly checked = new Map<string, number>();

  constructor(private readonly deps: Pick<CallbackRouterDeps, 'repos' | 'logger'>) {}

  /** When each integration's failure was last written: at most one write a minute each. */
  private readonly written = new Map<string, number>();

  async failed(integration: { partnerId: string; id: string }, why: string): Promise<void> {
    this.failing.add(integration.id);
    const last = this.written.get(integration.id) ?? 0;
    if (Date.now() - last < 60_000) return;
    this.written.set(integration.id, Date.now());
    await this.observe(integration, [callbackUnverified(why)]);
  }

  /** Resolves the issue after a failure seen here, else at most every 10 minutes (another API process may have opened it). */
  async passed(integration: { partnerId: string; id: string }): Promise<void> {
    const last = this.checked.get(integration.id) ?? 0;
    if (!this.failing.has(integration.id) && Date.now() - last < 600_000) return;
    this.failing.delete(integration.id);
    this.written.delete(integration.id);
    this.checked.set(integration.id, Date.now());
    await this.observe(integration, []);
  }

  private async observe(
    integration: { partnerId: string; id: string },
    findings: HealthFinding[],
  ): Promise<void> {
    await this.deps.repos.healthIssues
      .observe(
        { partnerId: integration.partnerId, integrationId: integration.id },
        { kinds: ['callback_unverified'], by: 'a verified callback' },
        findings,
      )
      .catch((err: unknown) =>
        this.deps.logger.warn({ err }, 'the callback health issue was not updated'),
      );
  }
}
