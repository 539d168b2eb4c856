/**
 * What a conformance suite is: given the vector's `given`, build ONE state and return the step
 * function that runs each op against it. A step returns the op's outcome (a value or a protocol
 * error); a Rust panic is a thrown `RuntimePanic`; an unknown op or a malformed step is a
 * thrown `VectorError`.
 */
import type { Generation } from "../config/generation.ts";
import type { Result } from "../lib/result.ts";
import type { Reader } from "./json.ts";

export type Outcome =
  | { readonly kind: "ok"; readonly value: unknown }
  | { readonly kind: "error"; readonly error: unknown };

export const okOutcome = (value?: unknown): Outcome => ({ kind: "ok", value });
export const errOutcome = (error: unknown): Outcome => ({ kind: "error", error });

/** From a `Result` of the pure modules to an outcome. */
export function fromResult<T, E>(r: Result<T, E>, map: (value: T) => unknown = (v) => v): Outcome {
  return r.ok ? okOutcome(map(r.value)) : errOutcome(r.error);
}

export type StepFn = (op: string, step: Reader) => Outcome;

/** Each op of a suite and the argument keys its steps may carry besides `op` and `expect`. */
export type OpKeys = Readonly<Record<string, readonly string[]>>;

export interface Suite {
  /** The suite's name in vectors, e.g. "fragment-chain". */
  readonly name: string;
  /**
   * The keys `given` may have, as FORMAT.md fixes them; `null` where FORMAT.md states no `given`
   * for the suite (it reads none, and its keys are not checked).
   */
  readonly givenKeys: readonly string[] | null;
  /** The suite's ops (FORMAT.md's, plus the ones a suite adds): the runner refuses any other op
   * and any other step key. Nested objects with fixed keys are checked where they are read. */
  readonly ops: OpKeys;
  /**
   * Build the state from `given` (a Reader at path "given"); return the step function.
   * `generation` is the vector's (FORMAT.md; `2024` when it names none): the suites whose rules
   * differ by generation (fragment chain) follow it, the others ignore it.
   */
  init(given: Reader, generation: Generation): StepFn;
}

/**
 * A list whose order does not matter (FORMAT.md: "where a suite says a list is a SET"). The
 * matcher compares it to the expected array as a multiset.
 */
export class UnorderedList {
  constructor(readonly items: readonly unknown[]) {}
}
