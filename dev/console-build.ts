import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Builds the console (vite, into dist/console) when it was never built or a file under console/
 * changed since: `npm start`, `npm run check` and the browser tests always serve the current one.
 * A no-op otherwise, so it can run on every start.
 */
const root = join(__dirname, '..');
const sourceDir = join(root, 'console');
const builtIndex = join(root, 'dist', 'console', 'index.html');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function consoleIsStale(): boolean {
  return !existsSync(builtIndex) || newestMtime(sourceDir) > statSync(builtIndex).mtimeMs;
}

export function ensureConsoleBuilt(log: (line: string) => void = () => {}): void {
  if (!consoleIsStale()) return;
  log('==> building the console (vite build)');
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      join(sourceDir, 'vite.config.ts'),
    ],
    // Always the production build (jest sets NODE_ENV=test, which would bundle React's dev build).
    { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } },
  );
}

if (require.main === module) ensureConsoleBuilt(console.log);
