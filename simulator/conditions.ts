/**
 * ConnectWise's `conditions` grammar (docs/connectwise.md §2):
 *
 *   expr    := orExpr
 *   orExpr  := andExpr ("or" andExpr)*
 *   andExpr := primary ("and" primary)*
 *   primary := "(" expr ")" | field op literal | field ["not"] "in" "(" literal ("," literal)* ")"
 *   op      := = != < <= > >= | ["not"] like | ["not"] contains
 *   literal := "string" | 'string' | [date-time] | number | true | false | null
 *
 * `and` binds tighter than `or`, as in SQL. Inside quotes a backslash escapes the next character.
 * `like` is SQL Server's LIKE (like.ts): `%`, `_`, `[set]`, `[^set]`.
 * Keywords are case-insensitive. String comparisons are case-insensitive (CW runs on SQL Server's
 * default collation) and a null field never satisfies a comparison except `= null` (SQL semantics).
 */

import { like } from './like';

export type Literal =
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'date'; value: number; text: string }
  | { type: 'boolean'; value: boolean }
  | { type: 'null' };

export type CompareOp =
  '=' | '!=' | '<' | '<=' | '>' | '>=' | 'like' | 'not like' | 'contains' | 'not contains';

export type Condition =
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'compare'; field: string[]; op: CompareOp; value: Literal }
  | { kind: 'in'; field: string[]; negated: boolean; values: Literal[] };

export class ConditionsSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
    this.name = 'ConditionsSyntaxError';
  }
}

type Token =
  | { t: 'field'; v: string; pos: number }
  | { t: 'kw'; v: string; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'lit'; v: Literal; pos: number }
  | { t: '(' | ')' | ','; pos: number };

const KEYWORDS = new Set(['and', 'or', 'not', 'like', 'contains', 'in', 'true', 'false', 'null']);
const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function readQuoted(src: string, start: number): { value: string; end: number } {
  const quote = src[start];
  let value = '';
  let i = start + 1;
  while (i < src.length) {
    const ch = src[i];
    if (ch === '\\') {
      if (i + 1 >= src.length) throw new ConditionsSyntaxError('Dangling escape', i);
      value += src[i + 1];
      i += 2;
    } else if (ch === quote) {
      return { value, end: i + 1 };
    } else {
      value += ch;
      i += 1;
    }
  }
  throw new ConditionsSyntaxError('Unterminated string', start);
}

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i] ?? '';
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ t: ch, pos: i });
      i += 1;
    } else if (ch === '"' || ch === "'") {
      const { value, end } = readQuoted(src, i);
      tokens.push({ t: 'lit', v: { type: 'string', value }, pos: i });
      i = end;
    } else if (ch === '[') {
      const close = src.indexOf(']', i);
      if (close < 0) throw new ConditionsSyntaxError('Unterminated date', i);
      const text = src.slice(i + 1, close).trim();
      const ms = Date.parse(text);
      if (!DATE_TIME.test(text) || Number.isNaN(ms)) {
        throw new ConditionsSyntaxError(`Invalid date [${text}]`, i);
      }
      tokens.push({ t: 'lit', v: { type: 'date', value: ms, text }, pos: i });
      i = close + 1;
    } else if ('=!<>'.includes(ch)) {
      const two = src.slice(i, i + 2);
      const op = ['!=', '<=', '>=', '<>'].includes(two) ? two : ch;
      if (op === '!') throw new ConditionsSyntaxError("Expected '=' after '!'", i);
      tokens.push({ t: 'op', v: op === '<>' ? '!=' : op, pos: i });
      i += op.length;
    } else if (/[-\d.]/.test(ch)) {
      const m = /^-?(\d+(\.\d*)?|\.\d+)/.exec(src.slice(i));
      if (!m) throw new ConditionsSyntaxError(`Unexpected '${ch}'`, i);
      tokens.push({ t: 'lit', v: { type: 'number', value: Number(m[0]) }, pos: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*/.exec(src.slice(i));
      const word = m?.[0] ?? ch;
      const lower = word.toLowerCase();
      if (KEYWORDS.has(lower)) {
        if (lower === 'true' || lower === 'false') {
          tokens.push({ t: 'lit', v: { type: 'boolean', value: lower === 'true' }, pos: i });
        } else if (lower === 'null') {
          tokens.push({ t: 'lit', v: { type: 'null' }, pos: i });
        } else {
          tokens.push({ t: 'kw', v: lower, pos: i });
        }
      } else {
        tokens.push({ t: 'field', v: word, pos: i });
      }
      i += word.length;
    } else {
      throw new ConditionsSyntaxError(`Unexpected '${ch}'`, i);
    }
  }
  return tokens;
}

class Parser {
  private i = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  parse(): Condition {
    const expr = this.or();
    const extra = this.tokens[this.i];
    if (extra) throw new ConditionsSyntaxError('Unexpected token', extra.pos);
    return expr;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private next(what: string): Token {
    const tok = this.tokens[this.i];
    if (!tok)
      throw new ConditionsSyntaxError(`Expected ${what} but the expression ended`, this.length);
    this.i += 1;
    return tok;
  }

  private isKw(word: string): boolean {
    const tok = this.peek();
    return tok?.t === 'kw' && tok.v === word;
  }

  private or(): Condition {
    let left = this.and();
    while (this.isKw('or')) {
      this.i += 1;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Condition {
    let left = this.primary();
    while (this.isKw('and')) {
      this.i += 1;
      left = { kind: 'and', left, right: this.primary() };
    }
    return left;
  }

  private primary(): Condition {
    const tok = this.next('a field or (');
    if (tok.t === '(') {
      const inner = this.or();
      const close = this.next(')');
      if (close.t !== ')') throw new ConditionsSyntaxError("Expected ')'", close.pos);
      return inner;
    }
    if (tok.t !== 'field') throw new ConditionsSyntaxError('Expected a field name', tok.pos);
    const field = tok.v.split('/');
    const opTok = this.next('an operator');
    let negated = false;
    let opWord: string;
    if (opTok.t === 'op') {
      opWord = opTok.v;
    } else if (opTok.t === 'kw') {
      opWord = opTok.v;
      if (opWord === 'not') {
        negated = true;
        const after = this.next('like, contains or in');
        if (after.t !== 'kw' || !['like', 'contains', 'in'].includes(after.v)) {
          throw new ConditionsSyntaxError("Expected like, contains or in after 'not'", after.pos);
        }
        opWord = after.v;
      }
      if (!['like', 'contains', 'in'].includes(opWord)) {
        throw new ConditionsSyntaxError(`Expected an operator, got '${opWord}'`, opTok.pos);
      }
    } else {
      throw new ConditionsSyntaxError('Expected an operator', opTok.pos);
    }
    if (opWord === 'in') return { kind: 'in', field, negated, values: this.list() };
    const value = this.literal();
    const op = (negated ? `not ${opWord}` : opWord) as CompareOp;
    if ((op.endsWith('like') || op.endsWith('contains')) && value.type !== 'string') {
      throw new ConditionsSyntaxError(`'${op}' needs a quoted string`, opTok.pos);
    }
    return { kind: 'compare', field, op, value };
  }

  private literal(): Literal {
    const tok = this.next('a value');
    if (tok.t !== 'lit') throw new ConditionsSyntaxError('Expected a value', tok.pos);
    return tok.v;
  }

  private list(): Literal[] {
    const open = this.next('(');
    if (open.t !== '(') throw new ConditionsSyntaxError("Expected '(' after in", open.pos);
    const values = [this.literal()];
    for (;;) {
      const tok = this.next("',' or ')'");
      if (tok.t === ')') return values;
      if (tok.t !== ',') throw new ConditionsSyntaxError("Expected ',' or ')'", tok.pos);
      values.push(this.literal());
    }
  }
}

export function parseConditions(src: string): Condition {
  const tokens = tokenize(src);
  if (tokens.length === 0) throw new ConditionsSyntaxError('Empty expression', 0);
  return new Parser(tokens, src.length).parse();
}

/** Every field path the expression reads, so the caller can reject unknown fields. */
export function conditionFields(c: Condition): string[][] {
  switch (c.kind) {
    case 'and':
    case 'or':
      return [...conditionFields(c.left), ...conditionFields(c.right)];
    default:
      return [c.field];
  }
}

export function getPath(record: unknown, path: string[]): unknown {
  let current: unknown = record;
  for (const segment of path) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current)) {
      // Arrays of references (`types/id`): a match on any element counts, so return them all.
      return current.map((el) => getPath(el, [segment]));
    }
    if (typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** Text of a scalar field value (objects never reach here: matchOne filters them out). */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? '';
}

function compareScalars(actual: unknown, lit: Literal): number | undefined {
  if (lit.type === 'null') return undefined;
  if (lit.type === 'date') {
    const ms = typeof actual === 'string' ? Date.parse(actual) : NaN;
    return Number.isNaN(ms) ? undefined : Math.sign(ms - lit.value);
  }
  if (lit.type === 'number') {
    const n = typeof actual === 'number' ? actual : Number(actual);
    return Number.isNaN(n) ? undefined : Math.sign(n - lit.value);
  }
  if (lit.type === 'boolean') {
    return typeof actual === 'boolean' ? (actual === lit.value ? 0 : 1) : undefined;
  }
  const x = text(actual).toLowerCase();
  const y = lit.value.toLowerCase();
  if (x === y) return 0;
  return x < y ? -1 : 1;
}

function matchOne(actual: unknown, op: CompareOp, lit: Literal): boolean {
  if (Array.isArray(actual)) return actual.some((a) => matchOne(a, op, lit));
  const isNull = actual === null || actual === undefined;
  if (lit.type === 'null') {
    if (op === '=') return isNull;
    if (op === '!=') return !isNull;
    return false;
  }
  if (isNull || typeof actual === 'object') return false;
  if (op === 'like' || op === 'not like') {
    const hit = like(text(actual), lit.type === 'string' ? lit.value : '');
    return op === 'like' ? hit : !hit;
  }
  if (op === 'contains' || op === 'not contains') {
    const hay = text(actual).toLowerCase();
    const hit = hay.includes(lit.type === 'string' ? lit.value.toLowerCase() : '');
    return op === 'contains' ? hit : !hit;
  }
  const cmp = compareScalars(actual, lit);
  if (cmp === undefined) return false;
  switch (op) {
    case '=':
      return cmp === 0;
    case '!=':
      return cmp !== 0;
    case '<':
      return cmp < 0;
    case '<=':
      return cmp <= 0;
    case '>':
      return cmp > 0;
    case '>=':
      return cmp >= 0;
  }
}

export function evaluate(c: Condition, record: unknown): boolean {
  switch (c.kind) {
    case 'and':
      return evaluate(c.left, record) && evaluate(c.right, record);
    case 'or':
      return evaluate(c.left, record) || evaluate(c.right, record);
    case 'compare':
      return matchOne(getPath(record, c.field), c.op, c.value);
    case 'in': {
      const actual = getPath(record, c.field);
      if (actual === null || actual === undefined) return false;
      const hit = c.values.some((v) => matchOne(actual, '=', v));
      return c.negated ? !hit : hit;
    }
  }
}
