import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { FailureType } from '../../workflows/failure-types';
import { endsRun, GONE, runFailure, UNREACHABLE } from '../../workflows/run-failure';

/** An activity failure as the workflow sees it after the activity's retries. */
const failedWith = (cause: Error) =>
  new ActivityFailure(
    'activity failed',
    'checkAccess',
    '1',
    'MAXIMUM_ATTEMPTS_REACHED',
    'w',
    cause,
  );
const application = (type: string) => failedWith(ApplicationFailure.create({ message: 'x', type }));

test('each kind of failure of a run gets its own words, not "could not be reached"', () => {
  expect(runFailure(application(FailureType.integrationNotFound))).toBe(GONE);
  expect(runFailure(application(FailureType.credentialsInvalid))).toEqual({
    outcome: 'failed',
    summary: 'ConnectWise rejected the API keys; the integration needs new credentials',
  });
  expect(runFailure(application(FailureType.secretUnavailable))).toMatchObject({
    summary: expect.stringMatching(/^the stored private key cannot be decrypted/),
  });
  expect(runFailure(application(FailureType.connectWise('permission')))).toMatchObject({
    summary: expect.stringMatching(/^ConnectWise refused access: the API member's security role/),
  });
  expect(runFailure(application(FailureType.connectWise('unexpected_response')))).toMatchObject({
    summary: expect.stringContaining('(unexpected_response)'),
  });
  // A bug in the engine (a TypeError in an activity) is not ConnectWise's fault.
  expect(runFailure(application('TypeError'))).toMatchObject({
    summary: expect.stringMatching(/^the engine failed on this run/),
  });
  expect(runFailure(new Error('not even an activity failure'))).toMatchObject({
    summary: expect.stringMatching(/^the engine failed on this run/),
  });
});

test('only an outage of ConnectWise is "could not be reached"', () => {
  for (const kind of ['server', 'network', 'throttled']) {
    expect(runFailure(application(FailureType.connectWise(kind)))).toEqual(UNREACHABLE);
  }
  expect(
    runFailure(failedWith(new TimeoutFailure('timed out', undefined, 'START_TO_CLOSE'))),
  ).toEqual(UNREACHABLE);
});

test('keys, key, integration gone and a tenant change end the run; an outage or a bug ends one batch', () => {
  for (const type of [
    FailureType.credentialsInvalid,
    FailureType.credentialsMissing,
    FailureType.secretUnavailable,
    FailureType.integrationNotFound,
    FailureType.tenantChanged,
  ])
    expect(endsRun(application(type))).toBe(true);
  for (const type of [FailureType.connectWise('server'), 'TypeError'])
    expect(endsRun(application(type))).toBe(false);
  expect(endsRun(new Error('not an activity failure'))).toBe(false);
});
