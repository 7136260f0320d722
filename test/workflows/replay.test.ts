import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { createDataConverter } from '../../temporal/data-converter';
import { WORKFLOWS_PATH } from '../../worker/worker';
import { replayKeyring } from '../support/keys';

const dir = join(__dirname, 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.pb'));

test('recorded histories are present', () => {
  expect(files.sort()).toEqual([
    'billing-run.pb', // a billing run (child of the lifecycle) that created additions
    'lifecycle-billing.pb', // config_change and Synchronize runs as child workflows
    'lifecycle-pause-settings.pb', // paused, resumed, settings changes, a run skipped
    'test-connection-stored.pb', // a saved integration's keys, by id
    'test-connection-typed.pb', // keys a person just typed (encrypted by the payload codec)
    'ticket-two-way.pb', // an event's ticket closed by a technician (found by the watch's poll)
    'ticket-watch.pb', // an integration's ticket watch: registered, polled, told, deleted
    'ticket.pb', // an event's ticket: created, repeats noted, resolved, reopened, resolved
    'webhook-delivery.pb', // a subscription's deliveries: a failure waited out, a ping, removed
  ]);
});

/**
 * Today's workflow code must replay yesterday's histories: a change that would break running
 * workflows (a reordered activity, a new timer) fails here instead of in production.
 */
test.each(files)(
  '%s replays deterministically against the current workflow code',
  async (file) => {
    const history = temporal.api.history.v1.History.decode(readFileSync(join(dir, file)));
    await Worker.runReplayHistory(
      { workflowsPath: WORKFLOWS_PATH, dataConverter: createDataConverter(replayKeyring()) },
      history,
    );
  },
  60_000,
);
