/**
 * Serves a benchmark's ConnectWise simulator in its own process (children.ts
 * `startSimulatorChild`): prints `{"origin": …}` on one line once it listens, and closes on
 * SIGINT / SIGTERM.
 */
import { startSimulator, type SimulatorSeed } from '../../simulator';

export async function serveSimulator(seed: SimulatorSeed): Promise<void> {
  const sim = await startSimulator({ seed });
  process.stdout.write(`${JSON.stringify({ origin: sim.origin })}\n`);
  const stop = (): void => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** Runs `seed()`'s simulator as this process's whole work, exiting 1 if it cannot. */
export function serveSimulatorMain(seed: () => SimulatorSeed): void {
  Promise.resolve()
    .then(() => serveSimulator(seed()))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
