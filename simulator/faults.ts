import { z } from 'zod';
import { bodyFormatSchema, retryAfterSchema } from './edge';

const match = {
  /** HTTP method; any when absent. */
  method: z.string().optional(),
  /** A spec template (`/service/tickets/{id}`) or a concrete path (`/service/tickets/9000`), relative to `apis/3.0`. */
  path: z.string().optional(),
  /** A regular expression tested against the concrete path and against the template. */
  pathPattern: z.string().optional(),
  /** Fire on the next N matching requests, then expire. Unlimited when absent. */
  count: z.number().int().positive().optional(),
  /** Fire on each matching request with this probability (seeded PRNG, so runs repeat). */
  probability: z.number().min(0).max(1).optional(),
};

export const faultRuleSchema = z.discriminatedUnion('kind', [
  /** Delay before handling; if the client gives up meanwhile the request is not processed. */
  z.object({
    kind: z.literal('latency'),
    ms: z.number().int().min(0),
    maxMs: z.number().int().min(0).optional(),
    ...match,
  }),
  /**
   * 429 as CW's edge sends when over capacity. `body`: CW-style JSON (default) or the edge's
   * `html`/`text` page; `retryAfter`: delta-`seconds` (default), an `httpDate`, or `none`.
   */
  z.object({
    kind: z.literal('rateLimit'),
    retryAfterSeconds: z.number().int().min(0).default(1),
    retryAfter: retryAfterSchema.default('seconds'),
    body: bodyFormatSchema.default('json'),
    ...match,
  }),
  /**
   * 500/502/503, as JSON (default) or the edge's `html`/`text` page; with afterCommit the write is
   * applied and only the response is replaced.
   */
  z.object({
    kind: z.literal('serverError'),
    status: z.union([z.literal(500), z.literal(502), z.literal(503)]).default(500),
    afterCommit: z.boolean().default(false),
    body: bodyFormatSchema.default('json'),
    ...match,
  }),
  /** Destroys the socket with no response; with afterCommit the write is applied first. */
  z.object({ kind: z.literal('drop'), afterCommit: z.boolean().default(false), ...match }),
  /**
   * A slow write that commits even if the client disconnects: `commitAt: 'end'` commits after the
   * delay (a lookup during the delay finds nothing), `'start'` commits at once and delays the response.
   */
  z.object({
    kind: z.literal('slowCommit'),
    ms: z.number().int().min(0),
    commitAt: z.enum(['start', 'end']).default('end'),
    ...match,
  }),
]);

export type FaultRule = z.infer<typeof faultRuleSchema>;
export type FaultRuleInput = z.input<typeof faultRuleSchema>;

export interface ActiveFault {
  id: number;
  rule: FaultRule;
  /** Firings left for a counted rule. */
  remaining?: number;
  fired: number;
}

/** mulberry32: tiny, fast and good enough to make probabilistic faults repeatable. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DEFAULT_FAULT_SEED = 42;

export class Faults {
  private rules: ActiveFault[] = [];
  private nextId = 1;
  private rng = mulberry32(DEFAULT_FAULT_SEED);

  add(input: unknown): ActiveFault {
    const rule = faultRuleSchema.parse(input);
    if (rule.pathPattern) new RegExp(rule.pathPattern); // fail fast on a bad pattern
    const active: ActiveFault = { id: this.nextId++, rule, remaining: rule.count, fired: 0 };
    this.rules.push(active);
    return active;
  }

  /** Drops every rule and restarts the PRNG (from `seed` if given). */
  clear(seed = DEFAULT_FAULT_SEED): void {
    this.rules = [];
    this.rng = mulberry32(seed);
  }

  list(): ActiveFault[] {
    return this.rules.map((r) => ({ ...r }));
  }

  random(): number {
    return this.rng();
  }

  /** The first live rule that matches and (for a probability) fires; consumes one of its count. */
  pick(method: string, path: string, template: string): FaultRule | undefined {
    for (const active of this.rules) {
      const { rule } = active;
      if (active.remaining === 0) continue;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.path && ![path, template].some((p) => p.toLowerCase() === rule.path?.toLowerCase()))
        continue;
      if (rule.pathPattern) {
        const re = new RegExp(rule.pathPattern);
        if (!re.test(path) && !re.test(template)) continue;
      }
      if (rule.probability !== undefined && this.rng() >= rule.probability) continue;
      if (active.remaining !== undefined) active.remaining -= 1;
      active.fired += 1;
      return rule;
    }
    return undefined;
  }
}
