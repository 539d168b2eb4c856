/**
 * Judging a scenario's `expect:` checks (grammar: `src/config/expectations.ts`, docs/answers.md)
 * against its run report: each is a PASS or FAIL with what was measured.
 */
import { type Expectation, parseExpectation } from "../config/expectations.ts";
import { expectationParas, type Scenario } from "../config/scenario.ts";
import type { RunOutcome } from "./run.ts";
import { holds, judgeTimed } from "./timed-checks.ts";
import type { Timeline } from "./timeline.ts";

/** The run report the checks read (the `run` command's, without its host facts). */
export type CheckedReport = RunOutcome["report"];

export interface Verdict {
  readonly check: string;
  readonly pass: boolean;
  /** What was measured (a number, or a count for a phrase); null when the path had no value. */
  readonly measured: number | null;
  /** Why a check failed without a value, or what the phrase counted. */
  readonly note?: string;
  /** A timed check: when it ended (virtual ms from genesis). */
  readonly atMs?: number;
}

function lookup(root: unknown, path: string): number | null {
  let v: unknown = root;
  for (const key of path.split(".")) {
    if (v === null || typeof v !== "object") return null;
    v = (v as Record<string, unknown>)[key];
  }
  return typeof v === "number" ? v : null;
}

/**
 * Judge a scenario's checks against its run: the timed ones in order on the run's timeline (each
 * from where the previous ended), the others on the report.
 */
export function judgeAll(
  checks: readonly Expectation[],
  report: CheckedReport,
  timeline: Timeline | null,
): Verdict[] {
  let startMs = 0;
  return checks.map((e) => {
    if (e.kind !== "timed" && e.kind !== "registered" && e.kind !== "wait") return judge(e, report);
    if (timeline === null) throw new Error(`${e.text}: a timed check needs the run's timeline`);
    const v = judgeTimed(e, timeline, startMs);
    startMs = v.atMs;
    return v;
  });
}

/** Judge a scenario's `expect:` list (validated when it was resolved) against its run. */
export function judgeScenario(
  scenario: Scenario,
  report: CheckedReport,
  timeline: Timeline | null,
): Verdict[] {
  const checks = scenario.expect.map((text) => {
    const parsed = parseExpectation(text, expectationParas(scenario));
    if (!parsed.ok) throw new Error(`expect: ${parsed.error}`); // resolveScenario refused it
    return parsed.value;
  });
  return judgeAll(checks, report, timeline);
}

/** Judge one untimed check against a run report (a timed one needs `judgeAll`). */
export function judge(e: Expectation, report: CheckedReport): Verdict {
  if (e.kind === "timed" || e.kind === "registered" || e.kind === "wait") {
    throw new Error(`${e.text}: a timed check is judged by judgeAll, on the run's timeline`);
  }
  if (e.kind === "phrase") {
    const count =
      e.phrase === "no forks"
        ? Object.values(report.paras).reduce((n, p) => n + p.authored.forks, 0)
        : e.phrase === "no runtime panics"
          ? report.safety.runtimePanics.length
          : report.safety.violations.length;
    return { check: e.text, pass: count === 0, measured: count };
  }
  const root = e.paraId === null ? report : report.paras[String(e.paraId)];
  const measured = lookup(root, e.path);
  if (measured === null) {
    return { check: e.text, pass: false, measured: null, note: "no value in this run" };
  }
  return { check: e.text, pass: holds(measured, e.op, e.value), measured };
}

/** A verdict without its PASS / FAIL tag: `check (measured x)`. */
export function verdictText(v: Verdict): string {
  const measured = v.measured === null ? (v.note ?? "no value") : `measured ${v.measured}`;
  const at = v.atMs === undefined ? "" : ` at ${(v.atMs / 1000).toFixed(0)} s`;
  const note =
    v.measured !== null && v.note !== undefined && v.atMs !== undefined ? `; ${v.note}` : "";
  return `${v.check} (${measured}${at}${note})`;
}
