import { Client, Connection } from '@temporalio/client';
import { LifecycleClient } from '../../temporal/lifecycle-client';
import { freePort } from '../../dev/processes';

test('status says "unavailable" instead of failing when Temporal does not answer', async () => {
  const temporal = new Client({
    connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}` }),
  });
  const lifecycle = new LifecycleClient(temporal, {
    TEMPORAL_TASK_QUEUE: 'q',
    SYNC_INTERVAL_MINUTES: 60,
  });
  await expect(lifecycle.status('some-integration')).resolves.toBe('unavailable');
}, 30_000);
