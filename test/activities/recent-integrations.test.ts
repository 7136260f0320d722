import type { IntegrationRecord } from '../../db';
import { RecentIntegrations } from '../../services/recent-integrations';

const ref = { partnerId: 'p1', integrationId: 'i1' };
const record = (state: IntegrationRecord['state']) => ({ id: 'i1', state }) as IntegrationRecord;

/** A clock the test moves, and a loader counting its reads. */
function setup(maxAgeMs = 1_000) {
  let now = 0;
  let state: IntegrationRecord['state'] = 'active';
  const reads = { count: 0 };
  const cache = new RecentIntegrations(maxAgeMs, () => now);
  const load = () => {
    reads.count += 1;
    return Promise.resolve(record(state));
  };
  return {
    cache,
    reads,
    load,
    tick: (ms: number) => (now += ms),
    set: (s: IntegrationRecord['state']) => (state = s),
  };
}

test('batches within the max age share one read; later ones read again and see a change', async () => {
  const s = setup();
  expect((await s.cache.get(ref, s.load)).state).toBe('active');
  s.set('paused');
  s.tick(999);
  expect((await s.cache.get(ref, s.load)).state).toBe('active');
  expect(s.reads.count).toBe(1);
  s.tick(1);
  expect((await s.cache.get(ref, s.load)).state).toBe('paused');
  expect(s.reads.count).toBe(2);
});

test('concurrent batches share the read in flight', async () => {
  const s = setup();
  const got = await Promise.all(Array.from({ length: 8 }, () => s.cache.get(ref, s.load)));
  expect(got.map((r) => r.state)).toEqual(Array(8).fill('active'));
  expect(s.reads.count).toBe(1);
});

test('a failed read is not kept, and forget makes the next batch read', async () => {
  const s = setup();
  await expect(
    s.cache.get(ref, () => Promise.reject(new Error('integration not found'))),
  ).rejects.toThrow('integration not found');
  expect((await s.cache.get(ref, s.load)).state).toBe('active');
  s.set('credentials_invalid');
  s.cache.forget(ref);
  expect((await s.cache.get(ref, s.load)).state).toBe('credentials_invalid');
  expect(s.reads.count).toBe(2);
});

test('integrations are kept apart', async () => {
  const s = setup();
  await s.cache.get(ref, s.load);
  await s.cache.get({ partnerId: 'p1', integrationId: 'i2' }, s.load);
  await s.cache.get({ partnerId: 'p2', integrationId: 'i1' }, s.load);
  expect(s.reads.count).toBe(3);
});

test("event posts keep the partner's integration apart from a batch's, each read once a second", async () => {
  const s = setup();
  const byPartner = { partnerId: 'p1' };
  await Promise.all([s.cache.get(byPartner, s.load), s.cache.get(byPartner, s.load)]);
  expect(s.reads.count).toBe(1);
  await s.cache.get(ref, s.load);
  expect(s.reads.count).toBe(2);
  s.tick(1_000);
  await s.cache.get(byPartner, s.load);
  expect(s.reads.count).toBe(3);
  s.cache.forget(byPartner);
  await s.cache.get(byPartner, s.load);
  expect(s.reads.count).toBe(4);
});
