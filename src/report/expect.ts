/**
 * Judging a scenario's `expect:` checks (grammar: `src/config/expectations.ts`, docs/answers.md)
 * against its run report: each is a PASS or FAIL with what was measured.
 */
import type { Expectation, Op } from "../config/expectations.ts";
import type { RunOutcome } from "./run.ts";

/** The run report the checks read (the `run` command's, without its host facts). */
export type CheckedReport = RunOutcome["report"];

export interface Verdict {
  readonly check: string;
  readonly pass: boolean;
  /** What was measured (a number, or a count for a phrase); null when the path had no value. */
  readonly measured: number | null;
  /** Why a check failed without a value, or what the phrase counted. */
  readonly note?: string;
}

function lookup(root: unknown, path: string): number | null {
  let v: unknown = root;
  for (const key of path.split(".")) {
    if (v === null || typeof v !== "object") return null;
    v = (v as Record<string, unknown>)[key];
  }
  return typeof v === "number" ? v : null;
}

function holds(a: number, op: Op, b: number): boolean {
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "==":
      return a === b;
    case "!=":
      return a !== b;
  }
}

/** Judge one check against a run report. */
export function judge(e: Expectation, report: CheckedReport): Verdict {
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
  return `${v.check} (${measured})`;
}
