import { DEMO_CREDENTIALS, startSimulator } from './index';

/** `npm run simulator`: the simulator on SIMULATOR_PORT (default 4010) for the local stack and demos. */
async function main(): Promise<void> {
  const port = Number(process.env.SIMULATOR_PORT ?? 4010);
  const host = process.env.SIMULATOR_HOST ?? '127.0.0.1';
  const sim = await startSimulator({ port, host });
  const codebase = await sim.admin.codebase.get();
  console.log(`ConnectWise simulator listening on ${sim.origin}`);
  console.log(`  company info: ${sim.origin}/login/companyinfo/${DEMO_CREDENTIALS.companyId}`);
  console.log(
    `  API base:     ${sim.origin}/${codebase}apis/3.0 (alias ${sim.origin}/v4_6_release/apis/3.0)`,
  );
  console.log(`  admin:        ${sim.origin}/__admin (see simulator/README.md)`);
  console.log('  demo credentials:');
  console.log(`    companyId  ${DEMO_CREDENTIALS.companyId}`);
  console.log(`    publicKey  ${DEMO_CREDENTIALS.publicKey}`);
  console.log(`    privateKey ${DEMO_CREDENTIALS.privateKey}`);
  console.log(`    clientId   ${DEMO_CREDENTIALS.clientId}`);
  const stop = (): void => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
