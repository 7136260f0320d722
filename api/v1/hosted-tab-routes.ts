import type { Response } from 'express';
import { z } from 'zod';
import type { ConnectWiseClient } from '../../connectwise';
import type { IntegrationRecord } from '../../db';
import type { HostedTabService } from '../../services/hosted-tab';
import type { ConnectWiseSession } from '../connectwise-session';
import { route } from '../route';
import { connectWiseFailures } from './connectwise-schemas';
import { errorBody, partnerParams } from './schemas';

const TAGS = ['Hosted tab'];
const path = '/partners/:partnerId/connectwise/hosted-tab';

const setupView = z.object({
  id: z.number(),
  screenId: z.number().nullable(),
  description: z.string(),
  type: z.string().nullable(),
  url: z.string().describe('The install token is shown as …'),
  origin: z.string().nullable(),
  enabled: z.boolean(),
});
const repairField = z.enum(['screenId', 'url', 'origin', 'type', 'disabledFlag']);
const checkView = z.object({
  name: z.enum(['exists', 'screen', 'type', 'enabled', 'url', 'origin']),
  ok: z.boolean(),
  message: z.string(),
  expected: z.string().optional(),
  actual: z.string().nullable().optional(),
});

const failures = {
  ...connectWiseFailures,
  409: {
    description:
      'The stored keys were refused (credentials_invalid), or the API member may not manage hosted tabs (connectwise_hosted_api_denied names the permission)',
    schema: errorBody,
  },
  422: { description: 'ConnectWise lists no Company screen for hosted tabs', schema: errorBody },
  503: {
    description:
      'ConnectWise is throttling (wait for Retry-After), or the engine has no PUBLIC_BASE_URL (hosted_tab_not_configured)',
    schema: errorBody,
  },
};

export interface HostedTabRouteDeps {
  session: ConnectWiseSession;
  hostedTab: HostedTabService;
}

/** The engine's `DefensX` tab on ConnectWise company screens (docs/connectwise.md §7). */
export function hostedTabRoutes({ session, hostedTab }: HostedTabRouteDeps) {
  // Each route runs one service call on the partner's live integration and answers its result.
  const through =
    <T>(run: (client: ConnectWiseClient, integration: IntegrationRecord) => Promise<T>) =>
    async ({ params, res }: { params: { partnerId: string }; res: Response }) => ({
      body: await session.call({ partnerId: params.partnerId, res, run }),
    });
  return [
    route({
      method: 'post',
      auth: 'partner',
      path,
      summary:
        'Install the DefensX tab on the ConnectWise Company screen, or repair it; a new install token each time (the old tab URL stops working)',
      tags: TAGS,
      params: partnerParams,
      responses: {
        200: {
          description: 'Created, or repaired (the fields that changed)',
          schema: z.object({
            action: z.enum(['created', 'repaired']),
            changed: z.array(repairField),
            setup: setupView,
          }),
        },
        ...failures,
      },
      handler: through((client, integration) => hostedTab.install(client, integration)),
    }),
    route({
      method: 'get',
      auth: 'partner',
      path,
      summary:
        'Verify the DefensX tab: exists, on the Company screen, a tab, enabled, the engine\u2019s URL with the current token, the engine\u2019s origin',
      tags: TAGS,
      params: partnerParams,
      responses: {
        200: {
          description: 'Each check, ok or what differs',
          schema: z.object({
            installed: z.boolean(),
            ok: z.boolean(),
            setup: setupView.nullable(),
            checks: z.array(checkView),
          }),
        },
        ...failures,
      },
      handler: through((client, integration) => hostedTab.verify(client, integration)),
    }),
    route({
      method: 'delete',
      auth: 'partner',
      path,
      summary: 'Remove the DefensX tab (only the engine\u2019s own setup) and its install token',
      tags: TAGS,
      params: partnerParams,
      responses: {
        200: {
          description: 'Removed, or there was none',
          schema: z.object({ removed: z.boolean(), setupId: z.number().nullable() }),
        },
        ...failures,
      },
      handler: through((client, integration) => hostedTab.remove(client, integration)),
    }),
  ];
}
