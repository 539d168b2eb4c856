/**
 * What a relay block carries for the parachains pallet (`ParachainsInherentData`): signed
 * availability bitfields, backed candidates and disputes. Produced by a validator's provisioner,
 * consumed by the relay runtime's `paras_inherent::enter`.
 *
 * `BackedCandidate.validatorIndices` is the bitfield over the backing group, possibly followed by
 * 8 core-index bits (`ElasticScalingMVP` injection, LSB first): `newBackedCandidate` builds it as
 * `BackedCandidate::new` does and `validatorIndicesAndCoreIndex` splits it as the runtime does.
 *
 * Ref: polkadot/primitives/src/v9/mod.rs (BackedCandidate::new,
 *      validator_indices_and_core_index, InherentData, UncheckedSignedAvailabilityBitfield),
 *      polkadot/runtime/parachains/src/paras_inherent.
 */
import type { CommittedCandidateReceipt, CoreIndex, ValidatorIndex } from "./codecs.ts";
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

/** The number of bits an injected core index takes (`u8`, LSB first). */
const CORE_INDEX_BITS = 8;

/**
 * `BackedCandidate::new(candidate, votes, validator_indices, core_index)`: with a core index,
 * its 8 bits (LSB first) are appended to the group's validator-indices bitfield.
 */
export function newBackedCandidate(
  candidate: CommittedCandidateReceipt,
  validityVotes: readonly ValidityAttestation[],
  validatorIndices: readonly boolean[],
  coreIndex: CoreIndex | null,
): BackedCandidate {
  const bits = [...validatorIndices];
  if (coreIndex !== null) {
    for (let i = 0; i < CORE_INDEX_BITS; i++) bits.push(((coreIndex >> i) & 1) === 1);
  }
  return { candidate, validityVotes, validatorIndices: bits };
}

/**
 * `validator_indices_and_core_index(core_index_enabled)`: with core indices enabled and more than
 * 8 bits, the last 8 bits (LSB first) are the injected core index.
 */
export function validatorIndicesAndCoreIndex(
  bc: BackedCandidate,
  coreIndexEnabled: boolean,
): { readonly validatorIndices: readonly boolean[]; readonly coreIndex: CoreIndex | null } {
  if (coreIndexEnabled) {
    const offset = Math.max(bc.validatorIndices.length - CORE_INDEX_BITS, 0);
    if (offset > 0) {
      let core = 0;
      for (let i = 0; i < CORE_INDEX_BITS; i++) if (bc.validatorIndices[offset + i]) core |= 1 << i;
      return { validatorIndices: bc.validatorIndices.slice(0, offset), coreIndex: core };
    }
  }
  return { validatorIndices: bc.validatorIndices, coreIndex: null };
}
