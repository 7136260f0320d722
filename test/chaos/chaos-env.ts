/**
 * What both chaos suites take from the environment: CHAOS_FULL=1 runs the long variant
 * (`npm run chaos`), CHAOS_SEED replays a run (each prints its seed first).
 */
export const FULL = process.env.CHAOS_FULL === '1';
export const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 2 ** 31);

/** The line each suite prints first: its seed and how to replay it. */
export const seedLine = (suite: string) =>
  `${suite} seed ${SEED} (replay: CHAOS_SEED=${SEED}${FULL ? ' CHAOS_FULL=1' : ''})`;
