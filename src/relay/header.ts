/**
 * Relay-chain block headers as parapipe models them: the fields nodes read (`RelayHeader`: hash,
 * number, parent hash, state root, BABE slot), with a MODELLED state root and extrinsics root.
 *
 * - `stateRoot` = blake2b-256 of the SCALE encoding of a small digest of the post-state: block
 *   number, parent hash, slot, session index, per para (ascending) its included head, current code
 *   hash and pending-availability chain (candidate hash, core, availability votes counted), and the
 *   claim queue (per core, its paras). Not a trie root: it only has to be deterministic, cheap, and
 *   different for different chains; parachains see it as `relay_parent_storage_root` in their PVD.
 * - `extrinsicsRoot` = blake2b-256 of the SCALE encoding of the accepted paras inherent (the
 *   bitfields' validator indices and bit vectors, the backed candidates' hashes).
 * - `hash` = blake2b-256 of `(parent_hash, Compact(number), state_root, extrinsics_root, slot: u64)`,
 *   Substrate's header layout with the digest reduced to the BABE slot.
 *
 * Invariant: the same post-state, parent and slot always give the same roots and hash.
 *
 * Ref: substrate sp-runtime generic/header.rs (Header fields and hashing), frame_system (parent
 *      hash, block number), sp-consensus-babe (slot in the pre-runtime digest).
 */
import { Bytes, compact, Struct, Tuple, u32, u64, Vector } from "scale-ts";
import { type Hash, ZERO_HASH } from "../lib/hex.ts";
import { candidateHash } from "../primitives/candidate.ts";
import { type BlockNumber, H256, HeadData } from "../primitives/codecs.ts";
import { hashBytes } from "../primitives/hashing.ts";
import type { BackedCandidate, SignedAvailabilityBitfield } from "../primitives/inherent.ts";
import type { RelayHeader } from "../primitives/runtime-api.ts";
import { encodeBitVec } from "../primitives/statements.ts";
import { assignmentParaId } from "./scheduler.ts";
import type { RelayState } from "./state.ts";

const StateDigest = Struct({
  number: u32,
  parentHash: H256,
  slot: u64,
  sessionIndex: u32,
  paras: Vector(Tuple(u32, HeadData, H256, Vector(Tuple(H256, u32, u32)))),
  claimQueue: Vector(Tuple(u32, Vector(u32))),
});

const ExtrinsicsDigest = Struct({
  bitfields: Vector(Tuple(u32, Bytes())),
  backedCandidates: Vector(H256),
});

const HeaderEncoding = Struct({
  parentHash: H256,
  number: compact,
  stateRoot: H256,
  extrinsicsRoot: H256,
  slot: u64,
});

/** The modelled state root of `state` (a post-state) built on `parentHash` in `slot`. */
export function relayStateRoot(state: RelayState, parentHash: Hash, slot: number): Hash {
  const paraIds = [...state.paras.heads.keys()].sort((a, b) => a - b);
  const paras = paraIds.map((id) => {
    const pending = (state.inclusion.pendingAvailability.get(id) ?? []).map(
      (c) =>
        [c.hash, c.core, c.availabilityVotes.filter((v) => v).length] as [Hash, number, number],
    );
    return [
      id,
      state.paras.heads.get(id)!,
      state.paras.currentCodeHash.get(id) ?? ZERO_HASH,
      pending,
    ] as [number, string, Hash, [Hash, number, number][]];
  });
  const cores = [...state.scheduler.claimQueue.keys()].sort((a, b) => a - b);
  const claimQueue = cores.map(
    (core) =>
      [core, state.scheduler.claimQueue.get(core)!.map(assignmentParaId)] as [number, number[]],
  );
  return hashBytes(
    StateDigest.enc({
      number: state.now,
      parentHash,
      slot: BigInt(slot),
      sessionIndex: state.shared.currentSessionIndex,
      paras,
      claimQueue,
    }),
  );
}

/** The modelled extrinsics root of a block carrying these (accepted) bitfields and candidates. */
export function relayExtrinsicsRoot(
  bitfields: readonly Pick<SignedAvailabilityBitfield, "validatorIndex" | "payload">[],
  backedCandidates: readonly BackedCandidate[],
): Hash {
  return hashBytes(
    ExtrinsicsDigest.enc({
      bitfields: bitfields.map((b) => [b.validatorIndex, encodeBitVec(b.payload)]),
      backedCandidates: backedCandidates.map((bc) => candidateHash(bc.candidate)),
    }),
  );
}

/** The header of a block, its hash computed from the other fields (see the module header). */
export function makeRelayHeader(fields: {
  readonly number: BlockNumber;
  readonly parentHash: Hash;
  readonly stateRoot: Hash;
  readonly extrinsicsRoot: Hash;
  readonly slot: number;
}): RelayHeader {
  const hash = hashBytes(
    HeaderEncoding.enc({
      parentHash: fields.parentHash,
      number: fields.number,
      stateRoot: fields.stateRoot,
      extrinsicsRoot: fields.extrinsicsRoot,
      slot: BigInt(fields.slot),
    }),
  );
  return {
    hash,
    number: fields.number,
    parentHash: fields.parentHash,
    stateRoot: fields.stateRoot,
    slot: fields.slot,
  };
}
