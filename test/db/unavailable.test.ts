import { isDatabaseUnavailable } from '../../db/unavailable';

const named = (name: string, extra: object = {}): Error =>
  Object.assign(new Error('x'), { name }, extra);

test.each([
  ['no server found', named('MongoServerSelectionError')],
  ['a server that stopped answering', named('MongoNetworkTimeoutError')],
  ['a query past its maxTimeMS', named('MongoServerError', { code: 50 })],
  [
    'a bulk write stopped by a socket timeout',
    named('MongoBulkWriteError', { errorResponse: named('MongoNetworkTimeoutError') }),
  ],
  [
    'a call queued while disconnected',
    Object.assign(new Error('Operation `tokens.findOne()` buffering timed out after 10000ms'), {
      name: 'MongooseError',
    }),
  ],
])('%s is "unavailable"', (_what, err) => {
  expect(isDatabaseUnavailable(err)).toBe(true);
});

test.each([
  ['a duplicate key', named('MongoServerError', { code: 11000 })],
  ['a bulk write with a refused document', named('MongoBulkWriteError', { code: 121 })],
  ['a bug', new TypeError('undefined is not a function')],
  ['not an error', 'nope'],
])('%s is not', (_what, err) => {
  expect(isDatabaseUnavailable(err)).toBe(false);
});
