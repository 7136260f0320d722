import LinkHeader from 'http-link-header';
import { ClientErrorCode, ConnectWiseError } from './errors';

export interface NextPage {
  page?: number;
  pageId?: number;
}

/**
 * Reads `rel="next"` from a Link header. Returns null when there is no next link (the last page),
 * the page/pageId it points to otherwise. Only those two values are taken from the link: the
 * caller keeps its own path and resends every other parameter. A next link to another origin is
 * refused, never followed. An unparseable header counts as "no next link".
 */
export function parseNextLink(header: string, requestUrl: string): NextPage | null {
  let next: LinkHeader.Reference | undefined;
  try {
    next = LinkHeader.parse(header).rel('next')[0];
  } catch {
    return null;
  }
  if (!next) return null;
  let target: URL;
  try {
    target = new URL(next.uri, requestUrl);
  } catch {
    return null;
  }
  if (target.origin !== new URL(requestUrl).origin) {
    throw new ConnectWiseError({
      status: 0,
      code: ClientErrorCode.UnsafeLink,
      message: `ConnectWise pointed the next page at another server (${target.origin}); refusing to follow it.`,
    });
  }
  const result: NextPage = {};
  const page = Number(target.searchParams.get('page'));
  const pageId = Number(target.searchParams.get('pageId'));
  if (Number.isSafeInteger(page) && page > 0) result.page = page;
  if (Number.isSafeInteger(pageId) && pageId > 0) result.pageId = pageId;
  return result;
}
