import { z } from 'zod';
import { ClientErrorCode, ConnectWiseError } from './errors';
import { pathSegment } from './path-segment';
import { send, type FetchLike } from './transport';

/**
 * A codebase is a path segment plus `/`, e.g. `v4_6_release/` or `v2025_1/`. It comes from the
 * server and goes into every URL, so anything else (`../`, `?`, `//`) is refused.
 */
export const CODEBASE = /^[A-Za-z][A-Za-z0-9_.-]*\/$/;

/** Fallback alias that exists on cloud and on-premise servers alike (docs/connectwise.md §1). */
export const STABLE_CODEBASE = 'v4_6_release/';

// CompanyInfo is the one ConnectWise answer with PascalCase keys.
const companyInfoBody = z.looseObject({
  CompanyName: z.string(),
  Codebase: z.string().regex(CODEBASE),
  VersionCode: z.string().nullish(),
  VersionNumber: z.string().nullish(),
  CompanyID: z.string(),
  IsCloud: z.boolean(),
  SiteUrl: z.string().nullish(),
});

export interface CompanyInfo {
  companyName: string;
  codebase: string;
  versionCode: string | undefined;
  versionNumber: string | undefined;
  companyId: string;
  isCloud: boolean;
  siteUrl: string | undefined;
}

export interface CompanyInfoOptions {
  fetch?: FetchLike;
  timeoutMs?: number;
  signal?: AbortSignal;
  maxResponseBytes?: number;
}

/**
 * `GET {origin}/login/companyinfo/{companyId}`: no credentials are sent (none are needed). An
 * unknown company answers 200 with `null`, which becomes a CompanyNotFound error.
 */
export async function fetchCompanyInfo(
  origin: string,
  companyId: string,
  options: CompanyInfoOptions = {},
): Promise<CompanyInfo> {
  const path = `/login/companyinfo/${pathSegment(companyId, 'Company ID')}`;
  const res = await send(options.fetch ?? fetch, {
    method: 'GET',
    url: `${origin}${path}`,
    path,
    headers: { Accept: 'application/json' },
    timeoutMs: options.timeoutMs ?? 30_000,
    signal: options.signal,
    maxResponseBytes: options.maxResponseBytes,
  });
  if (res.body === null) {
    throw new ConnectWiseError({
      status: res.status,
      code: ClientErrorCode.CompanyNotFound,
      message: `ConnectWise has no company with the Company ID "${companyId}". Use the company name you type on the ConnectWise login screen.`,
      method: 'GET',
      path,
    });
  }
  const parsed = companyInfoBody.safeParse(res.body);
  if (!parsed.success) {
    throw new ConnectWiseError({
      status: res.status,
      code: ClientErrorCode.InvalidResponse,
      message: `ConnectWise company information for "${companyId}" is not in the expected form: ${z.prettifyError(parsed.error)}`,
      method: 'GET',
      path,
    });
  }
  const b = parsed.data;
  return {
    companyName: b.CompanyName,
    codebase: b.Codebase,
    versionCode: b.VersionCode ?? undefined,
    versionNumber: b.VersionNumber ?? undefined,
    companyId: b.CompanyID,
    isCloud: b.IsCloud,
    siteUrl: b.SiteUrl ?? undefined,
  };
}
