/** The self time of a V8 CPU profile (`profiled.ts`) by package or engine folder, largest first. */
import { readFileSync } from 'node:fs';
import type { Profiler } from 'node:inspector';

export function summarizeProfile(file: string, top = 15): Array<{ where: string; share: number }> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profiler.Profile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byPlace = new Map<string, number>();
  let total = 0;
  (profile.samples ?? []).forEach((id, i) => {
    const frame = nodes.get(id)!.callFrame;
    const dt = profile.timeDeltas?.[i] ?? 0;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url)?.[1];
    const ours = /\/(api|db|services|domain|connectwise|config|security|temporal)\//.exec(
      frame.url,
    );
    const where = pkg
      ? pkg
      : ours
        ? `engine: ${ours[1]}/`
        : frame.url.startsWith('node:')
          ? 'Node.js'
          : frame.functionName || '(V8)';
    byPlace.set(where, (byPlace.get(where) ?? 0) + dt);
    total += dt;
  });
  return [...byPlace]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, t]) => ({ where, share: t / total }));
}
