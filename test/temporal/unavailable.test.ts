import { WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { isTemporalUnavailable, whenTemporalDown } from '../../temporal/unavailable';

/** What the API answers 503 `temporal_unavailable` (try again) rather than 500. */
describe('isTemporalUnavailable', () => {
  const grpc = (code: number) =>
    Object.assign(new Error(`grpc ${code}`), { code, details: '', metadata: {} });

  test.each([
    ['UNAVAILABLE', grpc(14), true],
    ['DEADLINE_EXCEEDED', grpc(4), true],
    ['NOT_FOUND', grpc(5), false],
    ['a plain error', new Error('boom'), false],
  ])('a gRPC %s: %s', (_, err, down) => {
    expect(isTemporalUnavailable(err)).toBe(down);
  });

  test('an update the server did not complete within the deadline: try again', () => {
    const err = new WorkflowUpdateRPCTimeoutOrCancelledError(
      'Timed out or cancelled waiting for Update',
      {
        cause: grpc(1),
      },
    );
    expect(isTemporalUnavailable(err)).toBe(true);
    expect(whenTemporalDown(err)).toMatchObject({ name: 'TemporalUnavailableError' });
  });
});
