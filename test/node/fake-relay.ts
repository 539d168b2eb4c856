/**
 * Fake relay-chain blocks for node tests: headers, a `RuntimeApi` answering from a plain spec,
 * and candidates (receipt, PVD, PoV) built the way a collator builds them.
 */

import type { PoV } from "../../src/actors/protocol.ts";
import { type Hash, type Hex, repeatByte, toHex, ZERO_HASH } from "../../src/lib/hex.ts";
import { candidateHash as candidateHashOf, pvdHash } from "../../src/primitives/candidate.ts";
import type {
  BlockNumber,
  CandidateHash,
  CommittedCandidateReceipt,
  CoreIndex,
  HeadData,
  ParaId,
  PersistedValidationData,
  ValidatorIndex,
} from "../../src/primitives/codecs.ts";
import { encodeAvailableData } from "../../src/primitives/erasure/encoding.ts";
import type { GroupRotationInfo } from "../../src/primitives/group-rotation.ts";
import { hashBytes, hashHex } from "../../src/primitives/hashing.ts";
import { validatorKeypair } from "../../src/primitives/keys.ts";
import type {
  ApprovalParams,
  BackingConstraints,
  BackingState,
  CoreState,
  RelayHeader,
  RuntimeApi,
} from "../../src/primitives/runtime-api.ts";
import { noneCrypto } from "../../src/primitives/signing.ts";
import type { FakeBlockData } from "./fake-env.ts";

export const CODE_HASH: Hash = repeatByte(0xc0);
export const MAX_POV = 5 * 1024 * 1024;

const keyCache = new Map<number, readonly Hex[]>();
/** The validators' public keys (one shared array per size, as a runtime would return). */
export function validatorKeys(n: number): readonly Hex[] {
  let keys = keyCache.get(n);
  if (keys === undefined) {
    keys = Array.from({ length: n }, (_, i) => toHex(validatorKeypair(noneCrypto, i).publicKey));
    keyCache.set(n, keys);
  }
  return keys;
}

export function header(number: BlockNumber, parentHash: Hash = ZERO_HASH): RelayHeader {
  return {
    hash: repeatByte(0x10 + number),
    number,
    parentHash,
    stateRoot: repeatByte(0x90 + number),
    slot: number,
  };
}

/** A chain of headers 0..count-1 (genesis first). */
export function chain(count: number): RelayHeader[] {
  const out: RelayHeader[] = [];
  for (let n = 0; n < count; n++) out.push(header(n, n === 0 ? ZERO_HASH : out[n - 1]!.hash));
  return out;
}

export function constraints(
  requiredParent: HeadData,
  minRelayParentNumber: BlockNumber,
): BackingConstraints {
  return {
    minRelayParentNumber,
    maxPovSize: MAX_POV,
    maxCodeSize: 1_000_000,
    maxHeadDataSize: 1_000,
    umpRemaining: 10,
    umpRemainingBytes: 10_000,
    maxUmpNumPerCandidate: 10,
    dmpRemainingMessages: [],
    hrmpInbound: { validWatermarks: [] },
    hrmpChannelsOut: new Map(),
    maxHrmpNumPerCandidate: 0,
    requiredParent,
    validationCodeHash: CODE_HASH,
    upgradeRestriction: null,
    futureValidationCode: null,
  };
}

export interface ApiSpec {
  readonly header: RelayHeader;
  readonly nValidators: number;
  readonly groups: readonly (readonly ValidatorIndex[])[];
  readonly rotation?: GroupRotationInfo;
  readonly cores: readonly CoreState[];
  readonly claimQueue: ReadonlyMap<CoreIndex, readonly ParaId[]>;
  readonly backingStates: ReadonlyMap<ParaId, BackingState>;
  readonly maxCandidateDepth?: number;
  readonly allowedAncestryLen?: number;
  readonly minimumBackingVotes?: number;
  readonly elasticScalingMvp?: boolean;
  readonly backingMs?: number;
  readonly session?: number;
}

export function makeApi(spec: ApiSpec): RuntimeApi {
  const rotationInfo = spec.rotation ?? {
    sessionStartBlock: 0,
    groupRotationFrequency: 100,
    now: spec.header.number + 1,
  };
  const groups = { groups: spec.groups, rotationInfo };
  return {
    header: spec.header,
    sessionIndexForChild: () => spec.session ?? 1,
    validators: () => validatorKeys(spec.nValidators),
    validatorGroups: () => groups,
    availabilityCores: () => spec.cores,
    claimQueue: () => spec.claimQueue,
    paraBackingState: (para) => spec.backingStates.get(para) ?? null,
    persistedValidationData: () => null,
    validationCodeHash: () => CODE_HASH,
    validationCodeByHash: () => null,
    upgradeGoAheadSignal: () => null,
    candidatesPendingAvailability: () => [],
    asyncBackingParams: () => ({
      maxCandidateDepth: spec.maxCandidateDepth ?? 3,
      allowedAncestryLen: spec.allowedAncestryLen ?? 2,
    }),
    minimumBackingVotes: () => spec.minimumBackingVotes ?? 2,
    nodeFeatures: () => ({
      enableAssignmentsV2: false,
      elasticScalingMvp: spec.elasticScalingMvp ?? true,
      availabilityChunkMapping: false,
      candidateReceiptV2: true,
    }),
    schedulingLookahead: () => 3,
    executorTimeouts: () => ({ backingMs: spec.backingMs ?? 2500, approvalMs: 15000 }),
    candidateEvents: () => [],
    approvalParams: () => NO_APPROVAL_CHECKING,
  };
}

export interface MadeCandidate {
  readonly receipt: CommittedCandidateReceipt;
  readonly candidateHash: CandidateHash;
  readonly pvd: PersistedValidationData;
  readonly pov: PoV;
  readonly parentHead: HeadData;
}

/** A candidate of `paraId` on `relayParent`, building on `parentHead`, outputting `headData`. */
export function makeCandidate(args: {
  readonly paraId: ParaId;
  readonly relayParent: RelayHeader;
  readonly parentHead: HeadData;
  readonly headData: HeadData;
  readonly cpuUs?: number;
  readonly povBytes?: number;
  readonly newValidationCode?: Uint8Array | null;
  /** The validators the erasure root is computed among (default 4, the fake networks'). */
  readonly nValidators?: number;
}): MadeCandidate {
  const pvd: PersistedValidationData = {
    parentHead: args.parentHead,
    relayParentNumber: args.relayParent.number,
    relayParentStorageRoot: args.relayParent.stateRoot,
    maxPovSize: MAX_POV,
  };
  const blockData: FakeBlockData = {
    headData: args.headData,
    cpuUs: args.cpuUs ?? 500_000,
    newValidationCode: args.newValidationCode ?? null,
  };
  const pov: PoV = {
    hash: hashBytes(new TextEncoder().encode(`pov/${args.headData}`)),
    sizeBytes: args.povBytes ?? 100_000,
    blockData,
  };
  const receipt: CommittedCandidateReceipt = {
    descriptor: {
      kind: "v1",
      paraId: args.paraId,
      relayParent: args.relayParent.hash,
      collator: repeatByte(0x01),
      persistedValidationDataHash: pvdHash(pvd),
      povHash: pov.hash,
      erasureRoot: erasureRootOf(args.nValidators ?? 4, pov, pvd),
      signature: repeatByte(0x02, 64),
      paraHead: hashHex(args.headData),
      validationCodeHash: CODE_HASH,
    },
    commitments: {
      upwardMessages: [],
      horizontalMessages: [],
      newValidationCode: args.newValidationCode ?? null,
      headData: args.headData,
      processedDownwardMessages: 0,
      hrmpWatermark: args.relayParent.number,
    },
  };
  return {
    receipt,
    candidateHash: candidateHashOf(receipt),
    pvd,
    pov,
    parentHead: args.parentHead,
  };
}

/** The real erasure root of a candidate's available data (what an honest collator puts in). */
function erasureRootOf(nValidators: number, pov: PoV, pvd: PersistedValidationData): Hash {
  const e = encodeAvailableData(nValidators, pov, pvd);
  if (!e.ok) throw new Error(`erasure coding: ${e.error.code}`);
  return e.value.root;
}

/** An `Occupied` core holding `candidate`. */
export function occupied(
  candidate: MadeCandidate,
  opts: {
    readonly nValidators: number;
    readonly groupResponsible: number;
    readonly timeOutAt?: number;
    readonly nextUpOnAvailable?: ParaId | null;
    readonly nextUpOnTimeOut?: ParaId | null;
    readonly availability?: readonly boolean[];
  },
): CoreState {
  return {
    kind: "Occupied",
    nextUpOnAvailable: opts.nextUpOnAvailable ?? candidate.receipt.descriptor.paraId,
    occupiedSince: 0,
    timeOutAt: opts.timeOutAt ?? 1_000,
    nextUpOnTimeOut: opts.nextUpOnTimeOut ?? candidate.receipt.descriptor.paraId,
    availability: opts.availability ?? new Array<boolean>(opts.nValidators).fill(false),
    groupResponsible: opts.groupResponsible,
    candidateHash: candidate.candidateHash,
    candidateDescriptor: candidate.receipt.descriptor,
  };
}

/** The `CandidatePendingAvailability` entry of a backing state. */
export function pendingOf(c: MadeCandidate, relayParentNumber: BlockNumber) {
  return {
    candidateHash: c.candidateHash,
    descriptor: c.receipt.descriptor,
    commitments: c.receipt.commitments,
    relayParentNumber,
    maxPovSize: MAX_POV,
  };
}

/** Approval parameters that approve everything at import (`needed_approvals` 0): the fakes'. */
export const NO_APPROVAL_CHECKING: ApprovalParams = {
  nCores: 1,
  neededApprovals: 0,
  relayVrfModuloSamples: 0,
  nDelayTranches: 1,
  zerothDelayTrancheWidth: 0,
  noShowSlots: 1,
  maxApprovalCoalesceCount: 1,
};
