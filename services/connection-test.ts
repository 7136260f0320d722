import {
  checkSecurityRole,
  ClientErrorCode,
  createConnectWiseClient,
  getSystemInfo,
  isConnectWiseError,
  type ConnectWiseClient,
  type ConnectWiseError,
} from '../connectwise';
import type { ConnectionReport } from './connection-report';
import { clientOptions, type CwCredentials, type CwSettings } from './cw-settings';

/** Raised for failures that say nothing about the partner's setup (5xx, 429): worth a retry. */
export class TransientConnectionError extends Error {
  constructor(override readonly cause: ConnectWiseError) {
    super(cause.message);
    this.name = 'TransientConnectionError';
  }
}

const isTransient = (err: ConnectWiseError) => err.kind === 'server' || err.kind === 'throttled';

function siteProblem(err: ConnectWiseError, creds: CwCredentials): string {
  switch (err.code) {
    case ClientErrorCode.CompanyNotFound:
      return `Company ID "${creds.companyId}" was not found on this ConnectWise server. Use the company name you type at the ConnectWise login, not a company record's id.`;
    case ClientErrorCode.NonJson:
      return 'The server answered with a web page, not the ConnectWise API: check the server address (for the cloud choose your region; on-premise, enter the address of your ConnectWise server).';
    case ClientErrorCode.InvalidSite:
    case ClientErrorCode.InvalidCredentials:
      return err.message;
    default:
      return err.kind === 'network'
        ? `Could not reach the ConnectWise server (${err.message}). Check the address and that it is reachable from the internet.`
        : `The ConnectWise server could not be used: ${err.message}`;
  }
}

function authProblem(err: ConnectWiseError, isCloud: boolean | undefined): string {
  if (/client\s*id/i.test(err.message)) {
    return "ConnectWise refused this integration's clientId. This is a problem on our side, not in your settings: contact support.";
  }
  if (err.kind === 'authentication' || (err.status === 404 && isCloud)) {
    return 'ConnectWise did not accept the public and private key for this Company ID. Check that both keys were pasted whole, belong to an API member of this company, and that the member is active.';
  }
  return `ConnectWise refused the credentials check: ${err.message}`;
}

/**
 * Test Connection (docs/connectwise.md §6): site and company, then authentication, then every line of the
 * required role. Stops at the first fatal step. Setup problems land in the report; transient
 * ConnectWise failures throw TransientConnectionError so the caller can retry. `signal` aborts
 * every request (Temporal's activity cancellation).
 */
export async function runConnectionTest(
  creds: CwCredentials,
  cw: CwSettings,
  { signal, now = () => new Date() }: { signal?: AbortSignal; now?: () => Date } = {},
): Promise<ConnectionReport> {
  const report: ConnectionReport = {
    ok: false,
    testedAt: now().toISOString(),
    site: { value: creds.site, reachable: false },
    company: { companyId: creds.companyId, found: false },
    authenticated: false,
    role: [],
    problems: [],
  };
  const rethrowTransient = (err: unknown): ConnectWiseError => {
    if (!isConnectWiseError(err)) throw err;
    if (isTransient(err)) throw new TransientConnectionError(err);
    return err;
  };

  let client: ConnectWiseClient;
  try {
    client = await createConnectWiseClient(clientOptions(cw, creds, { signal }));
  } catch (err) {
    const cwErr = rethrowTransient(err);
    report.site.reachable = cwErr.code === ClientErrorCode.CompanyNotFound;
    report.problems.push(siteProblem(cwErr, creds));
    return report;
  }
  const info = client.companyInfo;
  report.site = { value: creds.site, apiOrigin: client.origin, reachable: true };
  report.company = {
    companyId: creds.companyId,
    found: true,
    name: info?.companyName,
    codebase: client.codebase,
    versionNumber: info?.versionNumber,
    isCloud: info?.isCloud,
  };

  try {
    const system = await getSystemInfo(client, { signal });
    report.authenticated = true;
    report.server = {
      version: system.version,
      cloudRegion: system.cloudRegion,
      // Kept so the billing settings can show the zone a run would use without asking again.
      timeZone: system.serverTimeZone ?? null,
    };
  } catch (err) {
    report.problems.push(authProblem(rethrowTransient(err), info?.isCloud));
    return report;
  }

  try {
    report.role = await checkSecurityRole(client, { signal });
  } catch (err) {
    report.problems.push(authProblem(rethrowTransient(err), info?.isCloud));
    return report;
  }
  report.problems.push(...report.role.flatMap((line) => line.problems));
  report.ok = report.role.every((line) => line.status === 'ok');
  return report;
}
