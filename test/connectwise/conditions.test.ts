import { cond, ConditionError, isCondition } from '../../connectwise';

describe('conditions builder', () => {
  it('writes comparisons of each literal kind', () => {
    expect(cond.eq('company/id', 250).text).toBe('company/id=250');
    expect(cond.ne('name', 'Acme').text).toBe('name!="Acme"');
    expect(cond.eq('deletedFlag', false).text).toBe('deletedFlag=false');
    expect(cond.gte('quantity', -1.5).text).toBe('quantity>=-1.5');
    expect(cond.lt('dateEntered', new Date('2025-01-01T00:00:00.987Z')).text).toBe(
      'dateEntered<[2025-01-01T00:00:00Z]',
    );
    expect(cond.isNull('cancelledDate').text).toBe('cancelledDate=null');
    expect(cond.isNotNull('cancelledDate').text).toBe('cancelledDate!=null');
  });

  it('writes in lists', () => {
    expect(cond.in('id', [1, 2, 3]).text).toBe('id in (1,2,3)');
    expect(cond.in('name', ['a', 'b"c']).text).toBe('name in ("a","b\\"c")');
    expect(() => cond.in('id', [])).toThrow(ConditionError);
  });

  it('groups with parentheses only where needed', () => {
    const c = cond.and(
      cond.eq('product/id', 7),
      cond.or(
        cond.isNull('cancelledDate'),
        cond.gt('cancelledDate', new Date(Date.UTC(2025, 10, 1))),
      ),
    );
    expect(c.text).toBe(
      'product/id=7 and (cancelledDate=null or cancelledDate>[2025-11-01T00:00:00Z])',
    );
    expect(cond.and(cond.eq('a', 1)).text).toBe('a=1');
    expect(cond.and(undefined, cond.eq('a', 1), undefined).text).toBe('a=1');
    expect(() => cond.or()).toThrow(/at least one/);
  });

  it('refuses raw strings where a condition is expected', () => {
    expect(() => cond.and('id=1 or 1=1' as never)).toThrow(ConditionError);
    expect(isCondition({ text: 'id=1' })).toBe(false);
    expect(isCondition(cond.eq('id', 1))).toBe(true);
  });

  describe('hostile strings', () => {
    it('escapes quotes so a value cannot close its literal', () => {
      const c = cond.eq('externalXRef', 'x" or id>0 or name="y');
      expect(c.text).toBe('externalXRef="x\\" or id>0 or name=\\"y"');
    });

    it('escapes backslashes before quotes', () => {
      expect(cond.eq('name', 'a\\').text).toBe('name="a\\\\"');
      expect(cond.eq('name', '\\"').text).toBe('name="\\\\\\""');
    });

    it('refuses % outside like', () => {
      expect(() => cond.eq('name', '100%')).toThrow(/only allowed in like/);
      expect(() => cond.in('name', ['ok', '%'])).toThrow(ConditionError);
    });

    it('places like wildcards itself and makes SQL Server wildcards in the text literal', () => {
      expect(cond.like('name', { startsWith: 'Acme' }).text).toBe('name like "Acme%"');
      expect(cond.like('name', { endsWith: 'Ltd' }).text).toBe('name like "%Ltd"');
      expect(cond.like('name', { contains: '100% IT' }).text).toBe('name like "%100[%] IT%"');
      expect(cond.like('name', { contains: '%' }).text).toBe('name like "%[%]%"');
      expect(cond.like('name', { contains: 'a_b' }).text).toBe('name like "%a[_]b%"');
      expect(cond.like('text', { contains: '[dfx:evt:1]' }).text).toBe(
        'text like "%[[]dfx:evt:1]%"',
      );
      expect(cond.like('name', { startsWith: '[%_]' }).text).toBe('name like "[[][%][_]]%"');
      expect(cond.like('name', { contains: 'a"b\\' }).text).toBe('name like "%a\\"b\\\\%"');
    });

    it('refuses newlines, tabs, other control characters and Unicode line breaks', () => {
      for (const bad of [
        'a\nb',
        'a\rb',
        'a\tb',
        'a\u0000b',
        'a\u007fb',
        'a\u0085b',
        'a\u2028b',
        'a\u2029b',
      ]) {
        expect(() => cond.eq('name', bad)).toThrow(/control characters/);
        expect(() => cond.like('name', { contains: bad })).toThrow(/control characters/);
      }
    });

    it('keeps valid unicode and refuses broken surrogates', () => {
      expect(cond.eq('name', 'Zürich 🚀 東京').text).toBe('name="Zürich 🚀 東京"');
      expect(() => cond.eq('name', 'a\ud800b')).toThrow(/valid Unicode/);
      expect(() => cond.eq('name', '\udc00')).toThrow(/valid Unicode/);
    });

    it('refuses numbers that are not plain decimals', () => {
      expect(() => cond.eq('id', Number.NaN)).toThrow(ConditionError);
      expect(() => cond.eq('id', Infinity)).toThrow(ConditionError);
      expect(() => cond.eq('id', 1e21)).toThrow(ConditionError);
      expect(() => cond.eq('d', new Date('nope'))).toThrow(ConditionError);
    });
  });

  describe('field names', () => {
    it.each(['company/id', 'billingCycle/name', '_info', 'a1/b_2'])('accepts %s', (f) => {
      expect(cond.isNull(f).text).toBe(`${f}=null`);
    });

    it.each(['', 'id=1 or id', 'company/', '/id', 'a b', '1abc', 'name"', 'a//b', 'id)'])(
      'refuses %j',
      (f) => {
        expect(() => cond.eq(f, 1)).toThrow(ConditionError);
      },
    );
  });
});
