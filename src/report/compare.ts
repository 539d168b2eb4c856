/**
 * `parapipe compare`: the seed documents' table (the async backing docs page: "Parablocks
 * included every", "Parablock maximum execution time", "Total Computer Gain (per core)"), with
 * every figure measured from the columns' own run reports, the ratios against the first column,
 * and what a team asks next (block time p95, backed per 15 relay blocks, transactions per second,
 * PoV use, transaction latency under a `txPerSecond` load).
 *
 * Invariants: nothing here is configured except `maxExecutionMs` (`maximumBlockWeightMs`, shown
 * as the configured maximum beside the measured mean); `advantage` is the last column over the
 * first, computed from the same column figures the table prints.
 *
 * JSON: SCENARIO.md "Other commands' JSON" (`columns[]` with `name`, `parablockIntervalMs`,
 * `maxExecutionMs`, `computeMsPerRelayBlock`, `report`; `advantage`), plus `executionMsPerBlock`
 * and `cores` per column.
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

/** One run to compare: its report and how many cores its para had. */
export interface CompareInput {
  readonly report: RunReport;
  readonly cores: number;
}

export interface CompareColumn {
  readonly name: string;
  readonly generation: RunReport["generation"];
  readonly cores: number;
  /** Measured: the seed table's "parablocks included every". */
  readonly parablockIntervalMs: number | null;
  /** Configured: `maximumBlockWeightMs`, the seed table's "parablock maximum execution time". */
  readonly maxExecutionMs: number;
  /** Measured: the mean execution of an included block. */
  readonly executionMsPerBlock: number | null;
  /** Measured: execution included per relay block, per core of the para. */
  readonly computeMsPerRelayBlock: number;
  readonly report: RunReport;
}

/** The seed table's ratios of one column over another. */
export type Advantage = SeedTableRatios;

export interface Comparison {
  readonly paraId: string;
  readonly columns: readonly CompareColumn[];
  /** The last column over the first. */
  readonly advantage: Advantage;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** `column` over `base` for `paraId`: more blocks, more execution per block, more compute per core. */
export function advantageOf(column: CompareColumn, base: CompareColumn, paraId: string): Advantage {
  const a = column.report.paras[paraId];
  const b = base.report.paras[paraId];
  if (a === undefined || b === undefined) {
    return { parablockRate: null, executionTime: null, computeThroughput: null };
  }
  return seedTableRatios(a, b, column.cores, base.cores);
}

/** The comparison of the runs' first para (the para id of the first report). */
export function compareRuns(runs: readonly CompareInput[]): Comparison {
  if (runs.length === 0) throw new Error("compare: no runs");
  const paraId = Object.keys(runs[0]!.report.paras)[0]!;
  const columns = runs.map(({ report, cores }): CompareColumn => {
    const p: ParaReport | undefined = report.paras[paraId];
    return {
      name: report.name,
      generation: report.generation,
      cores,
      parablockIntervalMs: p?.inclusionIntervalMs ?? null,
      maxExecutionMs: p?.maxExecutionMsPerBlock ?? 0,
      executionMsPerBlock: p?.executionMsPerBlock?.mean ?? null,
      computeMsPerRelayBlock: p === undefined ? 0 : round3(p.executionMsPerRelayBlock / cores),
      report,
    };
  });
  return {
    paraId,
    columns,
    advantage: advantageOf(columns[columns.length - 1]!, columns[0]!, paraId),
  };
}

type Row = readonly [label: string, cell: (c: CompareColumn) => string];

function rows(c: Comparison): Row[] {
  const base = c.columns[0]!;
  const para = (col: CompareColumn) => col.report.paras[c.paraId];
  const versus = `vs ${printable(base.name)}`;
  return [
    ["parablocks included every", (col) => secondsText(col.parablockIntervalMs)],
    [
      "parablock maximum execution time: configured / measured",
      (col) => `${millisText(col.maxExecutionMs)} / ${millisText(col.executionMsPerBlock)}`,
    ],
    [
      "compute throughput per core (execution per relay block)",
      (col) => millisText(col.computeMsPerRelayBlock),
    ],
    [
      `${versus}: parablocks included`,
      (col) => timesText(advantageOf(col, base, c.paraId).parablockRate),
    ],
    [
      `${versus}: execution time in a parablock`,
      (col) => timesText(advantageOf(col, base, c.paraId).executionTime),
    ],
    [
      `${versus}: compute throughput per core`,
      (col) => timesText(advantageOf(col, base, c.paraId).computeThroughput),
    ],
    ["block time p95", (col) => secondsText(para(col)?.blockTimeMs?.p95)],
    [
      "backed per 15 relay blocks",
      (col) => {
        const w = para(col)?.backedPer15RelayBlocks;
        return w ? `${w.min}..${w.max}` : "-";
      },
    ],
    ["transactions per second", (col) => (para(col)?.transactionsPerSecond ?? 0).toFixed(1)],
    [
      "PoV size, share of the maximum (mean)",
      (col) => {
        const s = para(col)?.povShareOfMax;
        return s ? `${(s.mean * 100).toFixed(1)} %` : "-";
      },
    ],
    [
      "transaction latency, arrival to inclusion (mean / p95)",
      (col) => {
        const l = para(col)?.txLatencyMs;
        return l ? `${secondsText(l.mean)} / ${secondsText(l.p95)}` : "-";
      },
    ],
  ];
}

/** The comparison's table: a row per figure, a column per run. */
export function comparisonTable(c: Comparison): Table {
  const header = [
    `para ${c.paraId}`,
    ...c.columns.map((col) => `${printable(col.name)} (${col.generation})`),
  ];
  return { header, rows: rows(c).map(([label, cell]) => [label, ...c.columns.map(cell)]) };
}

/** The line under the table: what was measured. */
export function comparisonNote(c: Comparison): string {
  return (
    `measured: seed ${c.columns[0]!.report.seed}, ${c.columns.map((col) => `${printable(col.name)} ${col.report.relayBlocks} relay blocks after ${col.report.warmupRelayBlocks} warm-up`).join("; ")}. ` +
    'Saturating loads show no latency ("-"): every transaction is waiting from the start.'
  );
}

/**
 * The comparison as a plain-text table (units on every number) or as Markdown, with its note;
 * as CSV, the table alone.
 */
export function formatComparison(c: Comparison, format: TableFormat = "text"): string {
  const table = formatTable(comparisonTable(c), format);
  return format === "csv" ? table : [table, "", comparisonNote(c)].join("\n");
}
