/**
 * A ConnectWise Company ID: the company name typed at the ConnectWise login (docs/connectwise.md §1), e.g.
 * `acmemsp`. It goes into the CompanyInfo URL and the Basic credentials, so only a short
 * identifier is accepted: letters and digits, then also `_`, `-` or `.`, at most 30 characters.
 * That keeps out `.`/`..` (which a URL resolves to another path), `:` (the credentials separator),
 * spaces, control characters and broken Unicode. (verify) ConnectWise publishes no rule; real
 * Company IDs seen so far are short lowercase words.
 */
export const COMPANY_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,29}$/;

export const COMPANY_ID_MESSAGE =
  'must be the Company ID typed at the ConnectWise login: 1 to 30 letters, digits, "_", "-" or ".", starting with a letter or digit';

export const isCompanyId = (value: string): boolean => COMPANY_ID.test(value);
