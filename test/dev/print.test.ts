import { DEMO_CREDENTIALS } from '../../simulator';
import { formatFailure, formatReadyBanner } from '../../dev/print';
import type { Stack } from '../../dev/stack';
import { PartError } from '../../dev/wait';

const stack = {
  apiUrl: 'http://127.0.0.1:3000',
  apiDocsUrl: 'http://127.0.0.1:3000/v1/docs',
  metricsUrls: {
    api: 'http://127.0.0.1:9464/metrics',
    worker: 'http://127.0.0.1:9465/metrics',
    workerSdk: 'http://127.0.0.1:9466/metrics',
  },
  temporalAddress: '127.0.0.1:7233',
  temporalNamespace: 'default',
  taskQueue: 'cw-integration',
  temporalUiUrl: 'http://127.0.0.1:8233',
  mongoUri: 'mongodb://engine:s3cret@db.internal:27017/cw_engine',
  simulator: { origin: 'http://127.0.0.1:4010', credentials: DEMO_CREDENTIALS },
  dataDir: '/repo/.data',
  demo: { partnerId: 'demo', token: 'cwe_demoTokenForTheBanner' },
  fresh: { partnerId: 'newmsp', token: 'cwe_fresh+Token/x' },
} as unknown as Stack;

describe('formatReadyBanner', () => {
  it('lists every URL, the demo login, where data lives, and how to stop', () => {
    const text = formatReadyBanner(stack, '/repo', false);
    for (const expected of [
      'http://127.0.0.1:3000/v1/docs',
      'http://127.0.0.1:8233',
      'http://127.0.0.1:4010',
      'http://127.0.0.1:9464/metrics',
      'http://127.0.0.1:9465/metrics',
      'http://127.0.0.1:9466/metrics',
      DEMO_CREDENTIALS.privateKey,
      DEMO_CREDENTIALS.clientId,
      '.data/ (delete it to start from scratch)',
      'Ctrl-C to stop.',
      'Authorization: Bearer cwe_demoTokenForTheBanner',
      'http://127.0.0.1:3000/console/#partner=demo&token=cwe_demoTokenForTheBanner',
      // The token URL-encoded in the fragment.
      'http://127.0.0.1:3000/console/#partner=newmsp&token=cwe_fresh%2BToken%2Fx',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('never prints a database password', () => {
    const text = formatReadyBanner(stack, '/repo', false);
    expect(text).not.toContain('s3cret');
    expect(text).toContain('mongodb://engine:***@db.internal:27017/cw_engine');
  });

  it('says an external Temporal has no UI of ours, and that ephemeral data goes away', () => {
    const text = formatReadyBanner(
      { ...stack, temporalUiUrl: undefined, dataDir: '/tmp/x' },
      '/repo',
      true,
    );
    expect(text).toContain('(external Temporal at 127.0.0.1:7233)');
    expect(text).toContain('/tmp/x (temporary: deleted on stop)');
  });
});

describe('formatFailure', () => {
  it('names the failed part and quotes its last output', () => {
    const text = formatFailure(new PartError('worker exited with code 1', 'worker', ['boom']));
    expect(text).toBe(
      'Local stack failed: worker: worker exited with code 1\n  last output of worker:\n    boom',
    );
  });
});
