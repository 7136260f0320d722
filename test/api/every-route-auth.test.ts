import request from 'supertest';
import { startEngine, type Engine } from '../support/engine';

let engine: Engine;
beforeAll(async () => {
  engine = await startEngine('every-route');
}, 120_000);
afterAll(async () => {
  await engine?.stop();
});

/** Every operation the API documents, with its path parameters filled in for partner p1. */
async function documentedOperations(): Promise<Array<{ method: string; path: string }>> {
  const doc = await request(engine.app).get('/v1/openapi.json');
  const paths = doc.body.paths as Record<string, Record<string, unknown>>;
  return Object.entries(paths).flatMap(([template, methods]) =>
    Object.keys(methods).map((method) => ({
      method,
      path: `/v1${template.replace('{partnerId}', 'p1').replace(/\{[A-Za-z]+\}/g, '1')}`,
    })),
  );
}

const send = (method: string, path: string) =>
  (request(engine.app) as unknown as Record<string, (p: string) => request.Test>)[method]!(path);

test('the API documents a few dozen operations', async () => {
  expect((await documentedOperations()).length).toBeGreaterThan(20);
});

test('every documented route answers 401 without a token', async () => {
  for (const { method, path } of await documentedOperations()) {
    const res = await send(method, path).send({});
    expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} 401`);
  }
});

test("every documented route answers 404 for another partner's token, before reading the body", async () => {
  for (const { method, path } of await documentedOperations()) {
    const res = await send(method, path)
      .set('Authorization', `Bearer ${engine.tokens.p2}`)
      .send({});
    expect(`${method} ${path} ${res.status} ${res.body.error?.code}`).toBe(
      `${method} ${path} 404 not_found`,
    );
  }
});

test('the docs page is served', async () => {
  const res = await request(engine.app).get('/v1/docs/');
  expect(res.status).toBe(200);
  expect(res.text).toContain('swagger-ui');
});
