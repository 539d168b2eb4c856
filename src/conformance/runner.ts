/**
 * The vector runner (FORMAT.md): one state per vector built from `given`, steps in order, each
 * compared with its `expect`. The verdict of a vector is PASS, FAIL (what differed) or ERROR (the
 * vector cannot be read, names an unknown suite or op, or has a key the format does not know: an
 * error of the vector, never a pass).
 */
import { GENERATIONS, type Generation } from "../config/generation.ts";
import { RuntimePanic } from "../lib/assert.ts";
import { describe, isObject, type Json, Reader, VectorError } from "./json.ts";
import { differences, normalise } from "./match.ts";
import type { Outcome, Suite } from "./suite.ts";

export type Verdict =
  | { readonly status: "pass"; readonly name: string }
  | { readonly status: "fail"; readonly name: string; readonly reason: string }
  | { readonly status: "error"; readonly name: string; readonly reason: string };

type StepResult = Outcome | { readonly kind: "panic"; readonly message: string };

function showOutcome(r: StepResult): string {
  switch (r.kind) {
    case "ok":
      return `ok ${describe(normalise(r.value))}`;
    case "error":
      return `error ${describe(normalise(r.error))}`;
    case "panic":
      return `panic ${JSON.stringify(r.message)}`;
  }
}

/** FORMAT.md "Shape": the keys of a vector, of a step (besides its op's arguments) and of an
 * object expectation, and the generations a vector may pin. */
const VECTOR_KEYS = ["suite", "name", "ref", "generation", "given", "steps"] as const;
const STEP_KEYS = ["op", "expect"] as const;
const EXPECT_KEYS = ["ok", "error", "panic"] as const;

/**
 * Check the form of a step's `expect` (FORMAT.md "Expectations") before anything runs, so that a
 * malformed expectation is an ERROR even after a failing step.
 */
function readExpectation(step: Reader): Json | undefined {
  const expect = step.raw("expect");
  if (expect === undefined || expect === "ok") return expect;
  if (isObject(expect)) {
    const e = new Reader(expect, step.at("expect")).onlyKeys(EXPECT_KEYS);
    const keys = Object.keys(expect);
    if (keys.length !== 1) {
      throw new VectorError(
        `${e.path}: expected exactly one of ${EXPECT_KEYS.join(", ")}, got ${keys.length === 0 ? "{}" : keys.join(", ")}`,
      );
    }
    if (e.has("panic")) e.str("panic");
    return expect;
  }
  if (typeof expect === "string") {
    throw new VectorError(
      `${step.at("expect")}: expected "ok", {"ok": ..}, {"error": ..}, {"panic": ..} or a bare value, got ${describe(expect)}`,
    );
  }
  return expect;
}

/**
 * Compare one step's result with its `expect` (of the form `readExpectation` accepts); returns
 * what differed, or [] on a match.
 */
export function checkExpectation(expect: Json | undefined, result: StepResult): string[] {
  if (expect === undefined) {
    // A setup step: it must succeed.
    return result.kind === "ok" ? [] : [`setup step failed: ${showOutcome(result)}`];
  }
  if (expect === "ok")
    return result.kind === "ok" ? [] : [`expected ok, got ${showOutcome(result)}`];
  if (isObject(expect)) {
    if ("ok" in expect) {
      if (result.kind !== "ok") return [`expected ok, got ${showOutcome(result)}`];
      return differences(expect.ok!, normalise(result.value));
    }
    if ("error" in expect) {
      if (result.kind !== "error")
        return [`expected error ${describe(expect.error)}, got ${showOutcome(result)}`];
      return differences(expect.error!, normalise(result.error)).map((d) => `error ${d}`);
    }
    const text = expect.panic as string;
    if (result.kind !== "panic")
      return [`expected panic containing ${JSON.stringify(text)}, got ${showOutcome(result)}`];
    return result.message.includes(text)
      ? []
      : [
          `expected panic containing ${JSON.stringify(text)}, got panic ${JSON.stringify(result.message)}`,
        ];
  }
  // A bare value (number, boolean, null, array): compared whole with the op's result.
  if (result.kind !== "ok") return [`expected ${describe(expect)}, got ${showOutcome(result)}`];
  return differences(expect, normalise(result.value));
}

interface Step {
  readonly reader: Reader;
  readonly op: string;
  readonly expect: Json | undefined;
}

/** A step's op, keys and expectation, checked against the suite before any step runs. */
function readStep(s: Reader, suite: Suite): Step {
  const op = s.str("op");
  const args = Object.hasOwn(suite.ops, op) ? suite.ops[op] : undefined;
  if (args === undefined) {
    throw new VectorError(
      `${s.at("op")}: unknown op ${JSON.stringify(op)} for suite ${suite.name} (known: ${Object.keys(suite.ops).join(", ")})`,
    );
  }
  s.onlyKeys([...STEP_KEYS, ...args]);
  return { reader: s, op, expect: readExpectation(s) };
}

/**
 * Run one parsed vector against the registered suites. The form of the whole vector (its keys,
 * `given`'s keys, each step's op, keys and expectation) is checked before the first step runs.
 */
export function runVector(
  vector: unknown,
  suites: ReadonlyMap<string, Suite>,
  fallbackName: string,
): Verdict {
  let name = fallbackName;
  try {
    const v = Reader.of(vector, "");
    name = v.has("name") ? v.str("name") : fallbackName;
    v.onlyKeys(VECTOR_KEYS);
    if (v.has("ref")) v.str("ref");
    const generation: Generation = v.has("generation")
      ? v.oneOf("generation", GENERATIONS)
      : "2024";
    const suiteName = v.str("suite");
    const suite = suites.get(suiteName);
    if (!suite) {
      throw new VectorError(
        `suite: unknown suite ${JSON.stringify(suiteName)} (known: ${[...suites.keys()].join(", ")})`,
      );
    }
    const given = v.has("given") ? v.sub("given") : new Reader({}, "given");
    if (suite.givenKeys !== null) given.onlyKeys(suite.givenKeys);
    const steps = v.objs("steps").map((s) => readStep(s, suite));
    if (steps.length === 0) throw new VectorError("steps: a vector needs at least one step");
    const run = suite.init(given, generation);
    for (const [i, { reader, op, expect }] of steps.entries()) {
      let result: StepResult;
      try {
        result = run(op, reader);
      } catch (e) {
        if (e instanceof RuntimePanic) result = { kind: "panic", message: e.message };
        else if (e instanceof VectorError) throw e;
        else {
          return {
            status: "fail",
            name,
            reason: `steps[${i}] (${op}): crashed: ${e instanceof Error ? e.message : String(e)}`,
          };
        }
      }
      const diffs = checkExpectation(expect, result);
      if (diffs.length > 0)
        return { status: "fail", name, reason: `steps[${i}] (${op}): ${diffs.join("; ")}` };
    }
    return { status: "pass", name };
  } catch (e) {
    if (e instanceof VectorError) return { status: "error", name, reason: e.message };
    if (e instanceof RuntimePanic)
      return { status: "fail", name, reason: `given: panicked: ${e.message}` };
    return {
      status: "fail",
      name,
      reason: `crashed: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}
