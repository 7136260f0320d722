/**
 * How the worker process is started (docker-compose.yml, the dev stack, the billing bench): with a
 * heap budget. Without one V8 sizes the heap from the machine's memory (~4 GB here) and lets
 * garbage pile up long before collecting it; the worker's live data is far smaller (bench:billing
 * over 1,000 agreements stays under 300 MB resident with this budget, BENCHMARKS.md). The limit
 * applies to the workflow thread too, so the workflow cache is sized explicitly
 * (WORKER_MAX_CACHED_WORKFLOWS) rather than from the heap, as the SDK would.
 */
export const WORKER_HEAP_MB = 192;

export const WORKER_NODE_ARGS: readonly string[] = [`--max-old-space-size=${WORKER_HEAP_MB}`];
