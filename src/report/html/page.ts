/**
 * The self-contained HTML report of `parapipe run`, `compare` and `upgrade` (`--report
 * FILE.html`, docs/report.md): one file that opens from disk with no network. The summary tables
 * hold the same figures as the text output (the same `Table`s), and the charts are inline SVG
 * drawn when the report is written (`charts.ts`), so the page needs no script at all: it has none.
 * Styles are inline; nothing refers to another file or a URL.
 *
 * Invariants: pure (data in, a string out; the file is written by `src/cli`); deterministic given
 * the reports and series, except the `host` facts (wall time, Node version) in the footer; every
 * text from the run (names, messages) is HTML-escaped.
 */

import { advantageOf, type Comparison, comparisonNote, comparisonTable } from "../compare.ts";
import { type Verdict, verdictText } from "../expect.ts";
import { type RunOutcome, runStatus } from "../run.ts";
import { summaryNotes, summaryTables } from "../summary.ts";
import type { Table } from "../table.ts";
import { millisText, secondsText, timesText } from "../table.ts";
import { type Rehearsal, rehearsalNotes, rehearsalTable } from "../upgrade.ts";
import {
  type Band,
  blockTimeChart,
  type Chart,
  COLOURS,
  type ColumnFigure,
  columnFigureChart,
  phasedBlockTimeChart,
  pipelineChart,
  segmentDepthChart,
} from "./charts.ts";
import type { RunSeries } from "./series.ts";

/** The machine facts of a run (SCENARIO.md `host`): the only thing that differs between runs. */
export interface HostFacts {
  readonly wallMs: number;
  readonly parapipeVersion: string;
  readonly node: string;
  readonly nodeFlags: readonly string[];
}

/** A run as the commands hold it: its report, its host facts, its checks' verdicts. */
export type ReportedRun = RunOutcome["report"] & {
  readonly host?: HostFacts;
  readonly expect?: readonly Verdict[];
};

/** HTML-escaped text. */
export function escapeHtml(s: string): string {
  return s
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const STYLE = `
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: ${COLOURS.text};
  background: #fff; margin: 0; }
main { max-width: 1000px; margin: 0 auto; padding: 16px 20px 40px; }
h1 { font-size: 24px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 32px 0 8px; border-bottom: 2px solid ${COLOURS.grid}; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 22px 0 6px; }
p.lead { margin: 0 0 12px; color: #555; }
nav ul { margin: 4px 0; padding-left: 20px; columns: 2; }
table { border-collapse: collapse; margin: 8px 0 10px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid ${COLOURS.grid}; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; white-space: normal; }
thead th { border-bottom: 2px solid #bbb; background: #f6f6f9; }
tbody tr:hover { background: #f3f0fb; }
.table-wrap { overflow-x: auto; }
ul.notes { padding-left: 20px; margin: 6px 0; color: #444; font-size: 14px; }
ul.notes li { white-space: pre-wrap; }
.pass { color: #1a7f37; font-weight: 600; }
.fail { color: ${COLOURS.stall}; font-weight: 600; }
figure { margin: 10px 0 22px; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 13px; color: #555; margin-top: 2px; }
.row { display: flex; flex-wrap: wrap; gap: 8px 16px; }
.row figure { margin: 4px 0 12px; flex: 0 1 470px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; vertical-align: baseline; }
footer { margin-top: 36px; font-size: 12px; color: #666; border-top: 1px solid ${COLOURS.grid}; padding-top: 8px; }
@media print { nav { display: none; } }
`;

const swatch = (colour: string) => `<span class="swatch" style="background:${colour}"></span>`;

function tableHtml(t: Table): string {
  const cells = (row: readonly string[], tag: "th" | "td") =>
    row.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join("");
  return (
    `<div class="table-wrap"><table><thead><tr>${cells(t.header, "th")}</tr></thead><tbody>` +
    t.rows.map((r) => `<tr>${cells(r, "td")}</tr>`).join("") +
    "</tbody></table></div>"
  );
}

function notesHtml(notes: readonly string[]): string {
  if (notes.length === 0) return "";
  return `<ul class="notes">${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>`;
}

function figureHtml(chart: Chart, caption: string): string {
  return `<figure>${chart.svg}<figcaption>${caption}</figcaption></figure>`;
}

/** A section's anchor from its position (names may be anything). */
const anchor = (run: number, para: number) => `run-${run}-para-${para}`;

/** The status of each run and its checks' verdicts, as `run` prints them. */
function statusHtml(runs: readonly ReportedRun[]): string {
  const items = runs.flatMap((r) => [
    `<li>${escapeHtml(`${r.name}: ${runStatus(r)}`)}</li>`,
    ...(r.expect ?? []).map(
      (v) =>
        `<li><span class="${v.pass ? "pass" : "fail"}">${v.pass ? "PASS" : "FAIL"}</span> ${escapeHtml(`${r.name}: ${verdictText(v)}`)}</li>`,
    ),
  ]);
  return `<ul class="notes">${items.join("")}</ul>`;
}

/** The charts of each run and para: the pipeline, the block times, the unincluded segment. */
function runCharts(series: readonly RunSeries[], bands: readonly Band[] = []): string {
  const out: string[] = [];
  series.forEach((run, i) => {
    run.paras.forEach((para, j) => {
      const key = `r${i}p${j}`;
      const slotS = (run.slotDurationMs / 1000).toFixed(0);
      out.push(
        `<h3 id="${anchor(i, j)}">${escapeHtml(run.name)} (${escapeHtml(run.generation)}): para ${para.paraId}</h3>`,
        figureHtml(
          pipelineChart(run, para, `${key}-pipeline`),
          `The inclusion pipeline of the para blocks authored in relay blocks #${run.window.from}..#${run.window.to}` +
            `${run.window.from === run.firstRelayBlock ? " (the first of the measured range)" : ""}, a row per block of the included chain: ` +
            `${swatch(COLOURS.building)} building (the block's execution, ending when the collator authored it), ` +
            `${swatch(COLOURS.backing)} backing (until the relay block whose CandidateBacked event backed it), ` +
            `${swatch(COLOURS.inclusion)} inclusion (until the relay block whose CandidateIncluded event included it). ` +
            `${swatch(COLOURS.relayBlock)} A vertical line per relay block, one every ${slotS} s.` +
            (para.pipeline.length === 0
              ? " <b>No block authored in these relay blocks was included.</b>"
              : ""),
        ),
        figureHtml(
          blockTimeChart(run, para, `${key}-blocktime`),
          `Block time of each block included in relay blocks #${run.firstRelayBlock}..#${run.lastRelayBlock}: ` +
            "its Aura timestamp minus that of the block included before it (the figures of <q>block time mean</q> and <q>p50 / p95</q>); the dashed line is the mean.",
        ),
        figureHtml(
          segmentDepthChart(run, para, `${key}-segment`, bands),
          "The unincluded segment at the start of each measured relay slot: para blocks already authored and not yet included " +
            "(the figures of <q>unincluded segment mean / max</q>).",
        ),
      );
    });
  });
  return out.join("\n");
}

function navHtml(extra: readonly [string, string][], series: readonly RunSeries[]): string {
  const links = [
    ...extra,
    ...series.flatMap((run, i) =>
      run.paras.map(
        (p, j) =>
          [`#${anchor(i, j)}`, `${run.name} (${run.generation}): para ${p.paraId}`] as const,
      ),
    ),
  ];
  return `<nav><ul>${links.map(([href, text]) => `<li><a href="${href}">${escapeHtml(text)}</a></li>`).join("")}</ul></nav>`;
}

function footerHtml(runs: readonly ReportedRun[]): string {
  const hosts = runs
    .filter((r): r is ReportedRun & { host: HostFacts } => r.host !== undefined)
    .map((r) => {
      const h = r.host;
      const flags = h.nodeFlags.length > 0 ? ` ${h.nodeFlags.join(" ")}` : "";
      return `${escapeHtml(r.name)}: ${(h.wallMs / 1000).toFixed(1)} s wall on Node ${escapeHtml(h.node)}${escapeHtml(flags)}, parapipe ${escapeHtml(h.parapipeVersion)}`;
    });
  return (
    "<footer>Written by parapipe. Everything above comes from the runs' reports and records, " +
    "simulated in virtual time (the same seed gives the same page); the charts were drawn when the file was written. " +
    (hosts.length > 0 ? `Host: ${hosts.join("; ")}.` : "") +
    "</footer>"
  );
}

function page(title: string, lead: string, body: readonly string[]): string {
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    "<main>",
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="lead">${lead}</p>`,
    ...body,
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

const names = (runs: readonly { name: string }[]) => runs.map((r) => r.name).join(", ");

const measuredLead = (runs: readonly ReportedRun[]) =>
  escapeHtml(
    runs
      .map(
        (r) =>
          `${r.name} (${r.generation}): seed ${r.seed}, relay blocks ${r.warmupRelayBlocks + 1}..${r.warmupRelayBlocks + r.relayBlocks}`,
      )
      .join("; "),
  );

/** `parapipe run --report`: the summary, the runs' status, and each run's charts. */
export function runReportHtml(runs: readonly ReportedRun[], series: readonly RunSeries[]): string {
  return page(`parapipe run: ${names(runs)}`, measuredLead(runs), [
    navHtml([["#summary", "Summary"]], series),
    '<h2 id="summary">Summary</h2>',
    ...summaryTables(runs).map(tableHtml),
    notesHtml(summaryNotes(runs)),
    statusHtml(runs),
    '<h2 id="charts">Charts</h2>',
    runCharts(series),
    footerHtml(runs),
  ]);
}

/** `parapipe compare --report`: the seed table measured, as a table and as bars, and each run's charts. */
export function compareReportHtml(
  comparison: Comparison,
  runs: readonly ReportedRun[],
  series: readonly RunSeries[],
): string {
  const cols = comparison.columns;
  const names = cols.map((c) => `${c.name} (${c.generation})`);
  const base = cols[0]!;
  const ratios = cols.map((c) => advantageOf(c, base, comparison.paraId));
  const figures: [ColumnFigure, string][] = [
    [
      {
        title: "Parablocks included every",
        unit: "s",
        series: [
          {
            name: "included every",
            values: cols.map((c) =>
              c.parablockIntervalMs === null ? null : c.parablockIntervalMs / 1000,
            ),
            labels: cols.map((c) => secondsText(c.parablockIntervalMs)),
          },
        ],
      },
      "the measured time over the included blocks (lower: more blocks).",
    ],
    [
      {
        title: "Parablock maximum execution time",
        unit: "ms",
        series: [
          {
            name: "configured maximum",
            values: cols.map((c) => c.maxExecutionMs),
            labels: cols.map((c) => millisText(c.maxExecutionMs)),
          },
          {
            name: "measured mean",
            values: cols.map((c) => c.executionMsPerBlock),
            labels: cols.map((c) => millisText(c.executionMsPerBlock)),
          },
        ],
      },
      "the configured maximum (maximumBlockWeightMs) beside the measured mean execution of an included block.",
    ],
    [
      {
        title: "Compute throughput per core",
        unit: "ms per relay block",
        series: [
          {
            name: "execution per relay block",
            values: cols.map((c) => c.computeMsPerRelayBlock),
            labels: cols.map((c) => millisText(c.computeMsPerRelayBlock)),
          },
        ],
      },
      "execution included per relay block, divided by the para's cores.",
    ],
    [
      {
        title: `Advantage over ${base.name}`,
        unit: "x",
        series: [
          {
            name: "parablocks included",
            values: ratios.map((r) => r.parablockRate),
            labels: ratios.map((r) => timesText(r.parablockRate)),
          },
          {
            name: "execution time in a parablock",
            values: ratios.map((r) => r.executionTime),
            labels: ratios.map((r) => timesText(r.executionTime)),
          },
          {
            name: "compute throughput per core",
            values: ratios.map((r) => r.computeThroughput),
            labels: ratios.map((r) => timesText(r.computeThroughput)),
          },
        ],
      },
      "each column's figures over the first column's (the seed table's 2x, 4x and 8x).",
    ],
  ];
  const bars = figures.map(([f, caption], i) =>
    figureHtml(
      columnFigureChart(names, f, `cmp${i}`),
      `<b>${escapeHtml(f.title)}</b>: ${escapeHtml(caption)}`,
    ),
  );
  return page(`parapipe compare: ${names.join(" vs ")}`, measuredLead(runs), [
    navHtml(
      [
        ["#table", "The async backing table, measured"],
        ["#bars", "The table's figures as bars"],
      ],
      series,
    ),
    `<h2 id="table">The async backing table, measured: para ${escapeHtml(comparison.paraId)}</h2>`,
    tableHtml(comparisonTable(comparison)),
    notesHtml([comparisonNote(comparison)]),
    statusHtml(runs),
    '<h2 id="bars">The table\'s figures as bars</h2>',
    `<div class="row">${bars.join("")}</div>`,
    '<h2 id="charts">Charts</h2>',
    runCharts(series),
    footerHtml(runs),
  ]);
}

/** `parapipe upgrade --report`: the phases table, the block time with the phases marked, the run's charts. */
export function upgradeReportHtml(
  rehearsal: Rehearsal,
  run: ReportedRun,
  series: RunSeries,
): string {
  const bands: Band[] = [
    ...rehearsal.phases
      .filter((p) => p.fromRelayBlock !== null && p.fromRelayBlock <= p.toRelayBlock)
      .map((p) => ({
        name: p.name,
        from: p.fromRelayBlock!,
        to: p.toRelayBlock,
        kind: "phase" as const,
      })),
    ...rehearsal.stalls.map((s) => ({
      name: "stall",
      from: s.fromRelayBlock,
      to: s.toRelayBlock,
      kind: "stall" as const,
    })),
  ];
  const para = series.paras.find((p) => p.paraId === rehearsal.paraId) ?? series.paras[0];
  const phased =
    para === undefined
      ? ""
      : figureHtml(
          phasedBlockTimeChart(series, para, bands, "upgrade-blocktime"),
          `Block time of each included block of para ${rehearsal.paraId}, at the relay block that included it; ` +
            "the bands are the phases from the relay block where each took effect (a runtime upgrade: where the relay chain enacted it)" +
            (rehearsal.stalls.length > 0 ? ", the red ones the stalls" : "") +
            ".",
        );
  const only = { ...series, paras: para === undefined ? [] : [para] };
  return page(`parapipe upgrade: ${run.name}`, measuredLead([run]), [
    navHtml(
      [
        ["#phases", "Phases"],
        ["#block-time", "Block time through the phases"],
      ],
      [only],
    ),
    '<h2 id="phases">Phases</h2>',
    tableHtml(rehearsalTable(rehearsal)),
    notesHtml(rehearsalNotes(rehearsal)),
    statusHtml([run]),
    '<h2 id="block-time">Block time through the phases</h2>',
    phased,
    '<h2 id="charts">Charts</h2>',
    runCharts([only], bands),
    footerHtml([run]),
  ]);
}
