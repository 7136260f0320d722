import type { z, ZodType } from 'zod';
import type { ConnectWiseClient } from '../../connectwise';
import type { IntegrationRecord, Repositories } from '../../db';
import type { FieldProblem } from '../../services/field-problem';
import type { ConnectWiseSession } from '../connectwise-session';
import { validationError } from '../errors';
import type { IntegrationService } from '../../services/integration-service';
import type { IntegrationSettingsService } from '../../services/integration-settings';
import { route, type Route } from '../route';
import { connectWiseFailures } from './connectwise-schemas';
import { errorBody, partnerParams } from './schemas';

const TAGS = ['Settings'];
const base = '/partners/:partnerId/connectwise';

type SettingsField = 'ticketSettings' | 'billingSettings';

/** What one kind of integration settings (tickets, billing) declares; the routes do the rest. */
export interface SettingsKind<
  F extends SettingsField,
  B extends ZodType<NonNullable<IntegrationRecord[F]>>,
  V extends ZodType,
> {
  /** The last segment of both routes, e.g. `ticket-settings`. */
  path: string;
  summary: { get: string; put: string };
  /** Where the integration record keeps these settings. */
  field: F;
  body: B;
  /** What GET and PUT answer, from the saved settings and the integration they belong to. */
  view: {
    schema: V;
    of: (
      saved: IntegrationRecord[F],
      integration: IntegrationRecord,
    ) => z.infer<V> | Promise<z.infer<V>>;
  };
  /** What ConnectWise says is wrong with settings that are being turned on. */
  checkWhenEnabled: (
    client: ConnectWiseClient,
    settings: z.infer<B>,
    at: { partnerId: string; integration: IntegrationRecord },
  ) => Promise<FieldProblem[]>;
}

export interface SettingsKindDeps {
  session: ConnectWiseSession;
  integrations: Pick<IntegrationService, 'live'>;
  settings: Pick<IntegrationSettingsService, 'saveSettings'>;
  repos: Repositories;
}

/** The GET and PUT routes of one kind of settings. */
export function settingsKindRoutes<
  F extends SettingsField,
  B extends ZodType<NonNullable<IntegrationRecord[F]>>,
  V extends ZodType,
>({ session, integrations, settings }: SettingsKindDeps, kind: SettingsKind<F, B, V>): Route[] {
  const path = `${base}/${kind.path}`;
  return [
    route({
      method: 'get',
      auth: 'partner',
      path,
      summary: kind.summary.get,
      tags: TAGS,
      params: partnerParams,
      responses: {
        200: { description: 'Settings (disabled when never set)', schema: kind.view.schema },
        404: { description: 'No integration', schema: errorBody },
      },
      handler: async ({ params }) => {
        const integration = await integrations.live(params.partnerId);
        return { body: await kind.view.of(integration[kind.field], integration) };
      },
    }),
    route({
      method: 'put',
      auth: 'partner',
      path,
      summary: kind.summary.put,
      tags: TAGS,
      params: partnerParams,
      body: kind.body,
      responses: {
        200: { description: 'Saved', schema: kind.view.schema },
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
              problems: await kind.checkWhenEnabled(client, body, { partnerId, integration }),
            }),
          });
          if (checked.problems.length > 0) throw validationError(checked.problems);
          integrationId = checked.integrationId;
        } else {
          // Turning settings off never needs ConnectWise; any picks sent along are kept for
          // next time.
          integrationId = (await integrations.live(partnerId)).id;
        }
        const saved = await settings.saveSettings(partnerId, integrationId, kind.field, body);
        return { body: await kind.view.of(saved[kind.field], saved) };
      },
    }),
  ];
}
