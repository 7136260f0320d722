import { conditionTextProblem } from './condition-text';
import { formatCwDateTime } from './dates';
import { assertFieldName } from './fields';

/**
 * Builder for ConnectWise `conditions` strings (docs/connectwise.md §2). A `Condition` can only be made by
 * the functions below, and the query layer accepts nothing else, so no caller can splice raw text
 * into a condition.
 *
 * Escaping decisions (verify against a real tenant, docs/connectwise.md §9.8):
 * - String literals are wrapped in "…" with `\` → `\\` and `"` → `\"`.
 * - `%` is refused in every literal except through `like`, because ConnectWise may treat it as a
 *   wildcard and there is no documented escape.
 * - `like` follows SQL Server: `%` any run, `_` one character, `[…]` a character class. Wildcards
 *   are placed only by the builder (`startsWith`/`endsWith`/`contains`); in the caller's text `%`,
 *   `_` and `[` are made literal as `[%]`, `[_]` and `[[]`, so "50% off" matches exactly that and
 *   can never become "match everything".
 * - Control characters (newlines, tabs, NUL…), the Unicode line breaks U+0085, U+2028 and U+2029,
 *   and unpaired UTF-16 surrogates are refused.
 */
export class ConditionError extends TypeError {
  override readonly name = 'ConditionError';
}

const BRAND: unique symbol = Symbol('ConnectWiseCondition');

export interface Condition {
  readonly [BRAND]: true;
  readonly text: string;
  /** True for and/or groups, which need parentheses when nested. */
  readonly compound: boolean;
  toString(): string;
}

function make(text: string, compound = false): Condition {
  return Object.freeze({ [BRAND]: true as const, text, compound, toString: () => text });
}

export function isCondition(value: unknown): value is Condition {
  return typeof value === 'object' && value !== null && BRAND in value;
}

export type Scalar = string | number | boolean | Date;

function checkText(value: string): void {
  const problem = conditionTextProblem(value);
  if (problem) throw new ConditionError(`Condition values ${problem}`);
}

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function literal(value: Scalar): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    const text = String(value);
    if (!Number.isFinite(value) || /e/i.test(text)) {
      throw new ConditionError(`${text} cannot be written as a ConnectWise number`);
    }
    return text;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new ConditionError('Invalid Date in a condition');
    return `[${formatCwDateTime(value)}]`;
  }
  if (typeof value !== 'string') throw new ConditionError('Unsupported condition value');
  checkText(value);
  if (value.includes('%')) {
    throw new ConditionError(
      '"%" is only allowed in like conditions (cond.like), where it is a wildcard',
    );
  }
  return quote(value);
}

function field(name: string): string {
  try {
    return assertFieldName(name);
  } catch (err) {
    throw new ConditionError((err as Error).message);
  }
}

function compare(op: string) {
  return (name: string, value: Scalar): Condition => make(`${field(name)}${op}${literal(value)}`);
}

export type LikePattern = { startsWith: string } | { endsWith: string } | { contains: string };

// SQL Server LIKE has no default escape character; a one-character class is the literal form.
const LIKE_SPECIAL = /[%_[]/g;

function likeText(value: string): string {
  checkText(value);
  return value.replace(LIKE_SPECIAL, (c) => `[${c}]`);
}

function group(joiner: 'and' | 'or', parts: ReadonlyArray<Condition | undefined>): Condition {
  const present = parts.filter((p): p is Condition => p !== undefined);
  for (const p of present) {
    if (!isCondition(p)) throw new ConditionError(`cond.${joiner} accepts only conditions`);
  }
  if (present.length === 0) throw new ConditionError(`cond.${joiner} needs at least one condition`);
  if (present.length === 1) return present[0] as Condition;
  return make(present.map((p) => (p.compound ? `(${p.text})` : p.text)).join(` ${joiner} `), true);
}

export const cond = {
  eq: compare('='),
  ne: compare('!='),
  lt: compare('<'),
  lte: compare('<='),
  gt: compare('>'),
  gte: compare('>='),
  like(name: string, pattern: LikePattern): Condition {
    let text: string;
    if ('startsWith' in pattern) text = `${likeText(pattern.startsWith)}%`;
    else if ('endsWith' in pattern) text = `%${likeText(pattern.endsWith)}`;
    else text = `%${likeText(pattern.contains)}%`;
    return make(`${field(name)} like ${quote(text)}`);
  },
  in(name: string, values: readonly Scalar[]): Condition {
    if (values.length === 0) throw new ConditionError('cond.in needs at least one value');
    return make(`${field(name)} in (${values.map(literal).join(',')})`);
  },
  isNull: (name: string): Condition => make(`${field(name)}=null`),
  isNotNull: (name: string): Condition => make(`${field(name)}!=null`),
  /** Undefined parts are skipped so optional filters compose without branching. */
  and: (...parts: Array<Condition | undefined>): Condition => group('and', parts),
  or: (...parts: Array<Condition | undefined>): Condition => group('or', parts),
};
