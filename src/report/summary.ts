/**
 * The human-readable summary of run reports: one column per run, one row per figure, units
 * on every number. Plain text (no terminal codes), so it renders the same in a terminal, a file
 * and the browser.
 */
import type { ParaReport, RunReport } from "./run-report.ts";
import { type SeedTableRatios, seedTableRatios } from "./seed-table.ts";
import { printable, textTable } from "./table.ts";

type Row = readonly [label: string, value: (p: ParaReport, r: RunReport) => string];

const ms = (x: number | null | undefined): string =>
  x === null || x === undefined ? "-" : `${(x / 1000).toFixed(2)} s`;
const msPlain = (x: number | null | undefined): string =>
  x === null || x === undefined ? "-" : `${Math.round(x)} ms`;

const ROWS: readonly Row[] = [
  ["backed candidates", (p) => String(p.backed)],
  ["included candidates", (p) => String(p.included)],
  ["timed out", (p) => String(p.timedOut)],
  ["parablock included every", (p) => ms(p.inclusionIntervalMs)],
  ["block time mean", (p) => ms(p.blockTimeMs?.mean)],
  [
    "block time p50 / p95",
    (p) =>
      p.blockTimeMs
        ? `${ms(p.blockTimeMs.p50)}${p.blockTimeMs.p50 === 0 ? "*" : ""} / ${ms(p.blockTimeMs.p95)}`
        : "-",
  ],
  [
    "execution per block (measured / max)",
    (p) => `${msPlain(p.executionMsPerBlock?.mean)} / ${msPlain(p.maxExecutionMsPerBlock)}`,
  ],
  ["execution per relay block", (p) => msPlain(p.executionMsPerRelayBlock)],
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

const times = (x: number | null): string => (x === null ? "-" : `${x.toFixed(2)}x`);

/** A side-by-side summary of one or more runs, per para. */
export function formatSummary(reports: readonly RunReport[]): string {
  const out: string[] = [];
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
        return p === undefined ? "-" : times(pick(seedTableRatios(p, base)));
      };
      const label = `vs ${printable(reports[0]!.name)}:`;
      rows.push(
        [`${label} parablock rate`, ...reports.map(against((q) => q.parablockRate))],
        [`${label} execution per block`, ...reports.map(against((q) => q.executionTime))],
        [`${label} execution per relay block`, ...reports.map(against((q) => q.computeThroughput))],
      );
    }
    out.push(textTable(header, rows));
  }
  // One footer line per run: runs side by side may have measured different lengths.
  const footer = reports.map(
    (r) =>
      `measured (${printable(r.name)}): relay blocks ${r.warmupRelayBlocks + 1}..${r.warmupRelayBlocks + r.relayBlocks} ` +
      `(after ${r.warmupRelayBlocks} warm-up blocks), virtual time ${(r.virtualMs / 1000).toFixed(0)} s`,
  );
  if (
    reports.some((r) =>
      Object.values(r.paras).some((p) => p.blockTimeMs !== null && p.blockTimeMs.p50 === 0),
    )
  ) {
    footer.push(
      "* a median block time of 0: several blocks share one Aura slot (the slot-based collator derives the slot from the relay parent), so their timestamps are equal; the mean and `parablock included every` give the rate",
    );
  }
  if (reports.some((r) => Object.values(r.paras).some((p) => p.included > p.backed))) {
    footer.push(
      "more included than backed: a candidate backed in the last warm-up blocks is included in the measured ones (both count only events inside the measured relay blocks)",
    );
  }
  if (footer.length > 0) out.push(footer.join("\n"));
  return out.join("\n\n");
}
