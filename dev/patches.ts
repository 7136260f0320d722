/**
 * Source patches applied to a tool before it is built (today: FerretDB's deadlock fix). Each
 * patch is a unified diff in dev/patches/ whose header says what it fixes and where upstream.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export const PATCHES_DIR = join(__dirname, 'patches');

/** The patches for `<tool>-<version>`, in the order they apply (by file name). */
export function patchesFor(toolAndVersion: string, dir = PATCHES_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${toolAndVersion}-`) && f.endsWith('.patch'))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * A short digest of the patches' contents: part of the tool's cache path, so a binary built
 * without (or with older) patches is never mistaken for the current one.
 */
export function patchLevel(patches: string[]): string {
  if (patches.length === 0) return 'unpatched';
  const hash = createHash('sha256');
  for (const p of patches) hash.update(readFileSync(p));
  return `p${hash.digest('hex').slice(0, 10)}`;
}

/** Applies each patch to the tree at `dir` (paths in the diffs are a/… and b/…), or throws naming it. */
export function applyPatches(dir: string, patches: string[]): void {
  for (const p of patches) {
    try {
      execFileSync('patch', ['-p1', '--forward', '--batch', '--silent', '--input', p], {
        cwd: dir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      const e = err as { code?: string; stdout?: string; stderr?: string; message?: string };
      if (e.code === 'ENOENT')
        throw new Error(`the patch program is needed to apply ${basename(p)}`);
      const detail = [e.stdout, e.stderr, e.message].filter(Boolean).join('\n').trim();
      throw new Error(`patch ${basename(p)} does not apply: ${detail}`);
    }
  }
}
