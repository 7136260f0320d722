/**
 * The ticket scenario of record-histories.ts (ticket.pb): an event's workflow on the
 * time-skipping server, with its real activities: created, repeats coalesced into a note, resolved,
 * reopened inside the reopen window, resolved again, and ended once the window passed.
 */
import { sealPrivateKey } from '../../services/integration-client';
import { TicketClient, ticketWorkflowId } from '../../services/tickets/ticket-client';
import { ticketProgressQuery, type TicketProgress } from '../../workflows/ticket-messages';
import type { RecordContext } from './record-histories';
import { recordWorker } from './record-worker';

const MINUTE = 60_000;

export async function recordTicket(
  ctx: RecordContext & { save: (name: string, workflowId: string) => Promise<void> },
): Promise<void> {
  const { env, client, repos, fx, keyring } = ctx;
  const taskQueue = 'record-ticket';
  const worker = await recordWorker(ctx, taskQueue);
  await worker.runUntil(async () => {
    const partnerId = 'replay-tickets';
    const { privateKey, ...creds } = fx.credentials;
    const { id: integrationId } = await repos.integrations.create({
      ...creds,
      partnerId,
      sealPrivateKey: (id) => sealPrivateKey(keyring, id, privateKey),
    });
    await repos.integrations.update(partnerId, integrationId, {
      ticketSettings: {
        enabled: true,
        boardId: 2,
        sourceId: 4,
        initialStatusId: 201,
        closingStatusId: 203,
        reopenWindowHours: 1,
      },
    });
    await repos.vendor.upsertCustomers(partnerId, [{ customerId: 'c-acme', name: 'Acme Corp' }]);
    await repos.companyMappings.save(partnerId, integrationId, [
      { customerId: 'c-acme', companyId: 250 },
    ]);
    const ids = { partnerId, integrationId };
    const tickets = new TicketClient(client, { TEMPORAL_TASK_QUEUE: taskQueue });
    const event = async () => ({
      key: 'replay-evt',
      customerId: 'c-acme',
      title: 'Phishing site blocked',
      severity: 'high' as const,
      description: 'Recorded for the replay test.',
      occurredAt: new Date(await env.currentTimeMs()).toISOString(),
    });
    const handle = client.workflow.getHandle(ticketWorkflowId(integrationId, 'replay-evt'));
    const until = async (done: (p: TicketProgress) => boolean) => {
      for (let i = 0; i < 300; i++) {
        if (done(await handle.query(ticketProgressQuery))) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the recorded ticket workflow never got there');
    };
    await tickets.occurred(ids, await event());
    await until((p) => p.state === 'open');
    for (let i = 0; i < 3; i++) await tickets.occurred(ids, await event());
    await env.sleep(16 * MINUTE);
    await until((p) => p.notes === 1);
    await tickets.resolved(ids, await event(), { at: '2026-12-03T00:00:00.000Z' });
    await until((p) => p.state === 'resolved');
    await env.sleep(10 * MINUTE);
    await tickets.occurred(ids, await event());
    await until((p) => p.state === 'open');
    await tickets.resolved(ids, await event(), { at: '2026-12-03T01:00:00.000Z' });
    await until((p) => p.state === 'resolved');
    // This client does not skip time while it waits for a result: the window passes here.
    await env.sleep(2 * 60 * MINUTE);
    await handle.result();
    await ctx.save('ticket', handle.workflowId);
  });
}
