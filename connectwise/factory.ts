import { ConnectWiseHttpClient, DEFAULT_API_VERSION, type ConnectWiseClient } from './client';
import { COMPANY_ID_MESSAGE, isCompanyId } from './company-id';
import { CODEBASE, fetchCompanyInfo, type CompanyInfo } from './company-info';
import { guardedFetch } from './connect-guard';
import { ClientErrorCode, ConnectWiseError } from './errors';
import type { HostLookup } from './host-guard';
import type { ListLimits } from './paging';
import { resolveSiteOrigin } from './site';
import { DEFAULT_TIMEOUTS, type ConnectWiseTimeouts } from './timeouts';
import type { FetchLike } from './transport';

export interface ConnectWiseClientOptions {
  /** A cloud region (`na`, `eu`, `au`, `aus`, `za`, `staging`) or an on-premise https URL. */
  site: string;
  /** The company name typed at the ConnectWise login, e.g. `acmemsp`. */
  companyId: string;
  publicKey: string;
  privateKey: string;
  /** The engine's ConnectWise clientId GUID; an empty string sends no header. */
  clientId: string;
  /** Pinned model version for the Accept header; default 2025.8 (the contract's). */
  apiVersion?: string;
  /** CW_ALLOW_PRIVATE_HOSTS: permits http and private/loopback hosts (the simulator). */
  allowPrivateHosts?: boolean;
  /** The saved codebase; when absent it is discovered from CompanyInfo. */
  codebase?: string;
  /**
   * Replaces the global fetch (tests). Unless `allowPrivateHosts`, it is still called with the
   * guarded dispatcher in its init, which a fake fetch may ignore.
   */
  fetch?: FetchLike;
  timeouts?: Partial<ConnectWiseTimeouts>;
  /** Largest response body read; default 32 MiB. */
  maxResponseBytes?: number;
  /** Page and row caps of `listAll`; default 2,000 pages and 500,000 rows. */
  listLimits?: Partial<ListLimits>;
  /** Called when a 404 revealed a new codebase, so the engine can save it. */
  onCodebaseChange?: (codebase: string, info: CompanyInfo) => void | Promise<void>;
  /** DNS resolver for the private-address checks (at creation and on connect); tests inject one. */
  lookup?: HostLookup;
  signal?: AbortSignal;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function credentialsError(message: string): ConnectWiseError {
  return new ConnectWiseError({ status: 0, code: ClientErrorCode.InvalidCredentials, message });
}

/** Values that could never authenticate, refused before they go into a header. */
function checkCredentials(o: ConnectWiseClientOptions): void {
  if (o.companyId.trim() === '') throw credentialsError('Enter the ConnectWise Company ID.');
  if (o.publicKey.trim() === '' || o.privateKey.trim() === '') {
    throw credentialsError('Enter both the public and the private API key.');
  }
  if (o.companyId.includes(':') || o.publicKey.includes(':')) {
    throw credentialsError(
      'The Company ID and public key cannot contain ":". Check that they were pasted into the right fields.',
    );
  }
  if ([o.companyId, o.publicKey, o.privateKey, o.clientId].some((v) => CONTROL.test(v))) {
    throw credentialsError(
      'The Company ID, keys and clientId cannot contain line breaks or other control characters.',
    );
  }
  if (!isCompanyId(o.companyId)) throw credentialsError(`The Company ID ${COMPANY_ID_MESSAGE}.`);
}

/**
 * Resolves the site (with the private-address guard), discovers the codebase through CompanyInfo
 * unless one is given, and returns a ready client. Throws ConnectWiseError only.
 */
export async function createConnectWiseClient(
  options: ConnectWiseClientOptions,
): Promise<ConnectWiseClient> {
  checkCredentials(options);
  const apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
  if (!/^\d{4}\.\d+$/.test(apiVersion)) {
    throw new ConnectWiseError({
      status: 0,
      code: ClientErrorCode.InvalidRequest,
      message: `API version "${apiVersion}" must look like 2025.8`,
    });
  }
  if (options.codebase !== undefined && !CODEBASE.test(options.codebase)) {
    throw new ConnectWiseError({
      status: 0,
      code: ClientErrorCode.InvalidRequest,
      message: `Codebase "${options.codebase}" must look like v2025_1/`,
    });
  }
  const origin = await resolveSiteOrigin(options.site, {
    allowPrivateHosts: options.allowPrivateHosts,
    lookup: options.lookup,
  });
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  // The check above ran once; the guarded dispatcher repeats it on every connection (DNS rebinding).
  const fetchImpl =
    options.allowPrivateHosts === true
      ? options.fetch
      : guardedFetch(options.fetch, options.lookup);
  let companyInfo: CompanyInfo | undefined;
  if (options.codebase === undefined) {
    companyInfo = await fetchCompanyInfo(origin, options.companyId, {
      fetch: fetchImpl,
      timeoutMs: timeouts.readMs,
      signal: options.signal,
      maxResponseBytes: options.maxResponseBytes,
    });
  }
  return new ConnectWiseHttpClient({
    origin,
    codebase: options.codebase ?? (companyInfo as CompanyInfo).codebase,
    companyId: options.companyId,
    publicKey: options.publicKey,
    privateKey: options.privateKey,
    clientId: options.clientId,
    apiVersion,
    fetch: fetchImpl,
    timeouts,
    maxResponseBytes: options.maxResponseBytes,
    listLimits: options.listLimits,
    companyInfo,
    onCodebaseChange: options.onCodebaseChange,
  });
}
