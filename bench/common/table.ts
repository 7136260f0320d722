/** The benchmarks' printout: Markdown tables that read in a terminal too. Pure. */

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** A Markdown table, columns padded so it reads in a terminal too. */
export function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
