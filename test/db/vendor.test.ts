import { retryOnDuplicateKey } from '../../db/retry-duplicate';

// Racing identical upserts are exercised against a real database only in production (MongoDB):
// FerretDB 1.24's SQLite backend stalls under that kind of concurrent write, so the local suite
// checks the retry itself.
const duplicate = () => Object.assign(new Error('E11000 duplicate key error'), { code: 11000 });
const bulkDuplicate = () => Object.assign(new Error('bulk'), { writeErrors: [{ code: 11000 }] });

test('a duplicate-key failure is retried until the idempotent upsert succeeds', async () => {
  let calls = 0;
  const write = () =>
    ++calls < 3
      ? Promise.reject(calls === 1 ? duplicate() : bulkDuplicate())
      : Promise.resolve('ok');
  await expect(retryOnDuplicateKey(write)).resolves.toBe('ok');
  expect(calls).toBe(3);
});

test('other errors are not retried, and retries are bounded', async () => {
  let calls = 0;
  const other = () => {
    calls += 1;
    return Promise.reject(new Error('network'));
  };
  await expect(retryOnDuplicateKey(other)).rejects.toThrow('network');
  expect(calls).toBe(1);

  calls = 0;
  const always = () => {
    calls += 1;
    return Promise.reject(duplicate());
  };
  await expect(retryOnDuplicateKey(always, 3)).rejects.toThrow(/E11000/);
  expect(calls).toBe(3);
});
