import { z } from 'zod';
import type { Repositories, TicketSettings } from '../../db';
import {
  checkBillingAgreements,
  checkCatalogDefaults,
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
  today: () => string;
}

export function settingsRoutes(deps: SettingsDeps) {
  const { repos, today } = deps;
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
      view: { schema: billingSettingsView, of: billingSettingsViewOf },
      checkWhenEnabled: async (client, settings, { partnerId, integration }) => {
        const { agreements } = settings;
        const [knownCustomers, mappings] = await Promise.all([
          repos.vendor.existingCustomerIds(
            partnerId,
            agreements.map((a) => a.customerId),
          ),
          repos.companyMappings.list(partnerId, integration.id),
        ]);
        const problems = await Promise.all([
          checkBillingAgreements(client, agreements, {
            knownCustomers,
            mappings,
            today: today(),
          }),
          checkCatalogDefaults(client, settings.catalogDefaults ?? {}),
        ]);
        return problems.flat();
      },
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
