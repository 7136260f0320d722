/**
 * The local stack's demo partner: a bearer token (kept in .data/dev.env so it survives restarts),
 * and vendor customers, products and usage that resemble the simulator's companies, so company
 * mapping has something to suggest. With the simulator given, the partner's integration is
 * configured too (connected, customers mapped, agreements chosen, billing on), so the first
 * Synchronize writes agreement additions.
 */
import type { Client } from '@temporalio/client';
import { billingBody } from '../api/v1/billing-settings';
import { loadConfig, type Config } from '../config';
import type { ConnectWiseClient } from '../connectwise';
import {
  connectDatabase,
  createRepositories,
  type IntegrationRecord,
  type Repositories,
} from '../db';
import { keyringFromConfig, type Keyring } from '../security';
import { checkCompanyMappings } from '../services/company-mappings';
import { runConnectionTest } from '../services/connection-test';
import type { CwCredentials } from '../services/cw-settings';
import { openIntegrationClient } from '../services/integration-client';
import { IntegrationService } from '../services/integration-service';
import { IntegrationSettingsService } from '../services/integration-settings';
import { checkBillingSettings } from '../services/settings-validation';
import { createTemporalClient } from '../temporal/connection';
import { LifecycleClient } from '../temporal/lifecycle-client';
import { readDevEnv, updateDevEnv } from './env-file';

export const DEMO_PARTNER_ID = 'demo';
/** A second partner with the same vendor data and no integration: the whole setup, from scratch. */
export const FRESH_PARTNER_ID = 'newmsp';

export interface SeededPartner {
  partnerId: string;
  token: string;
}

/** A customer every partner the stack seeds has (the fuzzer binds customer paths to it). */
export const DEMO_CUSTOMER_ID = 'dfx-cust-acme';

const CUSTOMERS = [
  { customerId: DEMO_CUSTOMER_ID, name: 'Acme Corporation' },
  { customerId: 'dfx-cust-globex', name: 'Globex' },
  { customerId: 'dfx-cust-initech', name: 'Initech LLC' },
  { customerId: 'dfx-cust-umbrella', name: 'Umbrella Health Inc.' },
  { customerId: 'dfx-cust-newco', name: 'Newco Startups' },
];
const PRODUCTS = [
  {
    sku: 'DFX-BROWSER-SEAT',
    name: 'DefensX Browser Security',
    description: 'Per-seat browser security',
    price: 4,
    cost: 2,
  },
  {
    sku: 'DFX-DLP-SEAT',
    name: 'DefensX Data Loss Prevention',
    description: 'Per-seat DLP add-on',
    price: 2,
    cost: 1,
  },
];

/**
 * The simulator's companies and recurring agreements (simulator/fixtures/demo.json) the demo
 * customers bill through. Initech and Newco stay unmapped: the mapping screen suggests for them.
 */
export const DEMO_BILLING = [
  { customerId: 'dfx-cust-acme', companyId: 250, agreementId: 300 },
  { customerId: 'dfx-cust-globex', companyId: 254, agreementId: 303 },
  { customerId: 'dfx-cust-umbrella', companyId: 256, agreementId: 307 },
];

/** Catalog items the engine creates are filed under these (simulator: Security Services). */
export const DEMO_CATALOG_DEFAULTS = {
  categoryId: 2,
  subcategoryId: 1,
  typeId: 1,
  productClass: 'Service',
} as const;

/** dev.env key: the integration this seeding created (never created again, even once deleted). */
const INTEGRATION_MARKER = 'DEMO_INTEGRATION_ID';

/** The ConnectWise the demo integration connects to: the stack's simulator. */
export interface DemoConnectWise {
  /** The simulator's origin, the integration's site. */
  site: string;
  credentials: Pick<CwCredentials, 'companyId' | 'publicKey' | 'privateKey'>;
}

export interface DemoIntegrationDeps {
  repos: Repositories;
  keyring: Keyring;
  config: Config;
  temporal: Client;
  /** Where the marker of the seeded integration is kept (the stack's dev.env). */
  devEnvFile: string;
  /** Clock for the agreement check; default: now. */
  now?: () => Date;
}

/** What the seeding did, in lines for the console (never a secret). */
export interface DemoIntegrationOutcome {
  integrationId?: string;
  notes: string[];
}

export async function seedDemoPartner(
  mongoUri: string,
  devEnvFile: string,
  connectWise?: DemoConnectWise & {
    /** The worker's and API's environment: the same keys, Temporal and ConnectWise settings. */
    env: NodeJS.ProcessEnv;
    log?: (line: string) => void;
  },
): Promise<{ demo: SeededPartner; fresh: SeededPartner }> {
  const db = await connectDatabase({ uri: mongoUri });
  try {
    const repos = await createRepositories(db);
    await seedVendorData(repos, DEMO_PARTNER_ID);
    await seedVendorData(repos, FRESH_PARTNER_ID);
    if (connectWise) {
      const config = loadConfig(connectWise.env);
      const keyring = keyringFromConfig(config);
      const temporal = createTemporalClient(config, keyring);
      try {
        const outcome = await seedDemoIntegration(
          { repos, keyring, config, temporal, devEnvFile },
          connectWise,
        );
        for (const note of outcome.notes) connectWise.log?.(note);
      } catch (err) {
        // The stack is still useful without it: the README's commands set it up by hand.
        connectWise.log?.(
          `demo integration not configured: ${err instanceof Error ? err.message : String(err)}`,
        );
      } finally {
        await temporal.connection.close();
      }
    }
    return {
      demo: await partnerToken(repos, devEnvFile, DEMO_PARTNER_ID, 'DEMO_PARTNER_TOKEN'),
      fresh: await partnerToken(repos, devEnvFile, FRESH_PARTNER_ID, 'FRESH_PARTNER_TOKEN'),
    };
  } finally {
    await db.close();
  }
}

/** The demo customers, products and usage (pushed as the vendor's portal would). */
export async function seedVendorData(repos: Repositories, partnerId: string): Promise<void> {
  await repos.vendor.upsertCustomers(partnerId, CUSTOMERS);
  await repos.vendor.upsertProducts(partnerId, PRODUCTS);
  const asOf = new Date();
  for (const [i, { customerId }] of CUSTOMERS.entries()) {
    await repos.vendor.replaceUsage(partnerId, customerId, {
      asOf,
      lines: [
        { sku: 'DFX-BROWSER-SEAT', quantity: 10 * (i + 1), asOf },
        { sku: 'DFX-DLP-SEAT', quantity: 5 * i, asOf },
      ],
    });
  }
}

/** The partner's bearer token, kept in dev.env under `envKey` so it survives restarts. */
async function partnerToken(
  repos: Repositories,
  devEnvFile: string,
  partnerId: string,
  envKey: string,
): Promise<SeededPartner> {
  const saved = readDevEnv(devEnvFile)[envKey];
  if (saved && (await repos.tokens.authenticate(saved))) return { partnerId, token: saved };
  const { token } = await repos.tokens.create({
    kind: 'partner',
    partnerId,
    name: `local stack ${partnerId}`,
  });
  updateDevEnv(devEnvFile, { [envKey]: token });
  return { partnerId, token };
}

/**
 * The demo partner's integration, through the services the API uses (Test Connection, the key
 * sealed at rest, the lifecycle workflow started; mappings and billing settings checked in
 * ConnectWise as the routes check them). Only what is missing is created: the integration once
 * per data folder (a partner who deletes it keeps it deleted), then each demo mapping the partner
 * has not decided, and billing settings if none were ever saved. An integration the partner made
 * by hand, or moved to another ConnectWise, is left alone.
 */
export async function seedDemoIntegration(
  deps: DemoIntegrationDeps,
  target: DemoConnectWise,
): Promise<DemoIntegrationOutcome> {
  const { repos, keyring, config, devEnvFile } = deps;
  const partnerId = DEMO_PARTNER_ID;
  const notes: string[] = [];
  const lifecycle = new LifecycleClient(deps.temporal, config);
  // Test Connection in this process (the activity's own code): the worker may not be up yet.
  const integrations = new IntegrationService({
    repos,
    keyring,
    lifecycle,
    connectionTests: {
      run: async (_partnerId, connection) => {
        if (!('typed' in connection)) throw new Error('the demo seeding tests typed keys only');
        return await runConnectionTest(connection.typed, config);
      },
    },
  });
  // The lifecycle reads settings at each run; not telling it keeps a config_change run from
  // syncing before the partner presses Synchronize.
  const settings = new IntegrationSettingsService({
    repos,
    lifecycle: { settingsChanged: () => Promise.resolve() },
    logger: { warn: () => undefined },
  });

  const marker = readDevEnv(devEnvFile)[INTEGRATION_MARKER];
  let integration = marker ? await repos.integrations.get(partnerId, marker) : undefined;
  if (integration?.state === 'deleted') {
    notes.push('demo integration was deleted; not created again (delete .data/ to start over)');
    return { notes };
  }
  if (!integration) {
    if (await repos.integrations.findForPartner(partnerId)) {
      notes.push('demo partner has an integration of its own; left as it is');
      return { notes };
    }
    const { companyId, publicKey, privateKey } = target.credentials;
    integration = await integrations.create(partnerId, {
      site: target.site,
      companyId,
      publicKey,
      privateKey,
    });
    updateDevEnv(devEnvFile, { [INTEGRATION_MARKER]: integration.id });
    notes.push(`demo integration ${integration.id} connected to the simulator at ${target.site}`);
  }
  const outcome = { integrationId: integration.id, notes };
  if (integration.site !== target.site || integration.companyId !== target.credentials.companyId) {
    notes.push('demo integration points at another ConnectWise; mappings and billing left alone');
    return outcome;
  }
  if (integration.state === 'credentials_invalid') {
    notes.push('demo integration has credentials ConnectWise refused; left as it is');
    return outcome;
  }
  const client = await openIntegrationClient({ repos, keyring, cw: config }, integration);

  const decided = new Set(
    (await repos.companyMappings.list(partnerId, integration.id)).map((m) => m.customerId),
  );
  const missing = DEMO_BILLING.filter((b) => !decided.has(b.customerId));
  if (missing.length > 0) {
    const { problems, rows } = await checkCompanyMappings({ client, repos }, partnerId, missing);
    if (problems.length > 0) throw new Error(`demo mappings refused: ${describe(problems)}`);
    await settings.saveCompanyMappings(partnerId, integration.id, rows);
    notes.push(`demo customers mapped: ${rows.map((r) => r.customerId).join(', ')}`);
  }

  if (integration.billingSettings === undefined) {
    await enableBilling(integration, { repos, client, settings, now: deps.now?.() ?? new Date() });
    notes.push('demo billing enabled: POST …/connectwise/synchronize writes agreement additions');
  }
  return outcome;
}

/** Each demo customer still mapped to its company gets its agreement; the catalog defaults set. */
async function enableBilling(
  integration: IntegrationRecord,
  ctx: {
    repos: Repositories;
    client: ConnectWiseClient;
    settings: IntegrationSettingsService;
    now: Date;
  },
): Promise<void> {
  const { repos, client, settings, now } = ctx;
  const mapped = new Map(
    (await repos.companyMappings.list(DEMO_PARTNER_ID, integration.id)).map((m) => [
      m.customerId,
      m.companyId,
    ]),
  );
  const body = billingBody.parse({
    enabled: true,
    agreements: DEMO_BILLING.filter((b) => mapped.get(b.customerId) === b.companyId).map(
      ({ customerId, agreementId }) => ({ customerId, agreementId }),
    ),
    catalogDefaults: DEMO_CATALOG_DEFAULTS,
  });
  const problems = await checkBillingSettings({ client, repos }, body, {
    partnerId: DEMO_PARTNER_ID,
    integrationId: integration.id,
    now,
  });
  if (problems.length > 0) throw new Error(`demo billing settings refused: ${describe(problems)}`);
  await settings.saveSettings(DEMO_PARTNER_ID, integration.id, 'billingSettings', body);
}

const describe = (problems: Array<{ field: string; message: string }>) =>
  problems.map((p) => `${p.field}: ${p.message}`).join('; ');
