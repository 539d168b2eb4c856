/**
 * Test helpers mirroring fragment_chain/tests.rs (make_constraints, make_committed_candidate,
 * populate_chain_from_previous_storage). Candidate hashes are given explicitly, as in the
 * conformance vectors, so that fork-choice orderings are chosen rather than computed.
 */
import type {
  Constraints,
  RelayChainBlockInfo,
} from "../../../../src/emulator/inclusion-emulator.ts";
import { type Hash, type Hex, repeatByte, ZERO_HASH } from "../../../../src/lib/hex.ts";
import {
  CandidateEntry,
  type CandidateState,
  CandidateStorage,
  persistedValidationDataHash,
} from "../../../../src/node/core/prospective-parachains/candidate-storage.ts";
import { FragmentChain } from "../../../../src/node/core/prospective-parachains/fragment-chain.ts";
import {
  type PendingAvailability,
  Scope,
} from "../../../../src/node/core/prospective-parachains/scope.ts";
import type {
  CommittedCandidateReceipt,
  PersistedValidationData,
} from "../../../../src/primitives/codecs.ts";
import { hashHex } from "../../../../src/primitives/hashing.ts";

export const CODE_HASH = repeatByte(42);

export function makeConstraints(
  minRelayParentNumber: number,
  validWatermarks: number[],
  requiredParent: Hex,
): Constraints {
  return {
    minRelayParentNumber,
    maxPovSize: 1_000_000,
    maxCodeSize: 1_000_000,
    maxHeadDataSize: 1_000_000,
    umpRemaining: 10,
    umpRemainingBytes: 1_000,
    maxUmpNumPerCandidate: 10,
    dmpRemainingMessages: new Array(10).fill(0),
    hrmpInbound: { validWatermarks },
    hrmpChannelsOut: new Map(),
    maxHrmpNumPerCandidate: 0,
    requiredParent,
    validationCodeHash: CODE_HASH,
    upgradeRestriction: null,
    futureValidationCode: null,
  };
}

export interface Committed {
  readonly pvd: PersistedValidationData;
  readonly receipt: CommittedCandidateReceipt;
}

export function makeCommittedCandidate(
  paraId: number,
  relayParent: Hash,
  relayParentNumber: number,
  parentHead: Hex,
  paraHead: Hex,
  hrmpWatermark: number,
  storageRoot: Hash = ZERO_HASH,
): Committed {
  const pvd: PersistedValidationData = {
    parentHead,
    relayParentNumber,
    relayParentStorageRoot: storageRoot,
    maxPovSize: 1_000_000,
  };
  return {
    pvd,
    receipt: {
      descriptor: {
        kind: "v1",
        paraId,
        relayParent,
        collator: repeatByte(0),
        persistedValidationDataHash: persistedValidationDataHash(pvd),
        povHash: repeatByte(1),
        erasureRoot: repeatByte(1),
        signature: repeatByte(0, 64),
        paraHead: hashHex(paraHead),
        validationCodeHash: CODE_HASH,
      },
      commitments: {
        upwardMessages: [],
        horizontalMessages: [],
        newValidationCode: null,
        headData: paraHead,
        processedDownwardMessages: 1,
        hrmpWatermark,
      },
    },
  };
}

/** `CandidateEntry::new(..).unwrap()`. */
export function entry(hash: Hash, c: Committed, state: CandidateState): CandidateEntry {
  const r = CandidateEntry.new(hash, c.receipt, c.pvd, state);
  if (!r.ok) throw new Error(`CandidateEntry.new failed: ${r.error.code}`);
  return r.value;
}

/** `Scope::with_ancestors(..).unwrap()`. */
export function scopeOf(
  relayParent: RelayChainBlockInfo,
  baseConstraints: Constraints,
  pending: PendingAvailability[],
  maxDepth: number,
  ancestors: RelayChainBlockInfo[],
): Scope {
  const r = Scope.withAncestors(relayParent, baseConstraints, pending, maxDepth, ancestors, "2024");
  if (!r.ok) throw new Error(`Scope.withAncestors failed: ${JSON.stringify(r.error)}`);
  return r.value;
}

export function storageOf(...entries: CandidateEntry[]): CandidateStorage {
  const s = new CandidateStorage();
  for (const e of entries) {
    const r = s.addCandidateEntry(e);
    if (!r.ok) throw new Error(`addCandidateEntry failed: ${r.error.code}`);
  }
  return s;
}

/**
 * `populate_chain_from_previous_storage`: `init(scope, empty)` then `populate_from_previous` of a
 * copy whose unconnected storage is `storage` (left untouched). That previous chain has no best
 * chain, so this is `FragmentChain.populate` on a copy of the storage.
 */
export function populateChainFromPreviousStorage(
  scope: Scope,
  storage: CandidateStorage,
): FragmentChain {
  return FragmentChain.populate(scope, storage.clone());
}

export function unconnectedSet(chain: FragmentChain): Set<Hash> {
  return new Set([...chain.unconnected()].map((e) => e.candidateHash));
}
