import { noteHealth } from '../health';
import { metrics } from '../../observability/metrics';
import { eventsHeld, ticketSettingUnusable } from '../../domain/health/issues';
import {
  cwMessage,
  isConnectWiseError,
  writeInDoubtUntil,
  type ConnectWiseClient,
} from '../../connectwise';
import type { IntegrationRecord } from '../../db';
import { externalXRefOf, initialDescription, ticketSummary } from '../../domain/tickets/text';
import type { OpenInput, StepResult } from '../../domain/tickets/steps';
import { checkTicketSettings, type EnabledTicketSettings } from '../settings-validation';
import type { KnownTicket } from './begin';
import { ensureTicket, findOurTicket, type CreateGuard } from './connectwise-steps';
import { ticketContextOf, type TicketContext, type TicketRepos } from './context';

/** Runs ConnectWise calls with the integration's client (activities/with-connectwise.ts). */
export type WithClient = <T>(
  integration: IntegrationRecord,
  step: (client: ConnectWiseClient, signal: AbortSignal) => Promise<T>,
) => Promise<T>;

const severityImpact = { low: 'Low', medium: 'Medium', high: 'High', critical: 'High' } as const;

/** Why the customer gets no ticket, if it gets none: unmapped or excluded. */
async function companyOf(repos: TicketRepos, { ref, event }: OpenInput): Promise<number | string> {
  const mapping = await repos.companyMappings.get(
    ref.partnerId,
    ref.integrationId,
    event.customerId,
  );
  if (!mapping) return `customer ${event.customerId} is not mapped to a ConnectWise company`;
  if (mapping.companyId === null)
    return `customer ${event.customerId} is excluded from ConnectWise`;
  return mapping.companyId;
}

/**
 * A refusal of the ticket itself (400/404): when the ticket settings no longer hold in
 * ConnectWise (board or status deleted, a status moved), the problem is saved on the integration
 * and tickets wait for new settings; otherwise this ticket fails with ConnectWise's message.
 */
async function refused(
  repos: TicketRepos,
  client: ConnectWiseClient,
  ctx: TicketContext,
  message: string,
): Promise<{ settings: string } | { ticket: string }> {
  const problems = await checkTicketSettings(
    client,
    ctx.policy as EnabledTicketSettings,
    'ticketSettings',
  );
  if (problems.length === 0) return { ticket: message };
  const problem = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  const { partnerId, id } = ctx.integration;
  await repos.integrations.update(partnerId, id, { ticketSettingsProblem: problem });
  await noteHealth(
    repos,
    { partnerId, integrationId: id },
    { kinds: ['ticket_setting_unusable'], by: 'a ticket step' },
    [ticketSettingUnusable(problem)],
  );
  return { settings: problem };
}

const NONE_MADE = 'resolved before a ticket could be created';

/** The step waits for a create ConnectWise may still commit: held, looked up again after it. */
function inDoubt(ms: number): string {
  const at = new Date(Date.now() + ms).toISOString();
  return `a create was sent to ConnectWise and no answer came; it may still be committed, so the ticket is looked up again at ${at} before another is sent`;
}

/**
 * The event's ticket: the one the row recorded for this generation (0 ConnectWise calls; a ticket
 * made before externalXRefs named the integration is kept this way too); skipped (0 calls) when
 * ticket integration is off or the customer unmapped; held while the integration cannot work;
 * else found by its externalXRef or created, and its id recorded at once. Resolved first
 * (`adoptOnly`): a ticket that may exist is looked up, none is made.
 */
export async function openEventTicket(
  deps: { repos: TicketRepos; withClient: WithClient; createTimeoutMs: number },
  integration: IntegrationRecord,
  input: OpenInput,
  known: KnownTicket,
): Promise<StepResult<{ ticketId: number }>> {
  const { repos } = deps;
  const { ref, event, occurrences, lastSeen } = input;
  const record = (update: Parameters<TicketRepos['ticketEvents']['record']>[2]) =>
    repos.ticketEvents.record(ref, event, { occurrences, lastSeen: new Date(lastSeen), ...update });
  const gate = ticketContextOf(integration);
  if (known.ticketId !== null) {
    await record({ state: 'open', reason: null, ticketId: known.ticketId });
    return { done: { ticketId: known.ticketId }, times: gate.times };
  }
  if (input.adoptOnly && !known.createTried) {
    await record({ state: 'resolved', reason: NONE_MADE });
    return { end: 'resolved', reason: NONE_MADE };
  }
  const company = 'off' in gate ? gate.off : await companyOf(repos, input);
  if ('off' in gate || typeof company === 'string') {
    const reason = 'off' in gate ? gate.off : String(company);
    const end = input.adoptOnly ? 'resolved' : 'skipped';
    await record({ state: end, reason });
    return { end, reason };
  }
  const ctx = gate;
  if ('held' in ctx) {
    metrics.eventsHeld.inc();
    await noteHealth(repos, ref, { kinds: ['events_held'], by: 'a ticket step' }, [
      eventsHeld(ctx.held),
    ]);
    await record({ state: 'pending', reason: ctx.held });
    return ctx;
  }
  const inDoubtUntil = known.createSentAt
    ? writeInDoubtUntil(known.createSentAt, deps.createTimeoutMs)
    : 0;
  const heldInDoubt = async (ms: number) => {
    const held = inDoubt(ms);
    await record({ state: 'pending', reason: held });
    return { held, times: ctx.times, retryInMs: ms };
  };
  if (input.adoptOnly) {
    const found = await deps.withClient(integration, (client, signal) =>
      findOurTicket(client, externalXRefOf(ref), { signal }),
    );
    if (!found && inDoubtUntil > Date.now()) return await heldInDoubt(inDoubtUntil - Date.now());
    if (!found) {
      await record({ state: 'resolved', reason: NONE_MADE });
      return { end: 'resolved', reason: NONE_MADE };
    }
    await record({ state: 'open', reason: null, ticketId: found.id, summary: found.summary });
    return { done: { ticketId: found.id }, times: ctx.times };
  }
  const customer = (await repos.vendor.getCustomer(ref.partnerId, event.customerId))?.name;
  const name = customer ?? event.customerId;
  const { policy } = ctx;
  const guard: CreateGuard = {
    inDoubtUntil,
    sending: () => record({ createTried: true, createSentAt: new Date() }),
    answered: () => record({ createSentAt: null }),
  };
  const priority = policy.priorityBySeverity[event.severity];
  type Outcome =
    | { made: { ticket: { id: number; summary: string }; adopted: boolean } }
    | { inDoubtMs: number }
    | Awaited<ReturnType<typeof refused>>;
  const outcome = await deps.withClient(integration, async (client, signal): Promise<Outcome> => {
    try {
      const made = await ensureTicket(
        client,
        {
          summary: ticketSummary(event, name),
          company: { id: company },
          board: { id: policy.boardId },
          status: { id: policy.initialStatusId },
          ...(policy.sourceId ? { source: { id: policy.sourceId } } : {}),
          ...(priority ? { priority: { id: priority } } : {}),
          severity: severityImpact[event.severity],
          impact: severityImpact[event.severity],
          externalXRef: externalXRefOf(ref),
          initialDescription: initialDescription(event, name),
          processNotifications: policy.processNotifications,
        },
        { signal },
        guard,
      );
      return 'inDoubtMs' in made ? { inDoubtMs: made.inDoubtMs } : { made };
    } catch (err) {
      if (!isConnectWiseError(err) || !['validation', 'not_found'].includes(err.kind)) throw err;
      return await refused(repos, client, ctx, cwMessage(err));
    }
  });
  if ('settings' in outcome) {
    const held = `the ticket settings are invalid: ${outcome.settings}`;
    metrics.eventsHeld.inc();
    await record({ state: 'pending', reason: held });
    return { held, times: ctx.times };
  }
  if ('inDoubtMs' in outcome) return await heldInDoubt(outcome.inDoubtMs);
  if ('ticket' in outcome) {
    await record({ state: 'failed', reason: `ConnectWise refused the ticket: ${outcome.ticket}` });
    return { end: 'failed', reason: outcome.ticket };
  }
  const { id: ticketId, summary } = outcome.made.ticket;
  if (!outcome.made.adopted) metrics.ticketsCreated.inc();
  await record({ state: 'open', reason: null, ticketId, summary, createSentAt: null });
  return { done: { ticketId }, times: ctx.times };
}
