/**
 * The language of a scenario's `expect:` checks (and `--expect`), which gate CI as zombienet's
 * `.zndsl` assertions do (docs/answers.md); `src/report/expect.ts` judges them against a run.
 *
 * Grammar (whitespace-separated):
 *   para ID PATH OP NUMBER   PATH a dotted path into `paras[ID]` of the run report
 *   PATH OP NUMBER           a top-level numeric key of the report (e.g. `safety.coreConflictDrops`)
 *   no forks | no runtime panics | no safety violations
 * OP is one of `<`, `<=`, `>`, `>=`, `==`, `!=`. An unknown para, path or operator is bad input
 * (refused before anything runs); a known path without a value in a run (no block included, say)
 * fails the check, naming why.
 */
import { err, ok, type Result } from "../lib/result.ts";

export const OPS = ["<", "<=", ">", ">=", "==", "!="] as const;
export type Op = (typeof OPS)[number];

/** The numeric paths of `paras[ID]` a check may name. */
export const PARA_PATHS = [
  "backed",
  "included",
  "timedOut",
  "blockTimeMs.mean",
  "blockTimeMs.p50",
  "blockTimeMs.p95",
  "blockTimeMs.max",
  "inclusionIntervalMs",
  "backedPer15RelayBlocks.min",
  "backedPer15RelayBlocks.max",
  "backedPer15RelayBlocks.windows",
  "executionMsPerBlock.mean",
  "executionMsPerRelayBlock",
  "unincludedSegment.mean",
  "unincludedSegment.max",
  "authored.blocks",
  "authored.forks",
  "wastedBlocks",
  "maxExecutionMsPerBlock",
  "transactionsPerSecond",
  "povShareOfMax.mean",
  "povShareOfMax.max",
  "txLatencyMs.mean",
  "txLatencyMs.p95",
] as const;

/** The numeric top-level paths a check may name. */
export const REPORT_PATHS = [
  "seed",
  "relayBlocks",
  "warmupRelayBlocks",
  "virtualMs",
  "safety.availabilityEdgeDrops",
  "safety.coreConflictDrops",
] as const;

export const PHRASES = ["no forks", "no runtime panics", "no safety violations"] as const;

export type Expectation =
  | {
      readonly kind: "compare";
      readonly text: string;
      readonly paraId: number | null;
      readonly path: string;
      readonly op: Op;
      readonly value: number;
    }
  | { readonly kind: "phrase"; readonly text: string; readonly phrase: (typeof PHRASES)[number] };

const oneOf = (list: readonly string[]) => list.join(", ");

/** Parse one check for a scenario whose paras are `paraIds`. */
export function parseExpectation(
  text: string,
  paraIds: readonly number[],
): Result<Expectation, string> {
  const t = text.trim().split(/\s+/).join(" ");
  if ((PHRASES as readonly string[]).includes(t)) {
    return ok({ kind: "phrase", text: t, phrase: t as (typeof PHRASES)[number] });
  }
  const words = t.split(" ");
  let paraId: number | null = null;
  let rest = words;
  if (words[0] === "para") {
    const id = Number(words[1]);
    if (!/^\d+$/.test(words[1] ?? "") || !paraIds.includes(id)) {
      return err(
        `expected "para ID ..." with ID one of ${oneOf(paraIds.map(String))}, got ${JSON.stringify(t)}`,
      );
    }
    paraId = id;
    rest = words.slice(2);
  }
  const [path, op, num, ...extra] = rest;
  const paths: readonly string[] = paraId === null ? REPORT_PATHS : PARA_PATHS;
  if (path === undefined || op === undefined || num === undefined || extra.length > 0) {
    return err(
      `expected "para ID PATH OP NUMBER", "PATH OP NUMBER" or one of ${oneOf(PHRASES.map((p) => `"${p}"`))}, got ${JSON.stringify(t)}`,
    );
  }
  if (!paths.includes(path)) {
    return err(
      `${JSON.stringify(path)}: unknown ${paraId === null ? "report" : "para"} path (known: ${oneOf(paths)})`,
    );
  }
  if (!(OPS as readonly string[]).includes(op)) {
    return err(`${JSON.stringify(op)}: expected an operator, one of ${oneOf(OPS)}`);
  }
  const value = Number(num);
  if (num.trim() === "" || !Number.isFinite(value)) {
    return err(`${JSON.stringify(num)}: expected a number`);
  }
  return ok({ kind: "compare", text: t, paraId, path, op: op as Op, value });
}
