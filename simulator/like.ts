/**
 * SQL Server's LIKE, which CW's `like` in `conditions` runs as: `%` any run of characters, `_`
 * exactly one, `[abc]`/`[a-z]` one character of a set or range, `[^…]` one character outside it.
 * That is also the only way to match the wildcards themselves: `[%]`, `[_]` and `[[]` (CW exposes no
 * ESCAPE clause). Matching is case-insensitive, as under SQL Server's default collation.
 *
 * Corner cases we chose (verify): an unclosed `[` makes the pattern match nothing; a set ends at
 * the first `]`, so `[]` matches nothing and `[^]` any one character; `-` first or last in a set is
 * literal; a reversed range (`[z-a]`) contributes nothing.
 */

const NEVER = /(?!)/u;

/** Escapes a character outside a class (`\-` is not a valid escape there in unicode mode). */
function literal(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Escapes a character inside `[…]`. */
function member(c: string): string {
  return c.replace(/[\\\]^[-]/g, '\\$&');
}

function codePoint(c: string): number {
  return c.codePointAt(0) ?? 0;
}

function charClass(body: string[]): string {
  const negated = body[0] === '^';
  const members = negated ? body.slice(1) : body;
  let set = '';
  for (let j = 0; j < members.length; j += 1) {
    const lo = members[j] ?? '';
    const hi = members[j + 2];
    if (members[j + 1] === '-' && hi !== undefined) {
      if (codePoint(lo) <= codePoint(hi)) set += `${member(lo)}-${member(hi)}`;
      j += 2;
    } else {
      set += member(lo);
    }
  }
  if (set === '') return negated ? '[\\s\\S]' : '[]';
  return `[${negated ? '^' : ''}${set}]`;
}

export function likeRegex(pattern: string): RegExp {
  // Code points, not UTF-16 units, so `_` matches one emoji or CJK character.
  const chars = Array.from(pattern);
  let source = '';
  for (let i = 0; i < chars.length; i += 1) {
    const c = chars[i] ?? '';
    if (c === '%') {
      source += '[\\s\\S]*';
    } else if (c === '_') {
      source += '[\\s\\S]';
    } else if (c === '[') {
      const close = chars.indexOf(']', i + 1);
      if (close < 0) return NEVER;
      source += charClass(chars.slice(i + 1, close));
      i = close;
    } else {
      source += literal(c);
    }
  }
  return new RegExp(`^${source}$`, 'iu');
}

export function like(value: string, pattern: string): boolean {
  return likeRegex(pattern).test(value);
}
