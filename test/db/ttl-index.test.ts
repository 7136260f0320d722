import { Schema, type Model } from 'mongoose';
import { ensureTtlIndex } from '../../db/ttl-index';
import { openTestDatabase } from '../support/db';

/** A model whose createIndex fails with `code` (or succeeds), recording collMod commands. */
function fakeModel(code?: number) {
  const commands: unknown[] = [];
  const model = {
    collection: {
      collectionName: 'things',
      createIndex: () =>
        code === undefined
          ? Promise.resolve('at_ttl')
          : Promise.reject(Object.assign(new Error('refused'), { code })),
    },
    db: { db: { command: (c: unknown) => (commands.push(c), Promise.resolve({ ok: 1 })) } },
  };
  return { model: model as unknown as Model<unknown>, commands };
}

test('a new TTL index is created', async () => {
  const { model, commands } = fakeModel();
  expect(await ensureTtlIndex(model, 'at', 60)).toBe(true);
  expect(commands).toEqual([]);
});

test('a changed retention changes the existing index in place (MongoDB)', async () => {
  const { model, commands } = fakeModel(85);
  expect(await ensureTtlIndex(model, 'at', 60)).toBe(true);
  expect(commands).toEqual([
    { collMod: 'things', index: { name: 'at_ttl', expireAfterSeconds: 60 } },
  ]);
});

test('other failures are not hidden', async () => {
  await expect(ensureTtlIndex(fakeModel(13).model, 'at', 60)).rejects.toMatchObject({ code: 13 });
});

test('the shared server: FerretDB 1.x has no TTL indexes (false: the caller prunes), MongoDB has', async () => {
  const db = await openTestDatabase('ttl');
  try {
    const info = await db.conn.db!.admin().command({ buildInfo: 1 });
    const model = db.conn.model('Ttl', new Schema({ at: Date }));
    expect(await ensureTtlIndex(model, 'at', 60)).toBe(info.ferretdbVersion === undefined);
  } finally {
    await db.close();
  }
});
