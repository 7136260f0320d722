export default async function globalTeardown(): Promise<void> {
  const ferret = (globalThis as { __ferret?: { stop(): Promise<void> } }).__ferret;
  if (ferret) await ferret.stop();
}
