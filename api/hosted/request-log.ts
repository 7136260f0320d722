import { redactToken } from '../../domain/hosted-tab/setup';

interface LoggedRequest {
  url?: string;
  query?: Record<string, unknown>;
}

/**
 * The request log's serializer (api/request-log.ts): the hosted tab's install token rides in its query string
 * (`t`), so it is hidden in both the URL and the parsed query before a request is logged.
 */
export function withoutInstallToken<R extends LoggedRequest>(req: R): R {
  if (req.url) req.url = redactToken(req.url);
  if (req.query && 't' in req.query) req.query = { ...req.query, t: '\u2026' };
  return req;
}
