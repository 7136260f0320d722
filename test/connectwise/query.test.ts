import { cond, ConnectWiseError, MAX_PAGE_SIZE } from '../../connectwise';
import { encodeQuery, toQueryParams } from '../../connectwise/query';

describe('list query parameters', () => {
  it('serialises every parameter in a fixed order', () => {
    const params = toQueryParams({
      pageSize: 1000,
      page: 3,
      fields: ['id', 'company/id'],
      orderBy: 'name asc, id desc',
      childConditions: cond.eq('types/id', 2),
      conditions: cond.eq('name', 'A+B & C'),
    });
    expect(params).toEqual([
      ['conditions', 'name="A+B & C"'],
      ['childConditions', 'types/id=2'],
      ['orderBy', 'name asc,id desc'],
      ['fields', 'id,company/id'],
      ['page', '3'],
      ['pageSize', '1000'],
    ]);
    // `+` must travel as %2B and spaces as %20: CW decodes `+` as a space.
    expect(encodeQuery(params)).toContain('conditions=name%3D%22A%2BB%20%26%20C%22');
  });

  it("percent-encodes every reserved character, including !'()*", () => {
    const params = toQueryParams({
      conditions: cond.or(cond.eq('a', "it's (x)!*"), cond.eq('b', 1)),
    });
    const encoded = encodeQuery(params);
    expect(encoded).not.toMatch(/[!'()*]/);
    expect(decodeURIComponent(encoded.slice('conditions='.length))).toBe('a="it\'s (x)!*" or b=1');
  });

  it(`refuses a pageSize above ${MAX_PAGE_SIZE}, zero and fractions`, () => {
    for (const pageSize of [1001, 0, -5, 2.5]) {
      expect(() => toQueryParams({ pageSize })).toThrow(ConnectWiseError);
    }
    expect(() => toQueryParams({ pageSize: 1001 })).toThrow(
      /pageSize must be a whole number from 1 to 1000/,
    );
  });

  it('refuses an orderBy that is not field asc|desc', () => {
    expect(() => toQueryParams({ orderBy: 'id; drop' })).toThrow(/orderBy/);
    expect(() => toQueryParams({ orderBy: 'id sideways' })).toThrow(/orderBy/);
  });

  it('refuses bad field lists and raw condition strings', () => {
    expect(() => toQueryParams({ fields: [] })).toThrow(/fields/);
    expect(() => toQueryParams({ fields: ['id,name'] })).toThrow(/fields/);
    expect(() => toQueryParams({ conditions: 'id=1' as never })).toThrow(/built with cond/);
  });
});
