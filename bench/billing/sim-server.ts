/**
 * The ConnectWise simulator of the billing benchmark, run as a child process so the driver's RSS
 * is the worker's: the demo seed plus BENCH_SIM_COMPANIES companies, each with one active monthly
 * agreement and no additions, and for the engine's customers (the first BENCH_SIM_ENGINE_CUSTOMERS)
 * that phase (d) moves, a second active monthly agreement of the same company, also without
 * additions. Prints `{"origin": …}` on one line once it listens.
 */
import { loadDemoSeed } from '../../simulator';
import { serveSimulatorMain } from '../common/sim-server';
import { agreementIdOf, changeGroups, companyIdOf, movedAgreementIdOf } from './tenant';

serveSimulatorMain(() => {
  const companies = Number(process.env.BENCH_SIM_COMPANIES ?? 0);
  const engineCustomers = Number(process.env.BENCH_SIM_ENGINE_CUSTOMERS ?? 0);
  const seed = loadDemoSeed();
  const template = seed.collections.agreements.find((a) => a.id === 300);
  if (!template) throw new Error('the demo seed lost its recurring agreement 300');
  const name = (i: number) => `Bench Company ${String(i).padStart(5, '0')}`;
  for (let i = 0; i < companies; i++) {
    const n = String(i).padStart(5, '0');
    seed.collections.companies.push({
      id: companyIdOf(i),
      identifier: `BenchCo${n}`,
      name: name(i),
      status: { id: 1, name: 'Active' },
      types: [{ id: 1, name: 'Client' }],
      deletedFlag: false,
    });
    seed.collections.agreements.push({
      ...structuredClone(template),
      id: agreementIdOf(i),
      name: `${name(i)} - DefensX`,
      company: { id: companyIdOf(i) },
    });
  }
  for (const i of engineCustomers > 0 ? changeGroups(engineCustomers).moved : []) {
    seed.collections.agreements.push({
      ...structuredClone(template),
      id: movedAgreementIdOf(i),
      name: `${name(i)} - DefensX (new agreement)`,
      company: { id: companyIdOf(i) },
    });
  }
  return seed;
});
