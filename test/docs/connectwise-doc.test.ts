import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The code cites `docs/connectwise.md §n` (or `§n.m`, an item of section n's numbered list) for
 * what ConnectWise does: every citation must name a section or item that exists.
 */
const root = join(__dirname, '..', '..');
const doc = readFileSync(join(root, 'docs', 'connectwise.md'), 'utf8');

/** Section number → its numbered items (1-based). */
function sections(): Map<string, number> {
  const found = new Map<string, number>();
  let current: string | undefined;
  for (const line of doc.split('\n')) {
    const heading = /^## (\w+) /.exec(line);
    if (heading) {
      current = heading[1]!;
      found.set(current, 0);
    } else if (current !== undefined && /^\d+\. /.test(line)) {
      found.set(current, Number(/^(\d+)\./.exec(line)![1]));
    }
  }
  return found;
}

test('every docs/connectwise.md § cited in the code exists', () => {
  const files = execFileSync('git', ['grep', '-l', 'docs/connectwise.md §', '--', '.'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);
  expect(files.length).toBeGreaterThan(20);
  const known = sections();
  const missing: string[] = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const [, section, item] of text.matchAll(/docs\/connectwise\.md §(\w+)(?:\.(\d+))?/g)) {
      if (section === 'n') continue; // the placeholder, as this file and the doc write it
      const items = known.get(section!);
      if (items === undefined || (item !== undefined && Number(item) > items))
        missing.push(`${file}: §${section}${item ? `.${item}` : ''}`);
    }
  }
  expect(missing).toEqual([]);
});
