/**
 * The benchmarks' text tables: a header, a dashed rule and the rows, the first two columns left
 * aligned (names), the others right aligned (figures).
 */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
}

/** The backed and included candidates of a report, summed over its paras (the tables' column). */
export function backedAndIncluded(paras: Readonly<Record<string, unknown>>): {
  backed: number;
  included: number;
} {
  let backed = 0;
  let included = 0;
  for (const p of Object.values(paras) as { backed: number; included: number }[]) {
    backed += p.backed;
    included += p.included;
  }
  return { backed, included };
}
