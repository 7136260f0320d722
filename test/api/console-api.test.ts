import request from 'supertest';
import { committedSchema, schemaText, writeSchema } from '../../dev/console-api';
import { startApiOnly, type ApiOnly } from '../support/api-only';

/**
 * The console's API types (console/src/api/schema.d.ts) are generated from the document the
 * engine serves, so the console cannot drift from the API: this fails when a route or schema
 * changed and the types were not generated again (UPDATE_CONSOLE_API=1 writes them).
 */
let api: ApiOnly;
beforeAll(async () => {
  api = await startApiOnly('console-api');
});
afterAll(() => api.close());

test("the console's generated API types are those of the document the engine serves", async () => {
  const doc = await request(api.app).get('/v1/openapi.json');
  expect(doc.status).toBe(200);
  if (process.env.UPDATE_CONSOLE_API === '1') writeSchema(doc.body);
  const fresh = schemaText(doc.body);
  // A plain comparison (not toEqual's diff of 300 KB): name the first line that differs.
  const committed = committedSchema().split('\n');
  const firstDiff = fresh.split('\n').findIndex((line, i) => line !== committed[i]);
  expect({ firstDiff, line: fresh.split('\n')[firstDiff] ?? null }).toEqual({
    firstDiff: -1,
    line: null,
  });
  expect(fresh.length).toBe(committedSchema().length);
});
