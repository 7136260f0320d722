/**
 * The two-way scenario of record-histories.ts, on the time-skipping server with the real
 * activities: an integration's ticket watch (ticket-watch.pb) registers (no public address: the
 * poll alone), polls, finds a technician's close and tells the event's workflow
 * (ticket-two-way.pb: created, closed in ConnectWise, ended); the integration is then deleted, so
 * the watch removes its callback and drops the keys kept for that before it ends.
 */
import { sealPrivateKey } from '../../services/integration-client';
import { TicketClient, ticketWorkflowId } from '../../services/tickets/ticket-client';
import { TicketWatchClient } from '../../services/tickets/watch-client';
import { ticketProgressQuery, type TicketProgress } from '../../workflows/ticket-messages';
import { ticketWatchWorkflowId } from '../../workflows/ticket-watch';
import type { RecordContext } from './record-histories';
import { recordWorker } from './record-worker';

const MINUTE = 60_000;

export async function recordTicketWatch(
  ctx: RecordContext & { save: (name: string, workflowId: string) => Promise<void> },
): Promise<void> {
  const { env, client, repos, fx, keyring } = ctx;
  const taskQueue = 'record-ticket-watch';
  const worker = await recordWorker(ctx, taskQueue);
  await worker.runUntil(async () => {
    const partnerId = 'replay-two-way';
    const { privateKey, ...creds } = fx.credentials;
    const { id: integrationId } = await repos.integrations.create({
      ...creds,
      partnerId,
      sealPrivateKey: (id) => sealPrivateKey(keyring, id, privateKey),
    });
    const ticketSettings = {
      enabled: true,
      boardId: 2,
      sourceId: 4,
      initialStatusId: 201,
      closingStatusId: 203,
      pollMinutes: 5,
    };
    await repos.integrations.update(partnerId, integrationId, { ticketSettings });
    await repos.vendor.upsertCustomers(partnerId, [{ customerId: 'c-acme', name: 'Acme Corp' }]);
    await repos.companyMappings.save(partnerId, integrationId, [
      { customerId: 'c-acme', companyId: 250 },
    ]);
    const ids = { partnerId, integrationId };
    const config = { TEMPORAL_TASK_QUEUE: taskQueue };
    const tickets = new TicketClient(client, config);
    const watch = new TicketWatchClient(client, config);
    const event = {
      key: 'replay-two-way',
      customerId: 'c-acme',
      title: 'Phishing site blocked',
      severity: 'high' as const,
      description: 'Recorded for the replay test.',
      occurredAt: new Date(await env.currentTimeMs()).toISOString(),
    };
    const handle = client.workflow.getHandle(ticketWorkflowId(integrationId, event.key));
    const until = async (done: (p: TicketProgress) => boolean) => {
      for (let i = 0; i < 300; i++) {
        const progress = await handle.query(ticketProgressQuery);
        if (done(progress)) return progress;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the recorded ticket workflow never got there');
    };
    await tickets.occurred(ids, event);
    const { ticketId } = await until((p) => p.state === 'open');
    await watch.settingsChanged(ids);
    await fx.sim.admin.technician.close(ticketId!);
    await env.sleep(6 * MINUTE);
    await handle.result();
    await ctx.save('ticket-two-way', handle.workflowId);

    await repos.integrations.markDeleted(partnerId, integrationId, { keepSecret: true });
    await watch.settingsChanged(ids);
    const watchHandle = client.workflow.getHandle(ticketWatchWorkflowId(integrationId));
    await watchHandle.result();
    const deleted = await repos.integrations.get(partnerId, integrationId);
    if (deleted?.privateKey) throw new Error('the watch did not drop the kept keys');
    await ctx.save('ticket-watch', watchHandle.workflowId);
  });
}
