import { z } from 'zod';
import type { BillingSettings, Repositories, TicketSettings } from '../../db';
import {
  checkBillingAgreements,
  checkTicketSettings,
  type EnabledTicketSettings,
} from '../../services/settings-validation';
import type { ConnectWiseSession } from '../connectwise-session';
import type { IntegrationService } from '../../services/integration-service';
import type { IntegrationSettingsService } from '../../services/integration-settings';
import { cwIdInBody } from './connectwise-schemas';
import { externalId, unique } from './schemas';
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

const agreementChoice = z.object({ customerId: externalId, agreementId: cwIdInBody });
const billingBody = z.object({
  enabled: z.boolean(),
  agreements: z
    .array(agreementChoice)
    .max(5000)
    // One agreement per customer, and a customer's usage goes into an agreement no other
    // customer uses: additions are kept one per product per agreement.
    .superRefine(unique((a) => a.customerId, 'customerId'))
    .superRefine(unique((a) => String(a.agreementId), 'agreementId'))
    .default([]),
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
        get: 'Billing integration settings: one agreement per mapped customer',
        put: "Set billing integration: each customer's recurring agreement, checked in ConnectWise when enabled",
      },
      field: 'billingSettings',
      body: billingBody,
      view: { schema: billingSettingsView, of: toBillingSettingsView },
      checkWhenEnabled: async (client, { agreements }, { partnerId, integration }) => {
        const [knownCustomers, mappings] = await Promise.all([
          repos.vendor.existingCustomerIds(
            partnerId,
            agreements.map((a) => a.customerId),
          ),
          repos.companyMappings.list(partnerId, integration.id),
        ]);
        return checkBillingAgreements(client, agreements, {
          knownCustomers,
          mappings,
          today: today(),
        });
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

function toBillingSettingsView(s: BillingSettings | undefined) {
  return {
    enabled: s?.enabled ?? false,
    agreements: (s?.agreements ?? []).map(({ customerId, agreementId }) => ({
      customerId,
      agreementId,
    })),
  };
}
