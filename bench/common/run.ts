/** How a benchmark ends: its verdict line, and its process's exit. */

/** `ALL PASS` or how many failed; with BENCH_STRICT=1 a FAIL makes the bench exit 1. */
export function printVerdict(failed: number): void {
  console.log(`\n${failed === 0 ? 'ALL PASS' : `${failed} FAIL`}`);
  if (failed && process.env.BENCH_STRICT === '1') process.exitCode = 1;
}

/** Runs the bench, then exits (a handle left open would keep it alive); 1 when it throws. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
