/**
 * `npm run test:model -- [--runs N] [--seed S] [--path P] [--replay-path R] [--commands C]
 * [--skip name,…] [--fast-doubt] [--verbose-model] [jest options…]`: the billing model test (billing-model.test.ts) with a longer
 * budget, or replaying a printed failure. The options become MODEL_RUNS, MODEL_SEED, MODEL_PATH,
 * MODEL_REPLAY_PATH, MODEL_COMMANDS, MODEL_SKIP, MODEL_FAST_DOUBT and MODEL_VERBOSE (which work
 * with plain jest too); the rest goes to `jest test/model`.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const OPTIONS: Record<string, string> = {
  '--runs': 'MODEL_RUNS',
  '--seed': 'MODEL_SEED',
  '--path': 'MODEL_PATH',
  '--replay-path': 'MODEL_REPLAY_PATH',
  '--commands': 'MODEL_COMMANDS',
  '--skip': 'MODEL_SKIP',
};

const env: NodeJS.ProcessEnv = { ...process.env };
const rest: string[] = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  const [name, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
  const variable = OPTIONS[name];
  if (variable) {
    const value = inline ?? args[++i];
    if (value === undefined) throw new Error(`${name} needs a value`);
    env[variable] = value;
  } else if (arg === '--fast-doubt') env.MODEL_FAST_DOUBT = '1';
  else if (arg === '--verbose-model') env.MODEL_VERBOSE = '1';
  else rest.push(arg);
}

// Exploring: a new seed each time unless one is given (the check's own run keeps a fixed one).
env.MODEL_SEED ??= String((Date.now() ^ 0x5eed) | 0);

const jest = join(__dirname, '..', '..', 'node_modules', 'jest', 'bin', 'jest.js');
const { status } = spawnSync(process.execPath, [jest, 'test/model', ...rest], {
  stdio: 'inherit',
  env,
  cwd: join(__dirname, '..', '..'),
});
process.exit(status ?? 1);
