import type { ConnectWiseError } from '../../connectwise';

/**
 * ConnectWise's own words for a refusal: its message and each field error's
 * ("addition object is invalid: Product 1352 is inactive.").
 */
export function cwMessage(err: ConnectWiseError): string {
  const details = err.errors.map((e) => e.message).filter((m): m is string => Boolean(m));
  return [err.serverMessage ?? err.message, ...details].join(': ');
}
