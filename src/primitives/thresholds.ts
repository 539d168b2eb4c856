/**
 * Vote thresholds of the inclusion pipeline.
 *
 * - `byzantineThreshold(n)` / `supermajorityThreshold(n)`: the runtime's rule; a candidate is
 *   available once `availabilityThreshold(n)` = `n - floor((n - 1) / 3)` validators (strictly more
 *   than 2/3 of all validators) have its chunk.
 * - `effectiveMinimumBackingVotes(groupLen, configured)`: `min(groupLen, configured)`.
 * - `bitfieldsIndicateAvailability(ones, n)`: the provisioner's own rule `3 * ones >= 2 * n`, which
 *   differs from the runtime's for some n (n = 3: node 2, runtime 3; n = 6: node 4, runtime 5).
 *   The runtime is authoritative; the node uses this only to guess which cores free up.
 *
 * Invariant: all inputs are non-negative integers; Rust's `usize` saturating subtraction is kept
 * (`byzantineThreshold(0) = 0`).
 *
 * Ref: polkadot/primitives/src/v8/mod.rs (byzantine_threshold, supermajority_threshold,
 *      effective_minimum_backing_votes), polkadot/runtime/parachains/src/inclusion/mod.rs
 *      (availability_threshold), polkadot/node/core/provisioner/src/lib.rs
 *      (bitfields_indicate_availability).
 */

/** `byzantine_threshold`: the maximum number of faulty validators tolerated, `(n - 1) / 3`. */
export function byzantineThreshold(n: number): number {
  return Math.floor(Math.max(n - 1, 0) / 3);
}

/** `supermajority_threshold`: `n - byzantine_threshold(n)`, strictly more than 2/3 of n. */
export function supermajorityThreshold(n: number): number {
  return n - byzantineThreshold(n);
}

/** `availability_threshold` of the inclusion pallet: the supermajority of all validators. */
export function availabilityThreshold(nValidators: number): number {
  return supermajorityThreshold(nValidators);
}

/** `effective_minimum_backing_votes`: a small group needs all its members, at most `configured`. */
export function effectiveMinimumBackingVotes(groupLen: number, configured: number): number {
  return Math.min(groupLen, configured);
}

/** The provisioner's availability rule: `3 * availableCount >= 2 * nValidators`. */
export function bitfieldsIndicateAvailability(
  availableCount: number,
  nValidators: number,
): boolean {
  return 3 * availableCount >= 2 * nValidators;
}
