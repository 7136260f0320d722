import { countedFetch } from '../observability/metrics';
import type { Config } from '../config';
import type { ConnectWiseClientOptions } from '../connectwise';

/** The engine-wide ConnectWise settings, as opposed to a partner's credentials. */
export type CwSettings = Pick<
  Config,
  'CW_CLIENT_ID' | 'CW_API_VERSION' | 'CW_ALLOW_PRIVATE_HOSTS' | 'CW_WRITE_TIMEOUT_MS'
>;

/** What a partner types on the setup screen. */
export interface CwCredentials {
  site: string;
  companyId: string;
  publicKey: string;
  privateKey: string;
}

export const clientOptions = (
  cw: CwSettings,
  creds: CwCredentials,
  extra: Partial<ConnectWiseClientOptions> = {},
): ConnectWiseClientOptions => ({
  ...creds,
  clientId: cw.CW_CLIENT_ID,
  apiVersion: cw.CW_API_VERSION,
  allowPrivateHosts: cw.CW_ALLOW_PRIVATE_HOSTS,
  timeouts: { writeMs: cw.CW_WRITE_TIMEOUT_MS },
  ...extra,
  // Every call counted in the ConnectWise metrics (a test's own fetch too).
  fetch: countedFetch(extra.fetch),
});
