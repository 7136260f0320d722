import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { applyPatches, patchLevel, patchesFor } from '../../dev/patches';
import { ferretDbPatches, toolSpecs } from '../../dev/tools';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cw-patches-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const greetingPatch = (from: string, to: string) =>
  [
    'A header that explains the patch.',
    '',
    '--- a/src/greeting.txt',
    '+++ b/src/greeting.txt',
    '@@ -1 +1 @@',
    `-${from}`,
    `+${to}`,
    '',
  ].join('\n');

function tree(content: string): string {
  const root = join(dir, 'tree');
  mkdirSync(join(root, 'src'), { recursive: true });
  writeFileSync(join(root, 'src', 'greeting.txt'), `${content}\n`);
  return root;
}

test('patches apply in name order to the tree', () => {
  const patches = join(dir, 'patches');
  mkdirSync(patches);
  writeFileSync(join(patches, 'tool-v1-02-second.patch'), greetingPatch('hello', 'hi'));
  writeFileSync(join(patches, 'tool-v1-01-first.patch'), greetingPatch('hallo', 'hello'));
  writeFileSync(join(patches, 'tool-v2-01-other.patch'), greetingPatch('x', 'y'));
  const found = patchesFor('tool-v1', patches);
  expect(found.map((p) => basename(p))).toEqual([
    'tool-v1-01-first.patch',
    'tool-v1-02-second.patch',
  ]);
  const root = tree('hallo');
  applyPatches(root, found);
  expect(readFileSync(join(root, 'src', 'greeting.txt'), 'utf8')).toBe('hi\n');
});

test('a patch that does not apply fails, naming the patch', () => {
  const patch = join(dir, 'tool-v1-stale.patch');
  writeFileSync(patch, greetingPatch('something else', 'hi'));
  expect(() => applyPatches(tree('hallo'), [patch])).toThrow(
    /patch tool-v1-stale\.patch does not apply/,
  );
});

test('the patch level changes with the patches, so a binary built from other sources is not reused', () => {
  const a = join(dir, 'a.patch');
  writeFileSync(a, greetingPatch('a', 'b'));
  const before = patchLevel([a]);
  writeFileSync(a, greetingPatch('a', 'c'));
  expect(patchLevel([a])).not.toBe(before);
  expect(patchLevel([])).toBe('unpatched');
});

test("FerretDB's cached binary path names the repo's patch level", () => {
  const patches = ferretDbPatches();
  expect(patches.map((p) => basename(p))).toContain('ferretdb-v1.24.2-update-iterator-close.patch');
  expect(toolSpecs({ CW_ENGINE_CACHE: '/cache' }).ferretdb.cachedPath).toBe(
    `/cache/ferretdb-v1.24.2-${patchLevel(patches)}/ferretdb`,
  );
});
