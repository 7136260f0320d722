import { z } from 'zod';
import type { IntegrationRecord, Repositories, TicketSettings } from '../../db';
import type { EffectiveTimeZone } from '../../services/billing/effective-time-zone';
import {
  checkBillingSettings,
  checkTicketSettings,
  type EnabledTicketSettings,
} from '../../services/settings-validation';
import type { ConnectWiseSession } from '../connectwise-session';
import type { IntegrationService } from '../../services/integration-service';
import type { IntegrationSettingsService } from '../../services/integration-settings';
import { cwIdInBody } from './connectwise-schemas';
import { billingBody, billingSettingsViewOf } from './billing-settings';
import { billingSettingsView, ticketSettingsView } from './views';
import { settingsKindRoutes } from './settings-kind-routes';

const TICKET_IDS = ['boardId', 'sourceId', 'initialStatusId', 'closingStatusId'] as const;

const ticketBody = z
  .object({
    enabled: z.boolean(),
    boardId: cwIdInBody.optional(),
    sourceId: cwIdInBody.optional(),
    initialStatusId: cwIdInBody.optional(),
    closingStatusId: cwIdInBody.optional(),
  })
  .superRefine((s, ctx) => {
    if (!s.enabled) return;
    for (const key of TICKET_IDS) {
      if (s[key] === undefined)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'required when ticket integration is enabled',
        });
    }
  });

export interface SettingsDeps {
  session: ConnectWiseSession;
  integrations: Pick<IntegrationService, 'live'>;
  settings: Pick<IntegrationSettingsService, 'saveSettings'>;
  repos: Repositories;
  /** The clock: agreements are judged on the MSP's billing day of `now()`. */
  now: () => Date;
  /** The zone a run would use for these settings (services/billing/effective-time-zone.ts). */
  effectiveTimeZone: (
    integration: IntegrationRecord,
    timeZone: string | null,
  ) => Promise<EffectiveTimeZone>;
}

/**
 * What the billing settings routes answer: the settings with defaults applied, `timeZone` as
 * stored (null: derived from ConnectWise), and the zone a run would use with its source.
 */
export const billingSettingsAnswer = billingSettingsView.extend({
  effectiveTimeZone: z.object({
    /** IANA; null when it depends on ConnectWise and ConnectWise could not be asked. */
    zone: z.string().nullable(),
    source: z.enum(['setting', 'connectwise', 'utc', 'unknown']),
  }),
});

export function settingsRoutes(deps: SettingsDeps) {
  const { repos, now, effectiveTimeZone } = deps;
  return [
    ...settingsKindRoutes(deps, {
      path: 'ticket-settings',
      summary: {
        get: 'Ticket integration settings',
        put: 'Set ticket integration: board, source, initial and closing status, each checked in ConnectWise when enabled',
      },
      field: 'ticketSettings',
      body: ticketBody,
      view: { schema: ticketSettingsView, of: toTicketSettingsView },
      // The schema made every id present when enabled.
      checkWhenEnabled: (client, settings) =>
        checkTicketSettings(client, settings as EnabledTicketSettings),
    }),
    ...settingsKindRoutes(deps, {
      path: 'billing-settings',
      summary: {
        get: 'Billing integration settings: one agreement per mapped customer, and the run policy with its defaults applied',
        put: "Set billing integration: each customer's recurring agreement and the run policy (zero usage, price sync, time zone, catalog defaults, concurrency); agreements and catalog defaults checked in ConnectWise when enabled",
      },
      field: 'billingSettings',
      body: billingBody,
      view: {
        schema: billingSettingsAnswer,
        of: async (saved, integration) => {
          const view = billingSettingsViewOf(saved);
          return {
            ...view,
            effectiveTimeZone: await effectiveTimeZone(integration, view.timeZone),
          };
        },
      },
      checkWhenEnabled: (client, settings, { partnerId, integration }) =>
        checkBillingSettings({ client, repos }, settings, {
          partnerId,
          integrationId: integration.id,
          now: now(),
        }),
    }),
  ];
}

function toTicketSettingsView(s: TicketSettings | undefined) {
  return {
    enabled: s?.enabled ?? false,
    boardId: s?.boardId ?? null,
    sourceId: s?.sourceId ?? null,
    initialStatusId: s?.initialStatusId ?? null,
    closingStatusId: s?.closingStatusId ?? null,
  };
}
