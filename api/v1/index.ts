import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { Config } from '../../config';
import type { Logger } from '../../config/logger';
import type { Repositories } from '../../db';
import type { Keyring } from '../../security';
import { principalOf } from '../auth';
import { effectiveTimeZoneOf } from '../../services/billing/effective-time-zone';
import { BillingPlanService } from '../../services/billing-plans';
import { ConnectionTestClient } from '../../services/connection-test-client';
import { IntegrationService } from '../../services/integration-service';
import { IntegrationSettingsService } from '../../services/integration-settings';
import { LifecycleClient } from '../../temporal/lifecycle-client';
import { CompanyLists } from '../company-lists';
import { ConnectWiseSession } from '../connectwise-session';
import { mountRoutes } from '../route';
import { docsContentSecurityPolicy } from '../security-headers';
import { billingChangeRoutes } from './billing-change-routes';
import { BillingApprovalService } from '../../services/billing-approvals';
import { billingPlanRoutes } from './billing-plan-routes';
import { catalogLookupRoutes } from './catalog-lookup-routes';
import { integrationRoutes } from './integration-routes';
import { lookupRoutes } from './lookup-routes';
import { mappingRoutes } from './mapping-routes';
import { productMappingRoutes } from './product-mapping-routes';
import { settingsRoutes } from './settings-routes';
import { statusRoutes } from './status-routes';
import { syncRunRoutes } from './sync-run-routes';
import { vendorRoutes } from './vendor-routes';
import { eventRoutes } from './event-routes';
import { hostedTabRoutes } from './hosted-tab-routes';
import { HostedTabService } from '../../services/hosted-tab';
import { EventService } from '../../services/tickets/events';
import { TicketIntake } from '../../services/tickets/intake';
import { healthRoutes } from './health-routes';
import { coverageRoutes } from './coverage-routes';
import { BillingCoverage } from '../../services/billing-coverage';
import { webhookRoutes } from './webhook-routes';
import { WebhookService } from '../../services/webhooks/subscriptions';
import { TicketClient } from '../../services/tickets/ticket-client';
import { TicketWatchClient } from '../../services/tickets/watch-client';

export interface V1Deps {
  config: Config;
  temporal: Client;
  repos: Repositories;
  keyring: Keyring;
  logger: Logger;
  /**
   * The event intake (its dispatcher is the caller's to start and stop); absent: one of its own,
   * started with the router (tests that never stop it: its timers keep no process alive).
   */
  intake?: TicketIntake;
  /** Tests: a response that differs from its declared schema fails instead of being trimmed. */
  strictResponses?: boolean;
  /** The clock billing days are counted from (tests fix it); default: the system's. */
  now?: () => Date;
}

export function createV1Router(deps: V1Deps): Router {
  const { config, temporal, repos, keyring } = deps;
  const now = deps.now ?? (() => new Date());
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer' });
  const lifecycle = new LifecycleClient(temporal, config);
  const connectionTests = new ConnectionTestClient(temporal, config);
  const tickets = new TicketClient(temporal, config);
  const watch = new TicketWatchClient(temporal, config);
  const integrations = new IntegrationService({
    repos,
    keyring,
    lifecycle,
    connectionTests,
    tickets,
    watch,
  });
  const settings = new IntegrationSettingsService({
    repos,
    lifecycle,
    tickets,
    watch,
    logger: deps.logger,
  });
  const intake =
    deps.intake ??
    new TicketIntake({
      repos,
      tickets,
      logger: deps.logger,
      maxBacklog: config.INTAKE_MAX_BACKLOG,
      maxInFlight: config.INTAKE_MAX_IN_FLIGHT,
    }).start();
  const events = new EventService({ repos, integrations, tickets, intake });
  const temporalUi = { url: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE };
  const plans = new BillingPlanService({ temporal, repos, lifecycle, config });
  const approvals = new BillingApprovalService({ repos, lifecycle });
  const session = new ConnectWiseSession({
    integrations,
    repos,
    keyring,
    cw: config,
    logger: deps.logger,
  });

  const api = Router();
  mountRoutes(
    api,
    registry,
    [
      ...integrationRoutes(integrations),
      ...vendorRoutes(repos),
      ...statusRoutes(lifecycle, integrations, repos),
      ...healthRoutes({ repos, integrations }),
      ...webhookRoutes(
        new WebhookService({
          repos,
          keyring,
          url: { allowPrivateHosts: config.CW_ALLOW_PRIVATE_HOSTS },
        }),
      ),
      ...syncRunRoutes({ repos, integrations, temporalUi }),
      ...eventRoutes({ events, repos, integrations, temporalUi, now }),
      ...billingChangeRoutes(repos, integrations),
      ...billingPlanRoutes(plans, approvals),
      ...coverageRoutes({ coverage: new BillingCoverage(repos), integrations }),
      ...lookupRoutes({ session, now }),
      ...catalogLookupRoutes({ session }),
      ...hostedTabRoutes({
        session,
        hostedTab: new HostedTabService({ repos, publicBaseUrl: config.PUBLIC_BASE_URL }),
      }),
      ...mappingRoutes({ session, settings, repos, companyLists: new CompanyLists() }),
      ...productMappingRoutes({ session, settings, repos }),
      ...settingsRoutes({
        session,
        integrations,
        settings,
        repos,
        now,
        effectiveTimeZone: (integration, timeZone) =>
          effectiveTimeZoneOf({ repos, keyring, cw: config }, integration, timeZone),
      }),
    ],
    {
      authenticate: (req, res) => principalOf(repos.tokens, req, res),
      strictResponses: deps.strictResponses,
    },
  );

  const document = {
    ...new OpenApiGeneratorV3(registry.definitions).generateDocument({
      openapi: '3.0.3',
      info: {
        title: 'DefensX ConnectWise integration engine',
        version: '1',
        description:
          'Partner routes act for the partner in their path and need a bearer token of that partner (or a service token). No text in a request may contain the NUL character (U+0000): a field holding it is a 400 naming it.',
      },
      servers: [{ url: '/v1' }],
    }),
    // The rule above, for tools (the fuzzer's hooks, dev/fuzz/hooks.py).
    'x-no-nul-characters': true,
  };

  const router = Router();
  // The document and its reader are public: they describe the API, they hold no data.
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.use('/docs', docsContentSecurityPolicy(), swaggerUi.serve, swaggerUi.setup(document));
  // Each route authenticates by its own declared strategy (api/route-auth.ts).
  router.use(api);
  return router;
}
