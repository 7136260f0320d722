import { DefaultLogger, Runtime } from '@temporalio/worker';

// The SDK logs every worker state change at INFO; tests only need warnings. One Runtime per
// process: a second install (a later test file in the same jest worker) is refused, and harmless.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this process
}
