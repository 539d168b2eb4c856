/**
 * Tables for humans: plain text (first column left-aligned, the others right-aligned, a rule under
 * the header), Markdown, or CSV (RFC 4180) for a spreadsheet. No terminal codes, so the output
 * reads the same in a terminal, a file and a browser. A command builds its table once (`Table`)
 * and prints it in the form asked for, so the forms cannot disagree.
 */

/** A table: its header and rows of cells, already formatted (units on every number). */
export interface Table {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** The output forms of a summary: `--markdown`, `--csv`, or plain text. */
export type TableFormat = "text" | "markdown" | "csv";

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
  // A `|` in a cell (a run's name) would end the cell: escaped, as GitHub's Markdown reads it.
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;
  return [
    line(header),
    line(header.map((_, i) => (i === 0 ? "---" : "---:"))),
    ...rows.map(line),
  ].join("\n");
}

/**
 * A CSV table (RFC 4180): records end with CRLF; a field holding a comma, a double quote, CR or LF
 * is enclosed in double quotes, a double quote inside it doubled.
 */
export function csvTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const field = (cell: string) =>
    /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
  return [header, ...rows].map((cells) => `${cells.map(field).join(",")}\r\n`).join("");
}

/** A table in one of the forms (CSV ends with its CRLF; the others have no final newline). */
export function formatTable(table: Table, format: TableFormat): string {
  const f = format === "csv" ? csvTable : format === "markdown" ? markdownTable : textTable;
  return f(table.header, table.rows);
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

/** Milliseconds as seconds with two decimals (`6.00 s`), "-" for no figure. */
export function secondsText(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "-" : `${(ms / 1000).toFixed(2)} s`;
}

/** Milliseconds, whole (`1333 ms`), "-" for no figure. */
export function millisText(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? "-" : `${Math.round(ms)} ms`;
}

/** A ratio (`8.00x`), "-" for no figure. */
export function timesText(x: number | null): string {
  return x === null ? "-" : `${x.toFixed(2)}x`;
}
