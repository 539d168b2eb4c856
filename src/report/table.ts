/**
 * Tables for humans: plain text (first column left-aligned, the others right-aligned, a rule under
 * the header) or Markdown. No terminal codes, so the output reads the same in a terminal, a file
 * and a browser.
 */

/** A plain-text table. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("   ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("   "), ...rows.map(line)].join("\n");
}

/** A Markdown table (figures right-aligned). */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [
    line(header),
    line(header.map((_, i) => (i === 0 ? "---" : "---:"))),
    ...rows.map(line),
  ].join("\n");
}

/**
 * A name as it may be printed on a terminal: control characters (escape sequences, carriage
 * returns, bells) shown as `\xNN` instead of acting.
 */
export function printable(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
  const control = /[\u0000-\u001f\u007f-\u009f]/g;
  return name.replace(control, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
