import { redactToken } from '../domain/hosted-tab/setup';

/**
 * The callback URL's token is as secret as a password: logs show its place, not its value. (The
 * route's template, `/connectwise/callbacks/:token`, is left as it is.)
 */
export const redactCallbackToken = (url: string): string =>
  url.replace(/(\/connectwise\/callbacks\/)(?!:token\b)[^/?]+/, '$1\u2026');

/**
 * A request URL as the logs and traces show it: the ConnectWise callback's token (in the path) and
 * the hosted tab's install token (`t=` in the query) hidden.
 */
export const redactRequestUrl = (url: string): string => redactCallbackToken(redactToken(url));
