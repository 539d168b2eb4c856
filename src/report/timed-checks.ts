/**
 * Judging the timed checks (`para 2000 height >= 30 within 240 s`, ...; grammar in
 * src/config/expectations.ts) as zombienet v1 polls its `.zndsl` assertions, in virtual time:
 * the checks run in order, the first from genesis (0 s), each from where the previous one ended.
 *
 * The polls are zombienet's (paritytech/zombienet `javascript/packages/orchestrator/src/
 * networkNode.ts`):
 * - `parachain ID block height` (`parachainBlockHeight`): sleeps 2 s, then reads the para's head,
 *   while the value read is below the target (whatever the comparison), until the window ends;
 *   then compares the last value read (0 if none) with the comparison;
 * - `reports METRIC` (`getMetric`; a relay node's best or finalized height, a collator's height):
 *   reads at once, then every 1 s until the comparison holds or the window ends; at the end of
 *   the window it fails;
 * - `parachain ID is registered` (`parachainIsRegistered`): sleeps 2 s, then reads, every 2 s;
 * - `sleep`: waits.
 *
 * One difference, on purpose: zombienet's read at the window's last instant races the window's
 * timer, and any RPC latency makes the timer win, so `is lower than 25 within 2 seconds` reads
 * nothing and compares 0 (it always passes). parapipe answers a read in zero virtual time, so a
 * read at the deadline counts and the check measures what its line says. Not modelled: the
 * network's spawn time (the checks start at genesis: real runs give the chain a head start).
 */
import type { Expectation, Op } from "../config/expectations.ts";
import { assertNever } from "../lib/assert.ts";
import type { Timeline } from "./timeline.ts";

export type TimedExpectation = Extract<Expectation, { kind: "timed" | "registered" | "wait" }>;

export interface TimedVerdict {
  readonly check: string;
  readonly pass: boolean;
  /** The last value read; null when nothing was read (the verdict's note says why). */
  readonly measured: number | null;
  /** When the check ended (virtual ms from genesis): the next one starts there. */
  readonly atMs: number;
  readonly note?: string;
}

export function holds(a: number, op: Op, b: number): boolean {
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

const PARA_POLL_MS = 2000;
const METRIC_POLL_MS = 1000;

/** A check the run ended too early to decide. */
function undecided(e: TimedExpectation, t: Timeline, measured: number | null): TimedVerdict {
  return {
    check: e.text,
    pass: false,
    measured,
    atMs: t.endMs,
    note: `the run ended at ${(t.endMs / 1000).toFixed(0)} s, before this check was decided (give more --relay-blocks)`,
  };
}

/** Judge one timed check starting at `startMs`. */
export function judgeTimed(e: TimedExpectation, t: Timeline, startMs: number): TimedVerdict {
  if (e.kind === "wait") {
    const atMs = startMs + e.seconds * 1000;
    return atMs > t.endMs
      ? undecided(e, t, null)
      : { check: e.text, pass: true, measured: null, atMs, note: "done" };
  }
  const deadline = startMs + e.withinS * 1000;
  if (e.kind === "registered") {
    // Every para of a scenario is registered at genesis: the first read (2 s in) finds it.
    const at = startMs + PARA_POLL_MS;
    if (at > deadline) {
      return {
        check: e.text,
        pass: false,
        measured: null,
        atMs: deadline,
        note: "no read within the window (the first comes 2 s in)",
      };
    }
    return at > t.endMs
      ? undecided(e, t, null)
      : { check: e.text, pass: true, measured: null, atMs: at, note: "registered" };
  }
  const s = e.subject;
  const read = (ms: number): number => {
    switch (s.type) {
      case "relayHeight":
        return t.relayHeightAt(ms);
      case "relayFinalizedHeight":
        return t.relayFinalizedHeightAt(ms);
      case "paraHeight":
        return t.paraHeightAt(s.paraId, ms);
      case "collatorHeight":
        return t.collatorHeightAt(s.paraId, s.collator, ms);
      default:
        return assertNever(s);
    }
  };
  if (s.type === "paraHeight") {
    let value: number | null = null;
    let at = startMs;
    while ((value ?? 0) < e.value) {
      if (at + PARA_POLL_MS > deadline) {
        at = deadline;
        break;
      }
      at += PARA_POLL_MS;
      if (at > t.endMs) return undecided(e, t, value);
      value = read(at);
    }
    const pass = holds(value ?? 0, e.op, e.value);
    return value === null
      ? {
          check: e.text,
          pass,
          measured: null,
          atMs: at,
          note: "no read within the window (the first comes 2 s in): zombienet compares 0",
        }
      : { check: e.text, pass, measured: value, atMs: at };
  }
  let at = startMs;
  if (at > t.endMs) return undecided(e, t, null);
  let value = read(at);
  while (!holds(value, e.op, e.value)) {
    if (at + METRIC_POLL_MS > deadline) {
      return { check: e.text, pass: false, measured: value, atMs: deadline };
    }
    at += METRIC_POLL_MS;
    if (at > t.endMs) return undecided(e, t, value);
    value = read(at);
  }
  return { check: e.text, pass: true, measured: value, atMs: at };
}
