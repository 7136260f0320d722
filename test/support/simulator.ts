import { DEMO_CREDENTIALS, startSimulator, type SimulatorHandle } from '../../simulator';

export interface SimulatorFixture {
  sim: SimulatorHandle;
  /** What a partner would type on the setup screen for the simulator's demo MSP. */
  credentials: { site: string; companyId: string; publicKey: string; privateKey: string };
}

export async function startTestSimulator(): Promise<SimulatorFixture> {
  const sim = await startSimulator();
  return {
    sim,
    credentials: {
      site: sim.origin,
      companyId: DEMO_CREDENTIALS.companyId,
      publicKey: DEMO_CREDENTIALS.publicKey,
      privateKey: DEMO_CREDENTIALS.privateKey,
    },
  };
}

export { DEMO_CREDENTIALS };
