/** Bundles workflows/ once at build time, so production workers start without webpack. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflows } from './bundle';

export async function prebundleWorkflows(out: string): Promise<number> {
  const { code } = await bundleWorkflows();
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
