import { ConnectWiseError, parseNextLink } from '../../connectwise';

const here =
  'https://api-na.myconnectwise.net/v2025_1/apis/3.0/company/companies?page=1&pageSize=1000';

describe('parseNextLink', () => {
  it('reads page and pageId from rel="next"', () => {
    const header =
      '<https://api-na.myconnectwise.net/v2025_1/apis/3.0/company/companies?pageSize=1000&page=2>; rel="next", ' +
      '<https://api-na.myconnectwise.net/v2025_1/apis/3.0/company/companies?pageSize=1000&page=7>; rel="last"';
    expect(parseNextLink(header, here)).toEqual({ page: 2 });
    expect(
      parseNextLink('</v2025_1/apis/3.0/company/companies?pageId=1500>; rel="next"', here),
    ).toEqual({ pageId: 1500 });
  });

  it('returns null on the last page', () => {
    const header =
      '<https://api-na.myconnectwise.net/x?page=1>; rel="first", <https://api-na.myconnectwise.net/x?page=6>; rel="prev"';
    expect(parseNextLink(header, here)).toBeNull();
  });

  it.each(['garbage', '', 'rel=next', '<http://[bad>; rel="next"', '<a>; rel="next", junk'])(
    'refuses the unreadable header %j instead of calling it the last page',
    (header) => {
      let error: unknown;
      try {
        parseNextLink(header, here);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConnectWiseError);
      expect((error as ConnectWiseError).code).toBe('InvalidResponse');
    },
  );

  it('reads page from a next link on any origin: the URL itself is never requested', () => {
    for (const uri of [
      'https://evil.example/x?page=2',
      'http://api-na.myconnectwise.net/x?page=2',
      'https://api-na.myconnectwise.net:444/x?page=2',
    ]) {
      expect(parseNextLink(`<${uri}>; rel="next"`, here)).toEqual({ page: 2 });
    }
  });
});
