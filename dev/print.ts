import { relative } from 'node:path';
import type { SeededPartner } from './demo-partner';
import type { Stack } from './stack';
import { PartError } from './wait';

/** A MONGODB_URI the user supplied may carry a password; the console is no place for it. */
function withoutPassword(uri: string): string {
  return uri.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}

/** The console's sign-in link: the token in the fragment, which browsers never send. */
export const signInLink = (stack: Stack, partner: SeededPartner) =>
  `${stack.apiUrl}/console/#partner=${encodeURIComponent(partner.partnerId)}&token=${encodeURIComponent(partner.token)}`;

/** What a developer needs once the stack is up. */
export function formatReadyBanner(stack: Stack, repoRoot: string, ephemeral: boolean): string {
  const where = relative(repoRoot, stack.dataDir) || '.';
  const shown = where.startsWith('..') ? stack.dataDir : `${where}/`;
  const { credentials } = stack.simulator;
  const lines = [
    '',
    'Local stack is ready.',
    `  API                 ${stack.apiUrl}`,
    `  API docs            ${stack.apiDocsUrl}`,
    `  Console             ${stack.apiUrl}/console/`,
    `    sign in: ${stack.demo.partnerId.padEnd(9)} ${signInLink(stack, stack.demo)}   (connected, mapped, billing on)`,
    `    sign in: ${stack.fresh.partnerId.padEnd(9)} ${signInLink(stack, stack.fresh)}   (vendor data only: the whole setup)`,
    `  Demo partner        ${stack.demo.partnerId}   Authorization: Bearer ${stack.demo.token}`,
    ...(stack.metricsUrls
      ? [
          `  Metrics             API ${stack.metricsUrls.api}`,
          `                      worker ${stack.metricsUrls.worker}  Temporal SDK ${stack.metricsUrls.workerSdk}`,
        ]
      : []),
    `  Temporal UI         ${stack.temporalUiUrl ?? `(external Temporal at ${stack.temporalAddress})`}`,
    `  Temporal address    ${stack.temporalAddress}  namespace ${stack.temporalNamespace}, task queue ${stack.taskQueue}`,
    `  MongoDB             ${withoutPassword(stack.mongoUri)}`,
    `  ConnectWise sim.    ${stack.simulator.origin}  (the on-prem site URL; demo login:)`,
    ...Object.entries(credentials).map(([k, v]) => `      ${k.padEnd(16)}${String(v)}`),
    `  Data                ${shown} ${ephemeral ? '(temporary: deleted on stop)' : '(delete it to start from scratch)'}`,
    '',
    'Ctrl-C to stop.',
    '',
  ];
  return lines.join('\n');
}

/** Which part failed and what it said last (PartError's message carries both). */
export function formatFailure(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return `Local stack failed: ${err instanceof PartError ? `${err.part}: ` : ''}${text}`;
}
