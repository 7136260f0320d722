import { z } from 'zod';
import { COMPANY_ID, COMPANY_ID_MESSAGE } from '../../connectwise';
import type { IntegrationService } from '../../services/integration-service';
import { RETYPE_PRIVATE_KEY } from '../../services/integration-service';
import { route } from '../route';
import { integrationView } from './integration-view';
import { errorBody, nonBlank, partnerParams } from './schemas';
import { connectionReportView, integrationViewSchema } from './views';

// What the setup screen sends. Values are trimmed: pasted keys often carry a stray space.
const credentials = z.object({
  site: nonBlank(300, 'choose a cloud region or enter your server address'),
  companyId: z
    .string()
    .trim()
    .min(1, { error: 'enter your ConnectWise login Company ID', abort: true })
    .regex(COMPANY_ID, COMPANY_ID_MESSAGE),
  publicKey: nonBlank(200, 'paste the public key'),
  privateKey: nonBlank(200, 'paste the private key'),
});
const credentialsChange = credentials
  .partial()
  .extend({
    /** Typed again with every change (the stored one never goes to another site or key). */
    privateKey: nonBlank(200, RETYPE_PRIVATE_KEY).optional(),
    /**
     * Needed when the change moves the integration to another ConnectWise tenant (another Company
     * ID or API address): `reset` clears company mappings and ticket and billing settings, which
     * point into the old tenant; `same_tenant` keeps them (the same tenant at a new address).
     */
    tenantChange: z.enum(['reset', 'same_tenant']).optional(),
  })
  .refine((c) => [c.site, c.companyId, c.publicKey, c.privateKey].some((v) => v !== undefined), {
    message: 'change at least one field',
  })
  .refine(
    (c) =>
      c.privateKey !== undefined ||
      [c.site, c.companyId, c.publicKey].every((v) => v === undefined),
    {
      path: ['privateKey'],
      message: RETYPE_PRIVATE_KEY,
    },
  )
  // What the two rules come to (a change of anything needs the private key again), stated for
  // the OpenAPI document; the rules above give the clearer messages.
  .meta({ required: ['privateKey'] });

const TAGS = ['Integration'];

/** What every route that runs Test Connection may answer besides its own. */
const testAnswers = {
  502: { description: 'ConnectWise did not answer reliably', schema: errorBody },
  504: {
    description: 'ConnectWise did not answer within the Test Connection deadline',
    schema: errorBody,
  },
};
const base = '/partners/:partnerId/connectwise';

export function integrationRoutes(service: IntegrationService) {
  return [
    route({
      method: 'post',
      auth: 'partner',
      path: `${base}/test-connection`,
      summary: 'Test Connection: site, company, keys and every permission of the required role',
      tags: TAGS,
      params: partnerParams,
      body: credentials,
      responses: {
        200: {
          description: 'The report; `ok` says whether everything passed',
          schema: connectionReportView,
        },
        400: { description: 'Invalid input', schema: errorBody },
        ...testAnswers,
      },
      handler: async ({ params, body }) => ({
        body: await service.testConnection(params.partnerId, body),
      }),
    }),
    route({
      method: 'post',
      auth: 'partner',
      path: `${base}/integration`,
      summary: 'Create the integration (after a passing Test Connection, run again here)',
      tags: TAGS,
      params: partnerParams,
      body: credentials,
      responses: {
        201: {
          description: 'Created; its lifecycle workflow is running',
          schema: integrationViewSchema,
        },
        409: { description: 'The partner already has one', schema: errorBody },
        422: {
          description: 'Test Connection failed; the report is in error.report',
          schema: errorBody,
        },
        ...testAnswers,
      },
      handler: async ({ params, body }) => ({
        status: 201,
        body: integrationView(await service.create(params.partnerId, body)),
      }),
    }),
    route({
      method: 'get',
      auth: 'partner',
      path: `${base}/integration`,
      summary: 'The integration (never the private key; the public key masked)',
      tags: TAGS,
      params: partnerParams,
      responses: {
        200: { description: 'The integration', schema: integrationViewSchema },
        404: { description: 'None', schema: errorBody },
      },
      handler: async ({ params }) => ({
        body: integrationView(await service.live(params.partnerId)),
      }),
    }),
    route({
      method: 'patch',
      auth: 'partner',
      path: `${base}/integration`,
      summary: 'Change site, company or keys; re-tested first, and a failing test changes nothing',
      tags: TAGS,
      params: partnerParams,
      body: credentialsChange,
      responses: {
        200: { description: 'Updated', schema: integrationViewSchema },
        409: {
          description:
            'Another ConnectWise tenant without tenantChange (error code tenant_changed), or the integration changed meanwhile',
          schema: errorBody,
        },
        422: { description: 'Test Connection failed; nothing changed', schema: errorBody },
        ...testAnswers,
      },
      handler: async ({ params, body }) => ({
        body: integrationView(await service.update(params.partnerId, body)),
      }),
    }),
    route({
      method: 'post',
      auth: 'partner',
      path: `${base}/integration/validate`,
      summary:
        'Re-run Test Connection with the stored credentials (brings credentials_invalid back)',
      tags: TAGS,
      params: partnerParams,
      responses: {
        200: { description: 'Passed; the integration', schema: integrationViewSchema },
        422: { description: 'Failed; nothing changed', schema: errorBody },
        409: { description: 'The integration changed meanwhile', schema: errorBody },
        ...testAnswers,
      },
      handler: async ({ params }) => ({
        body: integrationView(await service.update(params.partnerId, {})),
      }),
    }),
    ...(['pause', 'resume'] as const).map((action) =>
      route({
        method: 'post',
        auth: 'partner',
        path: `${base}/integration/${action}`,
        summary:
          action === 'pause'
            ? 'Pause: scheduled and manual runs are skipped without calling ConnectWise'
            : 'Resume a paused integration',
        tags: TAGS,
        params: partnerParams,
        responses: {
          200: { description: 'The integration', schema: integrationViewSchema },
          409: { description: 'Not in a state that allows it', schema: errorBody },
        },
        handler: async ({ params }) => ({
          body: integrationView(await service.setPaused(params.partnerId, action === 'pause')),
        }),
      }),
    ),
    route({
      method: 'delete',
      auth: 'partner',
      path: `${base}/integration`,
      summary: 'Delete: stops the workflow and removes the secrets; history is kept',
      tags: TAGS,
      params: partnerParams,
      responses: {
        204: { description: 'Deleted', schema: null },
        404: { description: 'None', schema: errorBody },
      },
      handler: async ({ params }) => {
        await service.remove(params.partnerId);
        return { status: 204 };
      },
    }),
  ];
}
