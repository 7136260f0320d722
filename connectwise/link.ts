import LinkHeader from 'http-link-header';
import { ClientErrorCode, ConnectWiseError } from './errors';

export interface NextPage {
  page?: number;
  pageId?: number;
}

function invalidLink(why: string): ConnectWiseError {
  return new ConnectWiseError({
    status: 0,
    code: ClientErrorCode.InvalidResponse,
    message: `ConnectWise sent a Link header the client cannot read (${why}); stopping rather than returning a partial list.`,
  });
}

/**
 * Reads `rel="next"` from a Link header. Returns null when the header lists links but no next one
 * (the last page), the page/pageId the next link points to otherwise. A header that cannot be
 * parsed, or whose next link is not a URL, is an InvalidResponse error: treating it as "no next
 * page" would silently truncate the list.
 *
 * Only `page` and `pageId` are taken from the link; the caller keeps its own origin, path and
 * every other parameter, and never requests the link's URL. So a link naming another scheme or
 * host cannot send the request (or the credentials) anywhere, and is not refused.
 */
export function parseNextLink(header: string, requestUrl: string): NextPage | null {
  let links: LinkHeader;
  try {
    links = LinkHeader.parse(header);
  } catch (err) {
    throw invalidLink((err as Error).message);
  }
  if (links.refs.length === 0) throw invalidLink('no links in it');
  const next = links.rel('next')[0];
  if (!next) return null;
  let target: URL;
  try {
    target = new URL(next.uri, requestUrl);
  } catch {
    throw invalidLink('the next link is not a URL');
  }
  const result: NextPage = {};
  const page = Number(target.searchParams.get('page'));
  const pageId = Number(target.searchParams.get('pageId'));
  if (Number.isSafeInteger(page) && page > 0) result.page = page;
  if (Number.isSafeInteger(pageId) && pageId > 0) result.pageId = pageId;
  return result;
}
