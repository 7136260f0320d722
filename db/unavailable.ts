/**
 * Whether an error means the database could not answer in time (down, unreachable, too slow or
 * wedged), as opposed to refusing the request: the API answers those with 503, not 500.
 */
const UNAVAILABLE_NAMES = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoPoolClearedError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoOperationTimeoutError',
]);

/** MaxTimeMSExpired: the server gave up on the operation at its maxTimeMS. */
const MAX_TIME_MS_EXPIRED = 50;

interface DriverError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  /** MongoBulkWriteError carries the error that stopped the batch here. */
  errorResponse?: unknown;
  cause?: unknown;
}

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 3) return false;
  const e = err as DriverError;
  if (typeof e.name === 'string' && UNAVAILABLE_NAMES.has(e.name)) return true;
  if (e.code === MAX_TIME_MS_EXPIRED) return true;
  // Mongoose, when a call was queued while disconnected: "Operation `x.find()` buffering timed out".
  if (e.name === 'MongooseError' && /buffering timed out/.test(String(e.message))) return true;
  return (
    isDatabaseUnavailable(e.errorResponse, depth + 1) || isDatabaseUnavailable(e.cause, depth + 1)
  );
}
