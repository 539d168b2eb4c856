/**
 * What a relay block carries for the parachains pallet (`ParachainsInherentData`): signed
 * availability bitfields, backed candidates and disputes. Produced by a validator's provisioner,
 * consumed by the relay runtime's `paras_inherent::enter`.
 *
 * Ref: polkadot/primitives/src/v8/mod.rs (BackedCandidate, InherentData,
 *      UncheckedSignedAvailabilityBitfield), polkadot/runtime/parachains/src/paras_inherent.
 */
import type { CommittedCandidateReceipt, ValidatorIndex } from "./codecs.ts";
import type { AvailabilityBitfield, ValidityAttestation } from "./statements.ts";

/**
 * `BackedCandidate`: the receipt, the backing votes (in the order of the set bits) and the
 * validator-indices bitfield over the backing group, possibly followed by 8 core-index bits
 * (`ElasticScalingMVP` injection, LSB first).
 */
export interface BackedCandidate {
  readonly candidate: CommittedCandidateReceipt;
  readonly validityVotes: readonly ValidityAttestation[];
  readonly validatorIndices: readonly boolean[];
}

/** `UncheckedSignedAvailabilityBitfield`: bit i = the validator holds its chunk for core i. */
export interface SignedAvailabilityBitfield {
  readonly validatorIndex: ValidatorIndex;
  readonly payload: AvailabilityBitfield;
  readonly signature: Uint8Array;
}

/** `ParachainsInherentData` (disputes are not modelled yet: always empty). */
export interface ParachainsInherentData {
  readonly bitfields: readonly SignedAvailabilityBitfield[];
  readonly backedCandidates: readonly BackedCandidate[];
  readonly disputes: readonly never[];
}
