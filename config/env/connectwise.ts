import { z } from 'zod';
import { bool } from './values';

/**
 * Work with ConnectWise: the engine's app id and API version, its writes, billing's schedule and
 * audit trail. Part of config/schema.ts.
 */

/** Billing's schedule and audit trail. */
export const billing = {
  SYNC_INTERVAL_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60)
    .default(360)
    .describe('Period of the scheduled billing sync of each integration, in minutes.'),
  BILLING_AUDIT_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(400)
    .describe(
      'Days the billing audit trail (one record per addition change a run made or attempted) is kept; older records are removed (a TTL index, and each billing run prunes).',
    ),
};

/** The engine as a ConnectWise app. */
export const connectWiseApp = {
  CW_CLIENT_ID: z
    .string()
    .uuid('must be the ConnectWise clientId GUID from developer.connectwise.com/ClientID')
    .describe("The engine's ConnectWise `clientId` (a GUID); shared by all partners."),
  CW_API_VERSION: z
    .string()
    .regex(/^\d{4}\.\d+$/, 'must look like 2025.8')
    .default('2025.8')
    .describe('ConnectWise API model version pinned in the Accept header.'),
};

/** ConnectWise writes and the hosts a site may name. */
export const connectWiseCalls = {
  CW_WRITE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(900_000)
    .default(300_000)
    .describe(
      'How long a ConnectWise write may take (ConnectWise has taken minutes). A create whose answer was lost is looked up again only after this, so it is never made twice.',
    ),
  CW_ALLOW_PRIVATE_HOSTS: bool
    .default(false)
    .describe(
      'Allow ConnectWise sites on plain http and private or loopback addresses (the simulator). Never in production.',
    ),
};
