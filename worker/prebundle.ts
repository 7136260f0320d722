/** Bundles workflows/ once at build time, so production workers start without webpack. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../temporal/data-converter';
import { WORKFLOWS_PATH } from './worker';

export async function prebundleWorkflows(out: string): Promise<number> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    // Must match the worker's data converter, which the bundle cannot learn later.
    failureConverterPath: FAILURE_CONVERTER_PATH,
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, code);
  return code.length;
}

if (require.main === module) {
  const out = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  prebundleWorkflows(out).then(
    (size) => process.stdout.write(`workflow bundle written to ${out} (${size} bytes)\n`),
    (err: unknown) => {
      process.stderr.write(
        `prebundle failed: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      process.exit(1);
    },
  );
}
