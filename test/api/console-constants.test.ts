import { CLOUD_REGIONS } from '../../connectwise/site';
import { TICKET_DEFAULTS } from '../../domain/tickets/settings';
import {
  CLOUD_REGIONS as CONSOLE_REGIONS,
  TICKET_POLICY_DEFAULTS,
} from '../../console/src/engine-constants';

/** The console's copies of engine rules the API does not describe are the engine's own. */
test("the console offers exactly the engine's cloud regions, with their API hosts", () => {
  expect(Object.fromEntries(CONSOLE_REGIONS.map((r) => [r.value, `https://${r.host}`]))).toEqual(
    CLOUD_REGIONS,
  );
});

test("the ticket policy defaults the console shows are the engine's", () => {
  expect(TICKET_POLICY_DEFAULTS).toEqual(TICKET_DEFAULTS);
});
