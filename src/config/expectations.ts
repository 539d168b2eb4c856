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
 *
 * Timed checks, polled in virtual time as zombienet polls its `.zndsl` assertions
 * (src/report/timed-checks.ts): they run in the list's order, the first from genesis (0 s), each
 * from where the previous one ended:
 *   para ID height OP N within T s                zombienet's `parachain ID block height`
 *   para ID collator K height OP N within T s     a collator's `reports block height`
 *   relay height OP N within T s                  a relay node's `reports block height`
 *   relay finalized height OP N within T s        a relay node's `reports finalised height`
 *                                                 (`substrate_block_height{status="finalized"}`)
 *   para ID registered within T s                 `parachain ID is registered`
 *   wait T s                                      `sleep T seconds`
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
  "availabilityMs.mean",
  "availabilityMs.p95",
  "availability.chunksFetched",
  "availability.bytesMoved",
  "approvalMs.mean",
  "approvalMs.p95",
  "approval.tranchesNeeded.mean",
  "approval.tranchesNeeded.max",
  "approval.noShows",
  "approval.unapproved",
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
  "finality.lagBlocks.mean",
  "finality.lagBlocks.max",
  "finality.lagMs.mean",
  "finality.lagMs.max",
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
  | { readonly kind: "phrase"; readonly text: string; readonly phrase: (typeof PHRASES)[number] }
  | {
      readonly kind: "timed";
      readonly text: string;
      readonly subject: TimedSubject;
      readonly op: Op;
      readonly value: number;
      readonly withinS: number;
    }
  | {
      readonly kind: "registered";
      readonly text: string;
      readonly paraId: number;
      readonly withinS: number;
    }
  | { readonly kind: "wait"; readonly text: string; readonly seconds: number };

/** What a timed check reads. */
export type TimedSubject =
  | { readonly type: "paraHeight"; readonly paraId: number }
  | { readonly type: "collatorHeight"; readonly paraId: number; readonly collator: number }
  | { readonly type: "relayHeight" }
  | { readonly type: "relayFinalizedHeight" };

const oneOf = (list: readonly string[]) => list.join(", ");

const OP_RE = "(<=|>=|==|!=|<|>)";
const PARA_HEIGHT = new RegExp(`^para (\\d+) height ${OP_RE} (\\d+) within (\\d+) s$`);
const COLLATOR_HEIGHT = new RegExp(
  `^para (\\d+) collator (\\d+) height ${OP_RE} (\\d+) within (\\d+) s$`,
);
const RELAY_HEIGHT = new RegExp(`^relay (finalized )?height ${OP_RE} (\\d+) within (\\d+) s$`);
const REGISTERED = /^para (\d+) registered within (\d+) s$/;
const WAIT = /^wait (\d+) s$/;

/** A timed check (`para 2000 height >= 30 within 240 s`, ...), or null when `t` is not one. */
function parseTimed(
  t: string,
  paras: ReadonlyMap<number, number>,
): Result<Expectation, string> | null {
  const unknown = (id: string): Result<Expectation, string> | null =>
    paras.has(Number(id))
      ? null
      : err(
          `expected "para ID ..." with ID one of ${oneOf([...paras.keys()].map(String))}, got ${JSON.stringify(t)}`,
        );
  const timed = (subject: TimedSubject, op: string, value: string, within: string) =>
    ok<Expectation>({
      kind: "timed",
      text: t,
      subject,
      op: op as Op,
      value: Number(value),
      withinS: Number(within),
    });
  const wait = WAIT.exec(t);
  if (wait) return ok({ kind: "wait", text: t, seconds: Number(wait[1]) });
  const registered = REGISTERED.exec(t);
  if (registered) {
    const [, id, within] = registered as unknown as [string, string, string];
    return (
      unknown(id) ??
      ok({ kind: "registered", text: t, paraId: Number(id), withinS: Number(within) })
    );
  }
  const para = PARA_HEIGHT.exec(t);
  if (para) {
    const [, id, op, value, within] = para as unknown as string[];
    return unknown(id!) ?? timed({ type: "paraHeight", paraId: Number(id) }, op!, value!, within!);
  }
  const collator = COLLATOR_HEIGHT.exec(t);
  if (collator) {
    const [, id, k, op, value, within] = collator as unknown as string[];
    const bad = unknown(id!);
    if (bad !== null) return bad;
    const count = paras.get(Number(id))!;
    if (Number(k) >= count) {
      return err(
        `"collator ${k}": para ${id} has ${count} collator${count === 1 ? "" : "s"} (0..${count - 1}), got ${JSON.stringify(t)}`,
      );
    }
    const subject: TimedSubject = {
      type: "collatorHeight",
      paraId: Number(id),
      collator: Number(k),
    };
    return timed(subject, op!, value!, within!);
  }
  const relay = RELAY_HEIGHT.exec(t);
  if (relay) {
    const [, finalized, op, value, within] = relay as unknown as (string | undefined)[];
    const subject: TimedSubject = { type: finalized ? "relayFinalizedHeight" : "relayHeight" };
    return timed(subject, op!, value!, within!);
  }
  if (/\bwithin\b|^wait\b|\bregistered\b/.test(t)) {
    return err(
      `expected a timed check ("para ID height OP N within T s", "para ID collator K height OP N within T s", "relay height OP N within T s", "relay finalized height OP N within T s", "para ID registered within T s" or "wait T s"), got ${JSON.stringify(t)}`,
    );
  }
  return null;
}

/**
 * Parse one check for a scenario whose paras are `paras` (each para id with its number of
 * collators; a list of ids alone when no check names a collator).
 */
export function parseExpectation(
  text: string,
  paras: readonly number[] | ReadonlyMap<number, number>,
): Result<Expectation, string> {
  const t = text.trim().split(/\s+/).join(" ");
  if ((PHRASES as readonly string[]).includes(t)) {
    return ok({ kind: "phrase", text: t, phrase: t as (typeof PHRASES)[number] });
  }
  const collators = Array.isArray(paras)
    ? new Map(paras.map((id) => [id, 1]))
    : (paras as ReadonlyMap<number, number>);
  const paraIds = [...collators.keys()];
  const timed = parseTimed(t, collators);
  if (timed !== null) return timed;
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
