/**
 * Reading a zombienet v1 test file (`.zndsl`) line by line, as zombienet's own grammar reads it
 * (paritytech/zombienet `crates/parser/src/zombienet.pest`): the header (`Description:`,
 * `Network:`, `Creds:`), comments, and each `NODE: assertion` or command with its comparison and
 * `within N seconds`. What each line means for a parapipe run (a check, a core assignment, not
 * checked) is decided by `zndsl-checks.ts`; this module only reads.
 *
 * The comparison words are the grammar's, tried in its order: `<=`; `>=`, `is at least`,
 * `at least`; `>`, `is greater than`, `greater than`; `<`, `is lower than`; `==`, `=`, `equals`,
 * `is equal to`, `is`; `!=`. A line the grammar would not accept is kept as `unparsed`.
 */
import type { Op } from "../expectations.ts";

export interface Comparison {
  readonly op: Op;
  readonly value: number;
}

interface At {
  /** 1-based line in the .zndsl. */
  readonly line: number;
  /** The line as written (trimmed). */
  readonly text: string;
}

interface OnNode extends At {
  readonly node: string;
  /** `within N seconds`, or null (zombienet's default: 10 s). */
  readonly withinS: number | null;
}

export type ZndslLine =
  | (OnNode & { readonly kind: "isUp" })
  | (OnNode & { readonly kind: "paraRegistered"; readonly paraId: number })
  | (OnNode & {
      readonly kind: "paraBlockHeight";
      readonly paraId: number;
      readonly cmp: Comparison;
    })
  | (OnNode & { readonly kind: "report"; readonly metric: string; readonly cmp: Comparison })
  | (OnNode & {
      readonly kind: "script";
      /** `js-script`, `ts-script` or `run`. */
      readonly runner: string;
      readonly file: string;
      readonly args: string | null;
      readonly cmp: Comparison | null;
    })
  | (At & { readonly kind: "sleep"; readonly seconds: number })
  /** A line of a kind parapipe cannot measure: what it is, in zombienet's words. */
  | (At & { readonly kind: "other"; readonly node: string | null; readonly what: string })
  | (At & { readonly kind: "unparsed" });

export interface Zndsl {
  readonly description: string | null;
  /** `Network: ./FILE.toml`, as written. */
  readonly network: string | null;
  readonly lines: readonly ZndslLine[];
}

/** The grammar's comparison words, in its order (`op_lte | op_gte | op_gt | op_lt | op_eq | op_ineq`). */
const OPS: readonly (readonly [Op, readonly string[]])[] = [
  ["<=", ["<="]],
  [">=", [">=", "is at least", "at least"]],
  [">", [">", "is greater than", "greater than"]],
  ["<", ["<", "is lower than"]],
  ["==", ["==", "=", "equals", "is equal to", "is"]],
  ["!=", ["!="]],
];

/** A comparison at the start of `s` (`is at least 20 ...`) and what follows it. */
function comparison(s: string): { cmp: Comparison; rest: string } | null {
  for (const [op, words] of OPS) {
    for (const w of words) {
      if (!s.startsWith(w)) continue;
      const m = /^\s*(-?\d+)(.*)$/.exec(s.slice(w.length));
      if (m) return { cmp: { op, value: Number(m[1]) }, rest: m[2]!.trim() };
    }
  }
  return null;
}

/** `within N seconds` (or nothing) ending a line: the seconds, null if absent, undefined if malformed. */
function within(rest: string): number | null | undefined {
  if (rest === "") return null;
  const m = /^within\s+(\d+)\s*(seconds|secs|s)$/.exec(rest);
  return m ? Number(m[1]) : undefined;
}

/** Kinds of line the grammar knows that parapipe cannot measure, by their leading words. */
const OTHER: readonly (readonly [RegExp, string])[] = [
  [/^reports histogram\b/, "a histogram of a node's Prometheus metric"],
  [/^reports\s+\S+\s+(minus|plus|-|\+)\s/, "a sum or difference of two node metrics"],
  [/^log line (contains|matches)\b/, "a node's log lines"],
  [/^count of log lines\b/, "a count of a node's log lines"],
  [/^trace with traceID\b/, "a Jaeger trace"],
  [/^system event (contains|matches)\b/, "a system event's text"],
  [/^parachain \d+ perform (dummy )?upgrade\b/, "a runtime upgrade sent from the test"],
  [/^pause$/, "pausing a node's process"],
  [/^resume$/, "resuming a node's process"],
  [/^restart\b/, "restarting a node's process"],
  [/^(set|remove) (latency|jitter|correlation)\b/, "a chaos setting of the network"],
];

/** One `NODE: ...` form: its pattern and what a match means (null: the line is malformed). */
type Form = readonly [RegExp, (m: RegExpExecArray, at: At, node: string) => ZndslLine | null];

const FORMS: readonly Form[] = [
  [
    /^is up\s*(.*)$/,
    (m, at, node) => {
      const w = within(m[1]!);
      return w === undefined ? null : { ...at, kind: "isUp", node, withinS: w };
    },
  ],
  [
    /^parachain\s+(\d+)\s+is registered\s*(.*)$/,
    (m, at, node) => {
      const w = within(m[2]!);
      return w === undefined
        ? null
        : { ...at, kind: "paraRegistered", node, paraId: Number(m[1]), withinS: w };
    },
  ],
  [
    /^parachain\s+(\d+)\s+block height\s+(.*)$/,
    (m, at, node) => {
      const c = comparison(m[2]!);
      const w = c === null ? undefined : within(c.rest);
      return c === null || w === undefined
        ? null
        : { ...at, kind: "paraBlockHeight", node, paraId: Number(m[1]), cmp: c.cmp, withinS: w };
    },
  ],
  ...OTHER.map(
    ([pattern, what]): Form => [pattern, (_m, at, node) => ({ ...at, kind: "other", node, what })],
  ),
  [
    /^(js-script|ts-script|run)\s+(\S+)\s*(?:with\s+"([^"]*)"\s*)?(.*)$/,
    (m, at, node) => {
      let rest = m[4]!;
      let cmp: Comparison | null = null;
      const r = /^return\s+(.*)$/.exec(rest);
      if (r) {
        const c = comparison(r[1]!);
        if (c === null) return null;
        cmp = c.cmp;
        rest = c.rest;
      }
      const w = within(rest);
      const args = m[3] ?? null;
      return w === undefined
        ? null
        : { ...at, kind: "script", node, runner: m[1]!, file: m[2]!, args, cmp, withinS: w };
    },
  ],
  [
    // The metric: one of the grammar's well-known names, or a name with an optional {label="v"}.
    /^reports\s+(blockheight|block height|best block|finalised height|finalised block|peers count|peers|[A-Za-z0-9_]+(?:\{[A-Za-z0-9_-]+="[^"]*"\})?)\s+(.*)$/,
    (m, at, node) => {
      const c = comparison(m[2]!);
      const w = c === null ? undefined : within(c.rest);
      return c === null || w === undefined
        ? null
        : { ...at, kind: "report", node, metric: m[1]!, cmp: c.cmp, withinS: w };
    },
  ],
];

function parseOnNode(at: At, node: string, body: string): ZndslLine {
  for (const [pattern, read] of FORMS) {
    const m = pattern.exec(body);
    if (m) return read(m, at, node) ?? { ...at, kind: "unparsed" };
  }
  return { ...at, kind: "unparsed" };
}

/** Read a .zndsl file. Never fails: what it cannot read is an `unparsed` line. */
export function parseZndsl(source: string): Zndsl {
  let description: string | null = null;
  let network: string | null = null;
  const lines: ZndslLine[] = [];
  source.split(/\r?\n/).forEach((raw, i) => {
    const text = raw.trim();
    const at: At = { line: i + 1, text };
    if (text === "" || text.startsWith("#") || text.startsWith("//") || /^Creds:/.test(text)) {
      return;
    }
    const header = /^(Description|Network):\s*(.*)$/.exec(text);
    const sleep = /^sleep\s+(\d+)\s*(seconds|secs|s)$/.exec(text);
    const onNode = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(text);
    if (header?.[1] === "Description") description = header[2]!;
    else if (header?.[1] === "Network") network = header[2]!.trim();
    else if (sleep) lines.push({ ...at, kind: "sleep", seconds: Number(sleep[1]) });
    else if (onNode) lines.push(parseOnNode(at, onNode[1]!, onNode[2]!.trim()));
    else lines.push({ ...at, kind: "unparsed" });
  });
  return { description, network, lines };
}
