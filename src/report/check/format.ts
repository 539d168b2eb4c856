/**
 * The human-readable form of a check (`parapipe check` without `--json`): per finding its
 * severity and id, what is wrong, why, the reference, and the evidence (the static rule, or the
 * given and fixed figures side by side with their units), then a closing line. Plain text; the
 * command line hands in the colours.
 */
import type { CheckReport, Finding } from "./check.ts";
import { EVIDENCE_RELAY_BLOCKS, type Metric, type SimulatedEvidence } from "./evidence.ts";
import type { MetricName } from "./rules.ts";

/** Colours for the severity and emphasis (identity by default). */
export interface Paint {
  readonly error: (s: string) => string;
  readonly warning: (s: string) => string;
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
}

const PLAIN: Paint = { error: (s) => s, warning: (s) => s, bold: (s) => s, dim: (s) => s };

const WIDTH = 100;
const INDENT = "    ";

/** What each metric is called and how its value is written. */
const METRICS: Readonly<Record<MetricName, { label: string; show: (x: Metric) => string }>> = {
  blockTimeMsMean: { label: "block time, mean", show: (x) => seconds(x) },
  inclusionIntervalMs: { label: "parablock included every", show: (x) => seconds(x) },
  backedPer15RelayBlocksMin: { label: "backed per 15 relay blocks, min", show: (x) => count(x) },
  executionMsPerBlockMean: { label: "execution per block, mean", show: (x) => millis(x) },
  executionMsPerRelayBlock: { label: "execution per relay block", show: (x) => millis(x) },
  authoredBlocks: { label: "para blocks authored", show: (x) => count(x) },
  forks: { label: "forks", show: (x) => count(x) },
  wastedBlocks: { label: "wasted blocks", show: (x) => count(x) },
  runtimePanics: { label: "runtime panics (whole run)", show: (x) => count(x) },
  firstPanicRelayBlock: {
    label: "first panic, building on relay block",
    show: (x) => (x === null ? "none" : `#${x}`),
  },
  firstPanicMessage: {
    label: "first panic message",
    show: (x) => (x === null ? "none" : JSON.stringify(x)),
  },
};

function seconds(x: Metric): string {
  return typeof x === "number" ? `${(x / 1000).toFixed(2)} s` : "none";
}
function millis(x: Metric): string {
  return typeof x === "number" ? `${Math.round(x)} ms` : "none";
}
function count(x: Metric): string {
  return typeof x === "number" ? String(x) : "none";
}

/** The handover timeline's figures, labelled with their units. */
const COMPUTED: Readonly<Record<string, string>> = {
  collatorKind: "collator",
  gapToNextAuthorMs: "last block start to next author's first block",
  lastBlockAuthoringMs: "last block's authoring time",
  lastBlockBuildMs: "last block built in",
  lastBlockExecutionMs: "last block's execution",
  povKiB: "its PoV",
  transferMs: "its transfer (one link)",
  latencyMs: "latency",
  latencyTakenAs: "latency taken as",
  importMs: "its import",
  importedAfterMs: "imported by the next author after",
  slackMs: "slack (negative: a sibling is built)",
};

/** Word-wraps `text` at `WIDTH` columns, every line starting with `indent`. */
function wrap(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(" ")) {
    if (line.length + word.length + 1 > WIDTH && line.trim() !== "") {
      lines.push(line.trimEnd());
      line = `${indent}  `;
    }
    line += `${word} `;
  }
  lines.push(line.trimEnd());
  return lines;
}

function formatEvidence(e: Finding["evidence"], paint: Paint): string[] {
  if ("rule" in e) return wrap(`rule: ${e.rule}`, "  ");
  return formatSimulated(e, paint);
}

function formatSimulated(e: SimulatedEvidence, paint: Paint): string[] {
  const s = e.simulation;
  const fix = Object.entries(e.fix)
    .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
    .join(", ");
  const out = [
    ...wrap(`evidence: para ${e.paraId} simulated as given and with the fix ${fix}`, "  "),
    ...wrap(
      paint.dim(
        `(seed ${s.seed}; ${s.relayBlocks} measured relay blocks, at most ${EVIDENCE_RELAY_BLOCKS} in a check, ${Math.floor(s.relayBlocks / 15)} windows of 15; ${s.warmupRelayBlocks} warm-up; generation ${s.generation} unless the fix sets it; crypto none, which gives the same trace)`,
      ),
      INDENT,
    ),
  ];
  const rows = Object.keys(e.given) as MetricName[];
  // The panic message goes on lines of its own: it sets no column width.
  const columns = rows.filter((m) => m !== "firstPanicMessage");
  const labelWidth = Math.max(...columns.map((m) => METRICS[m].label.length));
  const givenWidth = Math.max(...columns.map((m) => METRICS[m].show(e.given[m] ?? null).length));
  out.push(
    paint.dim(`${INDENT}${"".padEnd(labelWidth)}  ${"given".padStart(givenWidth)}    fixed`),
  );
  for (const m of rows) {
    const given = METRICS[m].show(e.given[m] ?? null);
    const fixed = METRICS[m].show(e.fixed[m] ?? null);
    if (m === "firstPanicMessage") {
      out.push(
        `${INDENT}${METRICS[m].label}:`,
        `${INDENT}  given: ${given}`,
        `${INDENT}  fixed: ${fixed}`,
      );
      continue;
    }
    out.push(
      `${INDENT}${METRICS[m].label.padEnd(labelWidth)}  ${given.padStart(givenWidth)} -> ${fixed}`,
    );
  }
  if (e.computed !== undefined) {
    for (const [which, figures] of Object.entries(e.computed)) {
      out.push(`  computed from the configuration (${which}):`);
      for (const [k, v] of Object.entries(figures)) {
        const unit = k.endsWith("Ms") ? " ms" : k.endsWith("KiB") ? " KiB" : "";
        out.push(`${INDENT}${(COMPUTED[k] ?? k).padEnd(46)} ${v}${unit}`);
      }
    }
  }
  const same = rows.every((m) => e.given[m] === e.fixed[m]);
  if (same) out.push(`${INDENT}(no measured difference in these figures)`);
  return out;
}

/** The check of `target` (a file or `preset NAME`) as text, with a closing line. */
export function formatCheck(
  target: string,
  generation: string,
  report: CheckReport,
  paint: Paint = PLAIN,
): string {
  const out: string[] = [];
  for (const f of report.findings) {
    const severity = f.severity === "error" ? paint.error("error") : paint.warning("warning");
    out.push(`${severity} ${paint.bold(f.id)}`);
    out.push(...wrap(f.message, "  "));
    out.push(...wrap(`why: ${f.why}`, "  "));
    out.push(...wrap(`reference: ${f.reference}`, "  "));
    out.push(...formatEvidence(f.evidence, paint));
    out.push("");
  }
  const errors = report.findings.filter((f) => f.severity === "error").length;
  const warnings = report.findings.length - errors;
  out.push(
    report.findings.length === 0
      ? `${target} (generation ${generation}): no findings`
      : `${target} (generation ${generation}): ${report.findings.length} finding${report.findings.length === 1 ? "" : "s"}, ${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`,
  );
  return out.join("\n");
}
