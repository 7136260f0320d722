import { z } from 'zod';
import type { IntegrationRecord, Repositories, TicketSettings } from '../../db';
import { ticketPolicyOf, type Severity } from '../../domain/tickets/settings';
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

const wholeNumber = (unit: string, min: number, max: number, note = '') => {
  const message = `must be a whole number of ${unit} from ${min} to ${max}${note}`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message);
};

/** A severity left out gets ConnectWise's default priority; an unknown severity is refused. */
const priorityBySeverity = z.strictObject({
  low: cwIdInBody.optional(),
  medium: cwIdInBody.optional(),
  high: cwIdInBody.optional(),
  critical: cwIdInBody.optional(),
} satisfies Record<Severity, unknown>);

/** Policy fields left out take their defaults (a PUT replaces the whole ticket settings). */
const ticketBody = z
  .object({
    enabled: z.boolean(),
    boardId: cwIdInBody.optional(),
    sourceId: cwIdInBody.optional(),
    initialStatusId: cwIdInBody.optional(),
    closingStatusId: cwIdInBody.optional(),
    priorityBySeverity: priorityBySeverity.optional(),
    processNotifications: z.boolean().optional(),
    noteWindowMinutes: wholeNumber('minutes', 1, 1440).optional(),
    reopenWindowHours: wholeNumber('hours', 0, 720, ' (0: never reopen)').optional(),
    maxEventAgeHours: wholeNumber('hours', 1, 2160).optional(),
    pollMinutes: wholeNumber('minutes', 1, 1440)
      .optional()
      .describe('How often open tickets are read again, whatever callbacks said (the backstop)'),
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
  })
  // The rule above, for the fuzzer's hooks (dev/fuzz/hooks.py).
  .meta({ 'x-required-when-true': { enabled: [...TICKET_IDS] } });

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
        get: 'Ticket integration settings: board, source, statuses, and the ticket policy with its defaults applied',
        put: 'Set ticket integration: board, source, initial and closing status and the priority per severity, each checked in ConnectWise when enabled, and the ticket policy (customer notifications, note window, reopen window, maximum event age, poll period)',
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

/** The stored settings with every default applied (ticketPolicyOf); disabled when never set. */
function toTicketSettingsView(s: TicketSettings | undefined): z.infer<typeof ticketSettingsView> {
  const policy = ticketPolicyOf(s);
  return {
    enabled: policy.enabled,
    boardId: policy.boardId ?? null,
    sourceId: policy.sourceId ?? null,
    initialStatusId: policy.initialStatusId ?? null,
    closingStatusId: policy.closingStatusId ?? null,
    priorityBySeverity: policy.priorityBySeverity,
    processNotifications: policy.processNotifications,
    noteWindowMinutes: policy.noteWindowMinutes,
    reopenWindowHours: policy.reopenWindowHours,
    maxEventAgeHours: policy.maxEventAgeHours,
    pollMinutes: policy.pollMinutes,
  };
}
