import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { discardLines, runningProcesses, spawnManaged } from '../../dev/managed';
import { PartError, waitUntil } from '../../dev/wait';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitDead(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !isAlive(pid);
}

describe('spawnManaged', () => {
  it('passes each output line with the name to the sink and keeps the most recent ones', async () => {
    const seen: string[] = [];
    const child = spawnManaged(
      'talker',
      'sh',
      ['-c', 'echo one; echo two >&2; echo three'],
      {},
      {
        log: (name, line) => seen.push(`${name}:${line}`),
        keepLines: 2,
      },
    );
    expect(await child.exited).toEqual({ code: 0, signal: null });
    await new Promise((r) => setImmediate(r));
    expect(seen.sort()).toEqual(['talker:one', 'talker:three', 'talker:two']);
    expect(child.recentOutput()).toHaveLength(2);
  });

  it('stops the whole process group, grandchildren included', async () => {
    const lines: string[] = [];
    const child = spawnManaged('parent', 'sh', ['-c', 'sleep 300 & echo $!; wait'], process.env, {
      log: (_n, line) => lines.push(line),
    });
    await waitUntil(() => lines.length > 0, { what: 'grandchild pid', timeoutMs: 5_000 });
    const grandchild = Number(lines[0]);
    expect(isAlive(grandchild)).toBe(true);
    await child.stop(5_000);
    expect(child.exitInfo()?.signal).toBe('SIGTERM');
    expect(await waitDead(grandchild)).toBe(true);
    expect(runningProcesses()).not.toContain(child);
  });

  it('kills a process that ignores SIGTERM once the grace period is over', async () => {
    const child = spawnManaged(
      'stubborn',
      'sh',
      ['-c', 'trap "" TERM; echo up; while :; do sleep 0.1; done'],
      process.env,
      { log: discardLines },
    );
    await waitUntil(() => child.recentOutput().includes('up'), {
      what: 'up',
      timeoutMs: 5_000,
    });
    const started = Date.now();
    const info = await child.stop(300);
    expect(info.signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });
});

describe('waitUntil', () => {
  it('gives up as soon as the watched process exits, quoting its output', async () => {
    const child = spawnManaged('crasher', 'sh', ['-c', 'echo boom >&2; exit 3'], process.env, {
      log: discardLines,
    });
    const started = Date.now();
    const error = await waitUntil(() => false, {
      what: 'crasher ready',
      timeoutMs: 30_000,
      intervalMs: 20,
      process: child,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartError);
    expect(error).toMatchObject({
      part: 'crasher',
      summary: 'crasher exited with code 3 before crasher ready was ready',
      recentOutput: ['boom'],
    });
    expect((error as Error).message).toContain('last output of crasher:\n    boom');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('times out naming the thing and the last probe error', async () => {
    await expect(
      waitUntil(
        () => {
          throw new Error('connection refused');
        },
        { what: 'the moon', timeoutMs: 100, intervalMs: 10 },
      ),
    ).rejects.toThrow('the moon was not ready after 0s (last error: connection refused)');
  });

  it('returns the first value that is not false or undefined', async () => {
    let calls = 0;
    const value = await waitUntil(() => (++calls >= 3 ? `after ${calls}` : false), {
      what: 'x',
      intervalMs: 1,
    });
    expect(value).toBe('after 3');
  });
});

describe('children of a dying parent', () => {
  async function startParent(): Promise<{ parent: ReturnType<typeof spawn>; childPid: number }> {
    const fixture = join(__dirname, 'fixtures', 'spawn-sleeper.ts');
    const parent = spawn(process.execPath, ['--import', 'tsx', fixture], {
      cwd: join(__dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const rl = createInterface({ input: parent.stdout });
    const [line] = (await once(rl, 'line')) as [string];
    const childPid = Number(/^child (\d+)$/.exec(line)?.[1]);
    expect(isAlive(childPid)).toBe(true);
    return { parent, childPid };
  }

  it('are stopped when the parent gets SIGTERM', async () => {
    const { parent, childPid } = await startParent();
    const exited = once(parent, 'exit');
    parent.kill('SIGTERM');
    const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    expect(signal).toBe('SIGTERM');
    expect(await waitDead(childPid)).toBe(true);
  });

  // Relies on setpriv --pdeathsig (Linux, the platform the engine and CI run on).
  it('are stopped even when the parent is SIGKILLed', async () => {
    const { parent, childPid } = await startParent();
    const exited = once(parent, 'exit');
    parent.kill('SIGKILL');
    await exited;
    expect(await waitDead(childPid)).toBe(true);
  });
});
