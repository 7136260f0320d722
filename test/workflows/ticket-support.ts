import type { TicketSettings } from '../../db';
import type { SecurityEvent } from '../../domain/tickets/event';
import { sealPrivateKey } from '../../services/integration-client';
import { ticketWorkflowId } from '../../services/tickets/ticket-client';
import { ticketProgressQuery, type TicketProgress } from '../../workflows/ticket-messages';
import type { TimeSkippingEngine } from '../support/time-skipping-engine';

/** What the ticket workflow tests share: an integration with tickets on, events, progress. */

/** Board 2 (Security), New → Resolved, source 4, with `over` on top. */
export const ticketSettings = (over: Partial<TicketSettings> = {}): TicketSettings => ({
  enabled: true,
  boardId: 2,
  sourceId: 4,
  initialStatusId: 201,
  closingStatusId: 203,
  ...over,
});

/** An integration on the simulator with these ticket settings and Acme mapped to company 250. */
export async function ticketIntegration(
  engine: Pick<TimeSkippingEngine, 'db' | 'fx' | 'keyring'>,
  partnerId: string,
  settings: TicketSettings,
): Promise<string> {
  const { db, fx, keyring } = engine;
  const { privateKey, ...creds } = fx.credentials;
  const { id } = await db.repos.integrations.create({
    ...creds,
    partnerId,
    sealPrivateKey: (integration) => sealPrivateKey(keyring, integration, privateKey),
  });
  await db.repos.integrations.update(partnerId, id, { ticketSettings: settings });
  await db.repos.vendor.upsertCustomers(partnerId, [{ customerId: 'c-acme', name: 'Acme Corp' }]);
  await db.repos.companyMappings.save(partnerId, id, [{ customerId: 'c-acme', companyId: 250 }]);
  return id;
}

/** The event, as reported `agoMs` before now (the test server's clock). */
export async function securityEvent(
  engine: Pick<TimeSkippingEngine, 'env'>,
  key: string,
  agoMs = 0,
): Promise<SecurityEvent> {
  const now = await engine.env.currentTimeMs();
  return {
    key,
    customerId: 'c-acme',
    title: 'Malware download blocked',
    severity: 'medium',
    description: 'A download matched a malware signature.',
    occurredAt: new Date(now - agoMs).toISOString(),
  };
}

/** Waits (real time) until the event's workflow says `done` of its own progress. */
export async function progressUntil(
  engine: Pick<TimeSkippingEngine, 'client'>,
  integrationId: string,
  key: string,
  done: (p: TicketProgress) => boolean,
  tries = 300,
): Promise<TicketProgress> {
  const handle = engine.client.workflow.getHandle(ticketWorkflowId(integrationId, key));
  for (let i = 0; i < tries; i++) {
    const progress = await handle.query(ticketProgressQuery);
    if (done(progress)) return progress;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`event ${key} never got there`);
}
