/**
 * Erasure-coding arithmetic the availability protocol needs before real chunks exist: how many
 * chunks recover the data, and the (modelled) size of one chunk. Real chunks (novelpoly over
 * GF(2^16), the erasure root, Merkle proofs) come with the availability issue; until then a
 * chunk is modelled by its size only.
 *
 * Ref: polkadot/erasure-coding/src/lib.rs (recovery_threshold).
 */

/** `recovery_threshold(n)`: the number of chunks needed to recover the data. */
export function recoveryThreshold(nValidators: number): number {
  return Math.floor(Math.max(nValidators - 1, 0) / 3) + 1;
}

/** The modelled size of one chunk of a PoV of `povSizeBytes` among `nValidators`. */
export function chunkSizeBytes(povSizeBytes: number, nValidators: number): number {
  return Math.ceil(povSizeBytes / recoveryThreshold(nValidators));
}
