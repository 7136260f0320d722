import { z } from 'zod';
import type { BillingSettings, Repositories, TicketSettings } from '../../db';
import {
  checkBillingAgreements,
  checkTicketSettings,
  type EnabledTicketSettings,
} from '../../services/settings-validation';
import type { ConnectWiseSession } from '../connectwise-session';
import { notFound, validationError } from '../errors';
import type { IntegrationService } from '../integration-service';
import { route } from '../route';
import { connectWiseFailures, cwIdInBody } from './connectwise-schemas';
import { errorBody, externalId, partnerParams, unique } from './schemas';

const TAGS = ['Settings'];
const base = '/partners/:partnerId/connectwise';

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

const ticketView = z.object({
  enabled: z.boolean(),
  boardId: z.number().nullable(),
  sourceId: z.number().nullable(),
  initialStatusId: z.number().nullable(),
  closingStatusId: z.number().nullable(),
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
const billingView = z.object({ enabled: z.boolean(), agreements: z.array(agreementChoice) });

export interface SettingsDeps {
  session: ConnectWiseSession;
  integrations: Pick<IntegrationService, 'live'>;
  repos: Repositories;
  today: () => string;
}

export function settingsRoutes({ session, integrations, repos, today }: SettingsDeps) {
  const save = async (
    partnerId: string,
    integrationId: string,
    set: Parameters<Repositories['integrations']['update']>[2],
  ) => {
    const updated = await repos.integrations.update(partnerId, integrationId, set);
    if (!updated) throw notFound('ConnectWise integration');
    return updated;
  };

  return [
    route({
      method: 'get',
      path: `${base}/ticket-settings`,
      summary: 'Ticket integration settings',
      tags: TAGS,
      params: partnerParams,
      responses: {
        200: { description: 'Settings (disabled when never set)', schema: ticketView },
        404: { description: 'No integration', schema: errorBody },
      },
      handler: async ({ params }) => {
        const integration = await integrations.live(params.partnerId);
        return { body: ticketSettingsView(integration.ticketSettings) };
      },
    }),
    route({
      method: 'put',
      path: `${base}/ticket-settings`,
      summary:
        'Set ticket integration: board, source, initial and closing status, each checked in ConnectWise when enabled',
      tags: TAGS,
      params: partnerParams,
      body: ticketBody,
      responses: {
        200: { description: 'Saved', schema: ticketView },
        400: { description: 'Invalid; each refused field is named with why', schema: errorBody },
        ...connectWiseFailures,
      },
      handler: async ({ params, body, res }) => {
        const { partnerId } = params;
        let integrationId: string;
        if (body.enabled) {
          const checked = await session.call({
            partnerId,
            res,
            run: async (client, integration) => ({
              integrationId: integration.id,
              // The schema made every id present when enabled.
              problems: await checkTicketSettings(client, body as EnabledTicketSettings),
            }),
          });
          if (checked.problems.length > 0) throw validationError(checked.problems);
          integrationId = checked.integrationId;
        } else {
          // Turning tickets off never needs ConnectWise; any picks sent along are kept for next time.
          integrationId = (await integrations.live(partnerId)).id;
        }
        const saved = await save(partnerId, integrationId, { ticketSettings: body });
        return { body: ticketSettingsView(saved.ticketSettings) };
      },
    }),
    route({
      method: 'get',
      path: `${base}/billing-settings`,
      summary: 'Billing integration settings: one agreement per mapped customer',
      tags: TAGS,
      params: partnerParams,
      responses: {
        200: { description: 'Settings (disabled when never set)', schema: billingView },
        404: { description: 'No integration', schema: errorBody },
      },
      handler: async ({ params }) => {
        const integration = await integrations.live(params.partnerId);
        return { body: billingSettingsView(integration.billingSettings) };
      },
    }),
    route({
      method: 'put',
      path: `${base}/billing-settings`,
      summary:
        "Set billing integration: each customer's recurring agreement, checked in ConnectWise when enabled",
      tags: TAGS,
      params: partnerParams,
      body: billingBody,
      responses: {
        200: { description: 'Saved', schema: billingView },
        400: { description: 'Invalid; each refused field is named with why', schema: errorBody },
        ...connectWiseFailures,
      },
      handler: async ({ params, body, res }) => {
        const { partnerId } = params;
        let integrationId: string;
        if (body.enabled) {
          const checked = await session.call({
            partnerId,
            res,
            run: async (client, integration) => {
              const [knownCustomers, mappings] = await Promise.all([
                repos.vendor.existingCustomerIds(
                  partnerId,
                  body.agreements.map((a) => a.customerId),
                ),
                repos.companyMappings.list(partnerId, integration.id),
              ]);
              const problems = await checkBillingAgreements(client, body.agreements, {
                knownCustomers,
                mappings,
                today: today(),
              });
              return { integrationId: integration.id, problems };
            },
          });
          if (checked.problems.length > 0) throw validationError(checked.problems);
          integrationId = checked.integrationId;
        } else {
          integrationId = (await integrations.live(partnerId)).id;
        }
        const saved = await save(partnerId, integrationId, { billingSettings: body });
        return { body: billingSettingsView(saved.billingSettings) };
      },
    }),
  ];
}

function ticketSettingsView(s: TicketSettings | undefined) {
  return {
    enabled: s?.enabled ?? false,
    boardId: s?.boardId ?? null,
    sourceId: s?.sourceId ?? null,
    initialStatusId: s?.initialStatusId ?? null,
    closingStatusId: s?.closingStatusId ?? null,
  };
}

function billingSettingsView(s: BillingSettings | undefined) {
  return {
    enabled: s?.enabled ?? false,
    agreements: (s?.agreements ?? []).map(({ customerId, agreementId }) => ({
      customerId,
      agreementId,
    })),
  };
}
