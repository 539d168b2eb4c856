/**
 * The vector runner (FORMAT.md): one state per vector built from `given`, steps in order, each
 * compared with its `expect`. The verdict of a vector is PASS, FAIL (what differed) or ERROR (the
 * vector cannot be read or names an unknown suite or op: an error of the vector, never a pass).
 */
import { RuntimePanic } from "../lib/assert.ts";
import { describe, isObject, type Json, type JsonObject, Reader, VectorError } from "./json.ts";
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

/** Compare one step's result with its `expect`; returns what differed, or [] on a match. */
export function checkExpectation(expect: Json | undefined, result: StepResult): string[] {
  if (expect === undefined) {
    // A setup step: it must succeed.
    return result.kind === "ok" ? [] : [`setup step failed: ${showOutcome(result)}`];
  }
  if (expect === "ok")
    return result.kind === "ok" ? [] : [`expected ok, got ${showOutcome(result)}`];
  if (isObject(expect) && Object.keys(expect).length === 1) {
    if ("ok" in expect) {
      if (result.kind !== "ok") return [`expected ok, got ${showOutcome(result)}`];
      return differences(expect.ok!, normalise(result.value));
    }
    if ("error" in expect) {
      if (result.kind !== "error")
        return [`expected error ${describe(expect.error)}, got ${showOutcome(result)}`];
      return differences(expect.error!, normalise(result.error)).map((d) => `error ${d}`);
    }
    if ("panic" in expect) {
      const text = expect.panic;
      if (typeof text !== "string")
        throw new VectorError(`expect.panic: expected a string, got ${describe(text)}`);
      if (result.kind !== "panic")
        return [`expected panic containing ${JSON.stringify(text)}, got ${showOutcome(result)}`];
      return result.message.includes(text)
        ? []
        : [
            `expected panic containing ${JSON.stringify(text)}, got panic ${JSON.stringify(result.message)}`,
          ];
    }
  }
  if (isObject(expect) || typeof expect === "string") {
    throw new VectorError(
      `expect: expected "ok", {"ok": ..}, {"error": ..}, {"panic": ..} or a bare value, got ${describe(expect)}`,
    );
  }
  // A bare value (number, boolean, null, array): compared whole with the op's result.
  if (result.kind !== "ok") return [`expected ${describe(expect)}, got ${showOutcome(result)}`];
  return differences(expect, normalise(result.value));
}

/** Run one parsed vector against the registered suites. */
export function runVector(
  vector: unknown,
  suites: ReadonlyMap<string, Suite>,
  fallbackName: string,
): Verdict {
  let name = fallbackName;
  try {
    const v = Reader.of(vector, "");
    name = v.has("name") ? v.str("name") : fallbackName;
    const suiteName = v.str("suite");
    const suite = suites.get(suiteName);
    if (!suite) {
      throw new VectorError(
        `suite: unknown suite ${JSON.stringify(suiteName)} (known: ${[...suites.keys()].join(", ")})`,
      );
    }
    const given = v.has("given") ? v.sub("given") : new Reader({}, "given");
    const steps = v.objs("steps");
    if (steps.length === 0) throw new VectorError("steps: a vector needs at least one step");
    const step = suite.init(given);
    for (const [i, s] of steps.entries()) {
      const op = s.str("op");
      let result: StepResult;
      try {
        result = step(op, s);
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
      const diffs = checkExpectation((s.obj as JsonObject).expect, result);
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
