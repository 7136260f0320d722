/**
 * Bundles workflows/ once at build time, so production workers start without webpack: the plain
 * bundle, and beside it the one with tracing's workflow interceptors (`*.tracing.js`), which the
 * worker loads instead when OTEL_* turns tracing on (worker/worker.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { tracingWorkflowModules } from '../observability/temporal-tracing';
import { bundleWorkflows, tracedBundlePath } from './bundle';

export async function prebundleWorkflows(
  out: string,
  interceptorModules: readonly string[] = [],
): Promise<number> {
  const { code } = await bundleWorkflows(interceptorModules);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, code);
  return code.length;
}

if (require.main === module) {
  const out = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  const both = async () => [
    await prebundleWorkflows(out),
    await prebundleWorkflows(tracedBundlePath(out), tracingWorkflowModules()),
  ];
  both().then(
    ([plain, traced]) =>
      process.stdout.write(
        `workflow bundles written to ${out} (${plain} bytes) and ${tracedBundlePath(out)} (${traced} bytes)\n`,
      ),
    (err: unknown) => {
      process.stderr.write(
        `prebundle failed: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      process.exit(1);
    },
  );
}
