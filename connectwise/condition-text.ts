/**
 * What text a ConnectWise condition value may hold. The conditions builder refuses anything else,
 * and the API validates the same way with the same two pieces, so input that passes the route can
 * always be built into a condition.
 *
 * `CONDITION_TEXT` is written with `\u` escapes only, so it means the same with or without the `u`
 * flag and is a valid JSON-Schema (ECMA-262) `pattern` in the OpenAPI document.
 */
// eslint-disable-next-line no-control-regex
export const CONDITION_TEXT = /^[^\u0000-\u001f\u007f\u0085\u2028\u2029]*$/;

export const CONDITION_TEXT_MESSAGE =
  'must not contain control characters or line breaks such as newlines';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const WELL_FORMED_MESSAGE = 'must be valid Unicode text';

/** False for text with an unpaired UTF-16 surrogate (no JSON-Schema pattern can say this). */
export const isWellFormedText = (value: string): boolean => !LONE_SURROGATE.test(value);

/** Why `value` cannot go into a condition, or undefined when it can. */
export function conditionTextProblem(value: string): string | undefined {
  if (!CONDITION_TEXT.test(value)) return CONDITION_TEXT_MESSAGE;
  if (!isWellFormedText(value)) return WELL_FORMED_MESSAGE;
  return undefined;
}
