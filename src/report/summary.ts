/**
 * The human-readable summary of run reports: one column per run, one row per figure, units
 * on every number. Plain text (no terminal codes), so it renders the same in a terminal, a file
 * and the browser.
 */
import type { ParaReport, RunReport } from "./run-report.ts";
import { type SeedTableRatios, seedTableRatios } from "./seed-table.ts";
import {
  formatTable,
  millisText,
  printable,
  secondsText,
  type Table,
  type TableFormat,
  timesText,
} from "./table.ts";

type Row = readonly [label: string, value: (p: ParaReport, r: RunReport) => string];

const ROWS: readonly Row[] = [
  ["backed candidates", (p) => String(p.backed)],
  ["included candidates", (p) => String(p.included)],
  ["timed out", (p) => String(p.timedOut)],
  ["parablock included every", (p) => secondsText(p.inclusionIntervalMs)],
  [
    "availability, backed to included (mean / p95)",
    (p) =>
      p.availabilityMs
        ? `${secondsText(p.availabilityMs.mean)} / ${secondsText(p.availabilityMs.p95)}`
        : "-",
  ],
  [
    "availability: chunks fetched / data moved",
    (p) => `${p.availability.chunksFetched} / ${(p.availability.bytesMoved / 1e6).toFixed(1)} MB`,
  ],
  [
    "approval, included to approved (mean / p95)",
    (p) =>
      p.approvalMs ? `${secondsText(p.approvalMs.mean)} / ${secondsText(p.approvalMs.p95)}` : "-",
  ],
  [
    "approval: tranches needed (mean / max), no-shows",
    (p) =>
      `${p.approval.tranchesNeeded ? `${p.approval.tranchesNeeded.mean.toFixed(2)} / ${p.approval.tranchesNeeded.max}` : "-"}, ${p.approval.noShows}`,
  ],
  [
    "finality lag (mean / max)",
    (_p, r) =>
      r.finality
        ? `${r.finality.lagBlocks.mean.toFixed(1)} / ${r.finality.lagBlocks.max} blocks, ${secondsText(r.finality.lagMs.mean)} / ${secondsText(r.finality.lagMs.max)}`
        : "-",
  ],
  ["block time mean", (p) => secondsText(p.blockTimeMs?.mean)],
  [
    "block time p50 / p95",
    (p) =>
      p.blockTimeMs
        ? `${secondsText(p.blockTimeMs.p50)}${p.blockTimeMs.p50 === 0 ? "*" : ""} / ${secondsText(p.blockTimeMs.p95)}`
        : "-",
  ],
  [
    "execution per block (measured / max)",
    (p) => `${millisText(p.executionMsPerBlock?.mean)} / ${millisText(p.maxExecutionMsPerBlock)}`,
  ],
  ["execution per relay block", (p) => millisText(p.executionMsPerRelayBlock)],
  [
    "backed per 15 relay blocks",
    (p) =>
      p.backedPer15RelayBlocks
        ? `${p.backedPer15RelayBlocks.min}..${p.backedPer15RelayBlocks.max} (${p.backedPer15RelayBlocks.windows} window${p.backedPer15RelayBlocks.windows === 1 ? "" : "s"})`
        : "-",
  ],
  [
    "unincluded segment mean / max",
    (p) => `${p.unincludedSegment.mean.toFixed(2)} / ${p.unincludedSegment.max}`,
  ],
  ["para blocks authored / forks", (p) => `${p.authored.blocks} / ${p.authored.forks}`],
  ["wasted blocks (authored, never included)", (p) => String(p.wastedBlocks)],
];

/** The summary's tables, one per para: a column per run, a row per figure. */
export function summaryTables(
  reports: readonly RunReport[],
): (Table & { readonly paraId: string })[] {
  const tables: (Table & { readonly paraId: string })[] = [];
  const paraIds = [...new Set(reports.flatMap((r) => Object.keys(r.paras)))];
  for (const id of paraIds) {
    const header = [`para ${id}`, ...reports.map((r) => `${printable(r.name)} (${r.generation})`)];
    const rows = ROWS.map(([label, f]) => [
      label,
      ...reports.map((r) => (r.paras[id] ? f(r.paras[id]!, r) : "-")),
    ]);
    const base = reports[0]?.paras[id];
    if (reports.length > 1 && base !== undefined) {
      const against = (pick: (q: SeedTableRatios) => number | null) => (r: RunReport) => {
        const p = r.paras[id];
        return p === undefined ? "-" : timesText(pick(seedTableRatios(p, base)));
      };
      const label = `vs ${printable(reports[0]!.name)}:`;
      rows.push(
        [`${label} parablock rate`, ...reports.map(against((q) => q.parablockRate))],
        [`${label} execution per block`, ...reports.map(against((q) => q.executionTime))],
        [`${label} execution per relay block`, ...reports.map(against((q) => q.computeThroughput))],
      );
    }
    tables.push({ paraId: id, header, rows });
  }
  return tables;
}

/** The lines under the tables: what each run measured, and the footnote of a 0 median. */
export function summaryNotes(reports: readonly RunReport[]): string[] {
  // One line per run: runs side by side may have measured different lengths.
  const notes = reports.map(
    (r) =>
      `measured (${printable(r.name)}): relay blocks ${r.warmupRelayBlocks + 1}..${r.warmupRelayBlocks + r.relayBlocks} ` +
      `(after ${r.warmupRelayBlocks} warm-up blocks), virtual time ${(r.virtualMs / 1000).toFixed(0)} s`,
  );
  for (const r of reports) {
    const line = livenessNote(r);
    if (line !== null) notes.push(line);
  }
  if (
    reports.some((r) =>
      Object.values(r.paras).some((p) => p.blockTimeMs !== null && p.blockTimeMs.p50 === 0),
    )
  ) {
    notes.push(
      "* a median block time of 0: several blocks share one Aura slot (the slot-based collator derives the slot from the relay parent), so their timestamps are equal; the mean and `parablock included every` give the rate",
    );
  }
  if (reports.some((r) => Object.values(r.paras).some((p) => p.included > p.backed))) {
    notes.push(
      "more included than backed: a candidate backed in the last warm-up blocks is included in the measured ones (both count only events inside the measured relay blocks)",
    );
  }
  return notes;
}

/**
 * The faults and liveness of a run on one line, when it had faults or a para stalled: the faults
 * applied (kind and slots), then per para its stalls (relay slots) and how soon it included again
 * after the last fault, and a liveness failure.
 */
export function livenessNote(r: RunReport): string | null {
  const paras = Object.entries(r.liveness);
  if (r.faults.length === 0 && paras.every(([, l]) => l.stalls.length === 0 && l.failure === null))
    return null;
  const faults =
    r.faults.length === 0
      ? "no fault"
      : `${r.faults.length} fault${r.faults.length === 1 ? "" : "s"} (${r.faults
          .map((f) => `${f.kind} ${f.at}..${f.until}`)
          .join(", ")})`;
  const perPara = paras.map(([id, l]) => {
    const stalls =
      l.stalls.length === 0
        ? "no stall"
        : `stalls ${l.stalls.map((s) => `#${s.fromRelayBlock}..#${s.toRelayBlock}`).join(", ")}`;
    const recovered =
      l.recoveredWithinRelayBlocks === null
        ? ""
        : `, included again within ${l.recoveredWithinRelayBlocks} relay blocks`;
    return `para ${id}: ${stalls}${recovered}${l.failure === null ? "" : ` (LIVENESS: ${l.failure})`}`;
  });
  return `faults (${printable(r.name)}): ${faults}; ${perPara.join("; ")}`;
}

/**
 * One table of every para for `--csv`: the para's id, then the figure, then a column per run (a
 * CSV file holds one table).
 */
export function summaryCsvTable(reports: readonly RunReport[]): Table {
  const tables = summaryTables(reports);
  return {
    header: ["para", "figure", ...(tables[0]?.header.slice(1) ?? [])],
    rows: tables.flatMap((t) => t.rows.map((row) => [t.paraId, ...row])),
  };
}

/** A side-by-side summary of one or more runs, per para (text, or Markdown). */
export function formatSummary(
  reports: readonly RunReport[],
  format: Exclude<TableFormat, "csv"> = "text",
): string {
  const out = summaryTables(reports).map((t) => formatTable(t, format));
  const notes = summaryNotes(reports);
  if (notes.length > 0) {
    const item = (n: string) => `- ${n.replace(/^\*/, "\\*")}`;
    out.push(format === "markdown" ? notes.map(item).join("\n") : notes.join("\n"));
  }
  return out.join("\n\n");
}
