import type { ConnectWiseClient, ListAllQuery } from '../../connectwise';
import { companiesById, IDS_PER_QUERY } from '../../connectwise/operations/by-ids';

/** A client that records each list query and answers with the ids its condition names. */
function fakeClient() {
  const queries: ListAllQuery[] = [];
  const client = {
    listAll: (_path: string, _schema: unknown, query: ListAllQuery) => {
      queries.push(query);
      const ids = /id in \(([\d,]+)\)/.exec(query.conditions?.text ?? '')![1]!.split(',');
      // Every third id is missing, as a deleted-and-purged record would be.
      return Promise.resolve(
        ids
          .map(Number)
          .filter((id) => id % 3 !== 0)
          .map((id) => ({ id, identifier: `C${id}`, name: `Company ${id}` })),
      );
    },
  };
  return { client: client as unknown as ConnectWiseClient, queries };
}

describe('companiesById', () => {
  test('one query for a screenful of ids, duplicates asked once', async () => {
    const { client, queries } = fakeClient();
    const found = await companiesById(client, [5, 1, 2, 5, 3]);
    expect(queries).toHaveLength(1);
    expect(queries[0]!.conditions?.text).toBe('id in (1,2,3,5)');
    expect(queries[0]!.fields).toEqual(expect.arrayContaining(['id', 'name', 'deletedFlag']));
    expect([...found.keys()].sort()).toEqual([1, 2, 5]);
  });

  test('a long list is split so the URL stays short', async () => {
    const { client, queries } = fakeClient();
    const ids = Array.from({ length: IDS_PER_QUERY * 2 + 1 }, (_, i) => i + 1);
    const found = await companiesById(client, ids);
    expect(queries).toHaveLength(3);
    expect(found.size).toBe(ids.filter((id) => id % 3 !== 0).length);
  });

  test('no ids, no query', async () => {
    const { client, queries } = fakeClient();
    expect((await companiesById(client, [])).size).toBe(0);
    expect(queries).toEqual([]);
  });
});
