import { isWellFormedText } from './condition-text';
import { invalidRequest } from './errors';

/**
 * One URL path segment built from a value: percent-encoded with `encodeURIComponent`. Empty, `.`
 * and `..` are refused (URL parsing would drop or resolve them, steering the request to another
 * path, e.g. `/login/companyinfo/..` → `/login/`), and so is text with an unpaired surrogate,
 * which has no UTF-8 form. `what` names the value in the error.
 */
export function pathSegment(value: string, what: string): string {
  if (value === '' || value === '.' || value === '..') {
    throw invalidRequest(`${what} "${value}" cannot be a URL path segment`);
  }
  if (!isWellFormedText(value)) throw invalidRequest(`${what} must be valid Unicode text`);
  return encodeURIComponent(value);
}
