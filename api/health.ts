import { Router } from 'express';

export interface DependencyCheck {
  name: string;
  check: () => Promise<void>;
}

const TIMEOUT_MS = 2000;

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `/healthz`: the process is alive. `/readyz`: every dependency answers; 503 names those that
 * don't. Both name the process (`instance`): which replica answered.
 */
export function healthRouter(checks: DependencyCheck[], instance: string): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', instance });
  });
  router.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), TIMEOUT_MS);
          return [name, 'ok'] as const;
        } catch {
          return [name, 'unreachable'] as const;
        }
      }),
    );
    const failing = results.filter(([, s]) => s !== 'ok').map(([n]) => n);
    res.status(failing.length ? 503 : 200).json({
      status: failing.length ? 'unavailable' : 'ready',
      instance,
      ...(failing.length ? { failing } : {}),
      dependencies: Object.fromEntries(results),
    });
  });
  return router;
}
