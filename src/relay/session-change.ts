/**
 * A session change: `initializer::apply_new_session`, applied at the END of the block in which
 * pallet_session rotates (the initializer buffers `on_new_session` and applies it "as the last
 * thing" of `on_finalize`, so that block still runs in the old session, and the runtime APIs at it
 * and its child see the new one).
 *
 * What it does, in `apply_new_session`'s order:
 * 1. configuration: no configuration change is ever scheduled in parapipe, so `prev_config` =
 *    `new_config` = the active configuration;
 * 2. shared: the allowed-relay-parents buffer is cleared (no relay parent of the old session is
 *    allowed any more), the session index is recorded, the same validators stay active;
 * 3. paras: no para is onboarded or offboarded (no outgoing paras), no pre-checks pending;
 * 4. scheduler: new validator groups (`max(numCores, n / maxValidatorsPerCore)` contiguous ranges
 *    of the shuffled validators), the claim queue kept (resized to the new core count, topped up),
 *    `SessionStartBlock = now + 1`: group rotation restarts at the next block;
 * 5. inclusion: every candidate pending availability is dropped, with no event (Rust drains
 *    `PendingAvailability`): its core is free in the next block, the para builds on its included
 *    head again;
 * 6. session_info, disputes, dmp, hrmp, coretime: nothing of theirs is modelled that changes.
 *
 * SIMPLIFICATION (the shuffle as a renaming): Polkadot shuffles the active validators with the
 * session's randomness (`shared::initializer_on_new_session`: ChaCha20 over `random_seed`), so a
 * validator's `ValidatorIndex` changes, and the groups are contiguous index ranges. parapipe keeps
 * every validator at its genesis index for the whole run (keys in genesis order) and applies the
 * permutation to the groups instead: group g holds `shuffle[j]` for the positions j Rust's group
 * g holds. The groups are the same sets of validators (by key), in the same order, as Polkadot's
 * with that permutation; only the labels differ, so signatures, bitfields, chunks and
 * fault/adversary targets keep naming a validator by its genesis index. The permutation is the
 * caller's (the simulator draws it from a seeded stream standing in for BABE randomness).
 *
 * Invariants: `shuffle` is a permutation of `0..activeValidators`; after the change
 * `pendingAvailability` is empty and the allowed-relay-parents buffer is empty.
 *
 * Ref: polkadot/runtime/parachains/src/initializer.rs (on_finalize, apply_new_session,
 *      on_new_session), shared.rs (initializer_on_new_session), scheduler.rs
 *      (initializer_on_new_session), inclusion/mod.rs (initializer_on_new_session).
 */
import { assert } from "../lib/assert.ts";
import type { SessionIndex, ValidatorIndex } from "../primitives/codecs.ts";
import { inclusionOnNewSession } from "./inclusion.ts";
import { schedulerOnNewSession } from "./scheduler.ts";
import { sharedOnNewSession } from "./shared.ts";
import { assignmentProvider, type RelayState } from "./state.ts";

/** A session change the block applies at its end. */
export interface SessionChange {
  /** The new session's index (pallet_session's `current_index`). */
  readonly sessionIndex: SessionIndex;
  /** A permutation of `0..activeValidators`: the shuffled order of the session's validators. */
  readonly shuffle: readonly number[];
}

/** Whether `shuffle` is a permutation of `0..n`. */
export function isPermutation(shuffle: readonly number[], n: number): boolean {
  if (shuffle.length !== n) return false;
  const seen = new Uint8Array(n);
  for (const i of shuffle) {
    if (!Number.isInteger(i) || i < 0 || i >= n || seen[i] === 1) return false;
    seen[i] = 1;
  }
  return true;
}

/** `apply_new_session` on the state of the block being executed (`state.now`). See the header. */
export function applyNewSession(state: RelayState, change: SessionChange): void {
  const keys = state.shared.activeValidatorKeys;
  const n = keys.length;
  assert(
    isPermutation(change.shuffle, n),
    () => `session ${change.sessionIndex}: the shuffle is not a permutation of ${n} validators`,
  );
  assert(
    change.sessionIndex > state.shared.currentSessionIndex,
    () =>
      `session ${change.sessionIndex} does not follow session ${state.shared.currentSessionIndex}`,
  );
  const config = state.config;
  const identity = keys.map((_, i) => i);
  sharedOnNewSession(state.shared, change.sessionIndex, [...keys], identity, config.maxValidators);
  schedulerOnNewSession(state.scheduler, n, config, config, state.now, assignmentProvider(state));
  state.scheduler.validatorGroups = renameGroups(state.scheduler.validatorGroups, change.shuffle);
  inclusionOnNewSession(state, []);
}

/** Rust's contiguous groups over shuffled positions, named by the validators' genesis indices. */
export function renameGroups(
  groups: readonly (readonly ValidatorIndex[])[],
  shuffle: readonly number[],
): ValidatorIndex[][] {
  return groups.map((g) => g.map((j) => shuffle[j]!));
}
