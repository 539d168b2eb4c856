/**
 * Assertions. Two kinds of failure exist in parapipe (STYLE.md rule 5):
 * - `RuntimePanic`: a Rust `panic!`/`assert!`/`expect` that aborts a block in polkadot-sdk (the
 *   parachain runtime's capacity check, the consensus hook's velocity check, ...). It is protocol
 *   behaviour: the block is invalid. Callers that model block import catch it.
 * - `InvariantError` (via `assert`): a bug in parapipe. Never caught on purpose.
 */

export class RuntimePanic extends Error {
  override readonly name = "RuntimePanic";
}

export class InvariantError extends Error {
  override readonly name = "InvariantError";
}

/** A broken invariant of parapipe itself: crash loudly. */
export function assert(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) {
    throw new InvariantError(typeof message === "string" ? message : message());
  }
}

/** Rust's `panic!`: aborts the block being executed. */
export function panic(message: string): never {
  throw new RuntimePanic(message);
}

/** Rust's `assert!` inside a runtime: a failed check panics the block. */
export function ensure(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) panic(typeof message === "string" ? message : message());
}

/** For exhaustive switches over string unions. */
export function assertNever(value: never, what = "value"): never {
  throw new InvariantError(`unexpected ${what}: ${JSON.stringify(value)}`);
}
