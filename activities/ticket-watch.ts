import { noteHealth } from '../services/health';
import { callbackMissing } from '../domain/health/issues';
import type { WatchResult } from '../domain/tickets/connectwise-state';
import { ticketPolicyOf } from '../domain/tickets/settings';
import {
  syncTicketCallback,
  type CallbackRegistration,
} from '../services/tickets/callback-registration';
import { applyTicketChanges, pollTicketChanges } from '../services/tickets/watch';
import { asTemporalFailures } from './failures';
import type { ActivityDeps } from './deps';
import { liveIntegration, withConnectWise } from './with-connectwise';

type Scope = { partnerId: string; integrationId: string };

/**
 * The steps of an integration's ticket watch (workflows/ticket-watch.ts): the callback's
 * registration, a callback's tickets read, and the backstop poll. Each reads the integration
 * afresh; one that cannot work now (paused, keys rejected) reads nothing and says so.
 */
export function createTicketWatchActivities(deps: ActivityDeps) {
  const { repos } = deps;
  const watch = {
    repos,
    withClient: <T>(
      integration: Parameters<typeof withConnectWise>[1],
      step: Parameters<typeof withConnectWise<T>>[2],
    ) => withConnectWise(deps, integration, step),
  };
  const idle = (enabled: boolean, pollMinutes: number): WatchResult => ({
    enabled,
    pollMinutes,
    read: 0,
    changed: 0,
    signals: [],
  });
  return {
    /** Keeps the callback as the ticket settings say; `enabled` false: the watch ends. */
    registerTicketCallback: asTemporalFailures(
      async (
        scope: Scope,
      ): Promise<{
        gone?: true;
        enabled: boolean;
        pollMinutes: number;
        registration?: CallbackRegistration;
      }> => {
        const integration = await liveIntegration(repos, scope);
        const policy = ticketPolicyOf(integration.ticketSettings);
        const working = integration.state === 'active';
        if (policy.enabled && !working) return { enabled: true, pollMinutes: policy.pollMinutes };
        if (!working) return { enabled: false, pollMinutes: policy.pollMinutes };
        const registration = await withConnectWise(deps, integration, (client, signal) =>
          syncTicketCallback({ repos, publicBaseUrl: deps.publicBaseUrl }, client, integration, {
            signal,
          }),
        );
        // Written only when it changes: a save of the ticket settings (which starts this step)
        // is often followed by another, and a write of the integration beside it is one more
        // chance for FerretDB's PostgreSQL backend to lose one of two concurrent updates.
        if (registration.problem && registration.problem !== integration.ticketCallbackProblem) {
          await repos.integrations.update(scope.partnerId, scope.integrationId, {
            ticketCallbackProblem: registration.problem,
          });
        } else if (!registration.problem && integration.ticketCallbackProblem !== undefined) {
          await repos.integrations.update(scope.partnerId, scope.integrationId, {}, [
            'ticketCallbackProblem',
          ]);
        }
        await noteHealth(
          repos,
          scope,
          { kinds: ['callback_missing'], by: 'the ticket watch' },
          registration.problem ? [callbackMissing(registration.problem)] : [],
        );
        return { enabled: policy.enabled, pollMinutes: policy.pollMinutes, registration };
      },
    ),
    /**
     * The integration was deleted with tickets on: its callback removed from ConnectWise with the
     * keys it kept for that (none kept: nothing to do). The watch then drops the keys.
     */
    removeCallbackAfterDelete: asTemporalFailures(
      async (scope: Scope): Promise<CallbackRegistration | null> => {
        const integration = await repos.integrations.get(scope.partnerId, scope.integrationId);
        if (integration?.state !== 'deleted' || !integration.privateKey) return null;
        return await withConnectWise(deps, integration, (client, signal) =>
          syncTicketCallback({ repos, publicBaseUrl: deps.publicBaseUrl }, client, integration, {
            signal,
            remove: true,
          }),
        );
      },
    ),
    /** The keys a deleted integration kept for removing its callback, dropped. */
    dropDeletedSecret: asTemporalFailures(async (scope: Scope): Promise<void> => {
      await repos.integrations.dropDeletedSecret(scope.partnerId, scope.integrationId);
    }),
    applyTicketChanges: asTemporalFailures(
      async (input: Scope & { ticketIds: number[] }): Promise<WatchResult> => {
        const integration = await liveIntegration(repos, input);
        const policy = ticketPolicyOf(integration.ticketSettings);
        if (integration.state !== 'active') return idle(policy.enabled, policy.pollMinutes);
        return await applyTicketChanges(watch, integration, input.ticketIds);
      },
    ),
    pollTicketChanges: asTemporalFailures(async (scope: Scope): Promise<WatchResult> => {
      const integration = await liveIntegration(repos, scope);
      const policy = ticketPolicyOf(integration.ticketSettings);
      if (integration.state !== 'active') return idle(policy.enabled, policy.pollMinutes);
      return await pollTicketChanges(watch, integration);
    }),
  };
}
