/**
 * Reading the shared objects of the prospective-parachains suites (FORMAT.md "Shared objects" and
 * the CandidateSpec of `fragment-chain`): Constraints, ConstraintModifications, commitments, PVD,
 * relay-chain block infos and named candidates; plus the JSON shape of modifications in results.
 * Used by the `inclusion-emulator`, `candidate-storage` and `fragment-chain` suites.
 */
import type {
  ConstraintModifications,
  Constraints,
  HrmpWatermarkUpdate,
  OutboundHrmpChannelLimitations,
  OutboundHrmpChannelModification,
  ProspectiveCandidate,
  RelayChainBlockInfo,
} from "../../emulator/inclusion-emulator.ts";
import { fromHex, type Hash, type Hex, isHex, repeatByte, ZERO_HASH } from "../../lib/hex.ts";
import { persistedValidationDataHash } from "../../node/core/prospective-parachains/candidate-storage.ts";
import type {
  CandidateCommitments,
  CandidateHash,
  CommittedCandidateReceipt,
  ParaId,
  PersistedValidationData,
} from "../../primitives/codecs.ts";
import { hashHex } from "../../primitives/hashing.ts";
import { describe, type Json, Reader, VectorError } from "../json.ts";

// ------------------------------------------------------------------------------------------------
// Shared objects. Their keys are fixed by FORMAT.md: any other key is a vector error.

const RELAY_CHAIN_BLOCK_INFO_KEYS = ["number", "hash", "storageRoot"] as const;
const CONSTRAINTS_KEYS = [
  "minRelayParentNumber",
  "maxPovSize",
  "maxCodeSize",
  "maxHeadDataSize",
  "umpRemaining",
  "umpRemainingBytes",
  "maxUmpNumPerCandidate",
  "dmpRemainingMessages",
  "hrmpInbound",
  "hrmpChannelsOut",
  "maxHrmpNumPerCandidate",
  "requiredParent",
  "validationCodeHash",
  "upgradeRestriction",
  "futureValidationCode",
] as const;
const MODIFICATIONS_KEYS = [
  "requiredParent",
  "hrmpWatermark",
  "outboundHrmp",
  "umpMessagesSent",
  "umpBytesSent",
  "dmpMessagesProcessed",
  "codeUpgradeApplied",
] as const;
export const PERSISTED_VALIDATION_DATA_KEYS = [
  "parentHead",
  "relayParentNumber",
  "relayParentStorageRoot",
  "maxPovSize",
] as const;
export const COMMITMENTS_KEYS = [
  "upwardMessages",
  "horizontalMessages",
  "newValidationCode",
  "headData",
  "processedDownwardMessages",
  "hrmpWatermark",
] as const;
export const HORIZONTAL_MESSAGE_KEYS = ["recipient", "data"] as const;
const PROSPECTIVE_CANDIDATE_KEYS = [
  "commitments",
  "persistedValidationData",
  "povHash",
  "validationCodeHash",
] as const;
/** CandidateSpec (fragment-chain): the required keys, then the optional overrides. */
const CANDIDATE_SPEC_KEYS = [
  "candidateHash",
  "paraId",
  "relayParent",
  "relayParentNumber",
  "parentHead",
  "head",
  "hrmpWatermark",
  "state",
  "relayParentStorageRoot",
  "maxPovSize",
  "validationCodeHash",
  "processedDownwardMessages",
  "upwardMessages",
  "horizontalMessages",
  "newValidationCode",
  "persistedValidationData",
] as const;

function asHash(value: unknown, path: string): Hash {
  if (!isHex(value, 32)) {
    throw new VectorError(`${path}: expected a 32-byte 0x-hex hash, got ${describe(value)}`);
  }
  return value.toLowerCase();
}

export function readRelayChainBlockInfo(r: Reader): RelayChainBlockInfo {
  r.onlyKeys(RELAY_CHAIN_BLOCK_INFO_KEYS);
  return { hash: r.hash("hash"), number: r.num("number"), storageRoot: r.hash("storageRoot") };
}

export function readConstraints(r: Reader): Constraints {
  r.onlyKeys(CONSTRAINTS_KEYS);
  const restriction = r.raw("upgradeRestriction");
  if (restriction !== null && restriction !== undefined && restriction !== "Present") {
    r.fail("upgradeRestriction", 'null or "Present"');
  }
  const future = r.optArr("futureValidationCode");
  let futureValidationCode: readonly [number, Hash] | null = null;
  if (future !== null) {
    const [at, hash] = future;
    if (
      future.length !== 2 ||
      typeof at !== "number" ||
      !Number.isSafeInteger(at) ||
      at < 0 ||
      hash === undefined
    ) {
      r.fail("futureValidationCode", "null or [blockNumber, codeHash]");
    }
    futureValidationCode = [at, asHash(hash, r.at("futureValidationCode[1]"))];
  }
  return {
    minRelayParentNumber: r.num("minRelayParentNumber"),
    maxPovSize: r.num("maxPovSize"),
    maxCodeSize: r.num("maxCodeSize"),
    maxHeadDataSize: r.num("maxHeadDataSize"),
    umpRemaining: r.num("umpRemaining"),
    umpRemainingBytes: r.num("umpRemainingBytes"),
    maxUmpNumPerCandidate: r.num("maxUmpNumPerCandidate"),
    dmpRemainingMessages: r.nums("dmpRemainingMessages"),
    hrmpInbound: {
      validWatermarks: r.sub("hrmpInbound").onlyKeys(["validWatermarks"]).nums("validWatermarks"),
    },
    hrmpChannelsOut: r.numKeyed("hrmpChannelsOut", (v, path): OutboundHrmpChannelLimitations => {
      const c = Reader.of(v, path).onlyKeys(["bytesRemaining", "messagesRemaining"]);
      return {
        bytesRemaining: c.num("bytesRemaining"),
        messagesRemaining: c.num("messagesRemaining"),
      };
    }),
    maxHrmpNumPerCandidate: r.num("maxHrmpNumPerCandidate"),
    requiredParent: r.hex("requiredParent"),
    validationCodeHash: r.hash("validationCodeHash"),
    upgradeRestriction: restriction === "Present" ? "Present" : null,
    futureValidationCode,
  };
}

function readWatermark(r: Reader, key: string): HrmpWatermarkUpdate | null {
  const w = r.optObj(key);
  if (w === null) return null;
  const keys = Object.keys(w.obj);
  if (keys.length === 1 && w.has("head")) return { kind: "Head", watermark: w.num("head") };
  if (keys.length === 1 && w.has("trunk")) return { kind: "Trunk", watermark: w.num("trunk") };
  return r.fail(key, 'null, {"head": n} or {"trunk": n}');
}

/** ConstraintModifications; a missing key takes the identity value. */
export function readModifications(r: Reader): ConstraintModifications {
  r.onlyKeys(MODIFICATIONS_KEYS);
  return {
    requiredParent: r.optHex("requiredParent"),
    hrmpWatermark: readWatermark(r, "hrmpWatermark"),
    outboundHrmp: r.has("outboundHrmp")
      ? r.numKeyed("outboundHrmp", (v, path): OutboundHrmpChannelModification => {
          const m = Reader.of(v, path).onlyKeys(["bytesSubmitted", "messagesSubmitted"]);
          return {
            bytesSubmitted: m.num("bytesSubmitted"),
            messagesSubmitted: m.num("messagesSubmitted"),
          };
        })
      : new Map(),
    umpMessagesSent: r.numOr("umpMessagesSent", 0),
    umpBytesSent: r.numOr("umpBytesSent", 0),
    dmpMessagesProcessed: r.numOr("dmpMessagesProcessed", 0),
    codeUpgradeApplied: r.has("codeUpgradeApplied") ? r.bool("codeUpgradeApplied") : false,
  };
}

/** ConstraintModifications as FORMAT.md writes them. */
export function modificationsToJson(m: ConstraintModifications): unknown {
  const wm = m.hrmpWatermark;
  return {
    requiredParent: m.requiredParent,
    hrmpWatermark:
      wm === null ? null : wm.kind === "Head" ? { head: wm.watermark } : { trunk: wm.watermark },
    outboundHrmp: m.outboundHrmp,
    umpMessagesSent: m.umpMessagesSent,
    umpBytesSent: m.umpBytesSent,
    dmpMessagesProcessed: m.dmpMessagesProcessed,
    codeUpgradeApplied: m.codeUpgradeApplied,
  };
}

export function readPersistedValidationData(r: Reader): PersistedValidationData {
  r.onlyKeys(PERSISTED_VALIDATION_DATA_KEYS);
  return {
    parentHead: r.hex("parentHead"),
    relayParentNumber: r.num("relayParentNumber"),
    relayParentStorageRoot: r.hash("relayParentStorageRoot"),
    maxPovSize: r.num("maxPovSize"),
  };
}

function readUpwardMessages(r: Reader, key: string): Uint8Array[] {
  return r.hexes(key).map(fromHex);
}

function readHorizontalMessages(r: Reader, key: string): { recipient: ParaId; data: Uint8Array }[] {
  return r.objs(key).map((m) => {
    m.onlyKeys(HORIZONTAL_MESSAGE_KEYS);
    return { recipient: m.num("recipient"), data: fromHex(m.hex("data")) };
  });
}

function readNewValidationCode(r: Reader, key: string): Uint8Array | null {
  const code = r.optHex(key);
  return code === null ? null : fromHex(code);
}

export function readCommitments(r: Reader): CandidateCommitments {
  r.onlyKeys(COMMITMENTS_KEYS);
  return {
    upwardMessages: readUpwardMessages(r, "upwardMessages"),
    horizontalMessages: readHorizontalMessages(r, "horizontalMessages"),
    newValidationCode: readNewValidationCode(r, "newValidationCode"),
    headData: r.hex("headData"),
    processedDownwardMessages: r.num("processedDownwardMessages"),
    hrmpWatermark: r.num("hrmpWatermark"),
  };
}

export function readProspectiveCandidate(r: Reader): ProspectiveCandidate {
  r.onlyKeys(PROSPECTIVE_CANDIDATE_KEYS);
  return {
    commitments: readCommitments(r.sub("commitments")),
    persistedValidationData: readPersistedValidationData(r.sub("persistedValidationData")),
    povHash: r.hash("povHash"),
    validationCodeHash: r.hash("validationCodeHash"),
  };
}

// ------------------------------------------------------------------------------------------------
// Named candidates (CandidateSpec, after the Rust tests' make_committed_candidate)

export type SpecState = "Seconded" | "Backed";

/** A candidate of a vector: its receipt, the PVD given with it, and its state. */
export interface CandidateSpec {
  readonly name: string;
  readonly candidateHash: CandidateHash;
  readonly receipt: CommittedCandidateReceipt;
  readonly persistedValidationData: PersistedValidationData;
  readonly state: SpecState;
}

const DUMMY_COLLATOR: Hex = `0x${"00".repeat(32)}`;
const DUMMY_SIGNATURE: Hex = `0x${"00".repeat(64)}`;
/** FORMAT.md: CandidateSpec's default `maxPovSize` (make_committed_candidate's), bytes. */
const DEFAULT_MAX_POV_SIZE_BYTES = 1_000_000;
/** FORMAT.md: the default validation code hash is the byte 0x42 repeated. */
const DEFAULT_VALIDATION_CODE_HASH = repeatByte(0x42);

export function readState(r: Reader, key: string): SpecState {
  return r.oneOf(key, ["seconded", "backed"] as const) === "seconded" ? "Seconded" : "Backed";
}

export function readCandidateSpec(name: string, r: Reader): CandidateSpec {
  r.onlyKeys(CANDIDATE_SPEC_KEYS);
  const relayParentNumber = r.num("relayParentNumber");
  const head = r.hex("head");
  const pvd: PersistedValidationData = {
    parentHead: r.hex("parentHead"),
    relayParentNumber,
    relayParentStorageRoot: r.has("relayParentStorageRoot")
      ? r.hash("relayParentStorageRoot")
      : ZERO_HASH,
    maxPovSize: r.numOr("maxPovSize", DEFAULT_MAX_POV_SIZE_BYTES),
  };
  const validationCodeHash = r.has("validationCodeHash")
    ? r.hash("validationCodeHash")
    : DEFAULT_VALIDATION_CODE_HASH;
  const receipt: CommittedCandidateReceipt = {
    descriptor: {
      kind: "v1",
      paraId: r.num("paraId"),
      relayParent: r.hash("relayParent"),
      collator: DUMMY_COLLATOR,
      // The descriptor commits to the spec's own PVD; an override of the PVD given to the entry
      // then no longer matches it.
      persistedValidationDataHash: persistedValidationDataHash(pvd),
      povHash: repeatByte(1),
      erasureRoot: repeatByte(1),
      signature: DUMMY_SIGNATURE,
      paraHead: hashHex(head),
      validationCodeHash,
    },
    commitments: {
      upwardMessages: r.has("upwardMessages") ? readUpwardMessages(r, "upwardMessages") : [],
      horizontalMessages: r.has("horizontalMessages")
        ? readHorizontalMessages(r, "horizontalMessages")
        : [],
      newValidationCode: readNewValidationCode(r, "newValidationCode"),
      headData: head,
      processedDownwardMessages: r.numOr("processedDownwardMessages", 1),
      hrmpWatermark: r.num("hrmpWatermark"),
    },
  };
  return {
    name,
    candidateHash: r.hash("candidateHash"),
    receipt,
    persistedValidationData: r.has("persistedValidationData")
      ? readPersistedValidationData(r.sub("persistedValidationData"))
      : pvd,
    state: readState(r, "state"),
  };
}

/** The named candidates of `given.candidates`, and names by candidate hash. */
export class Candidates {
  private readonly byName = new Map<string, CandidateSpec>();
  private readonly nameByHash = new Map<CandidateHash, string>();

  constructor(given: Reader) {
    if (!given.has("candidates")) return;
    const r = given.sub("candidates");
    for (const name of Object.keys(r.obj)) {
      const spec = readCandidateSpec(name, r.sub(name));
      this.byName.set(name, spec);
      if (!this.nameByHash.has(spec.candidateHash)) this.nameByHash.set(spec.candidateHash, name);
    }
  }

  /** The candidate named at `step[key]`. */
  get(step: Reader, key: string): CandidateSpec {
    return this.named(step.str(key), step.at(key));
  }

  named(name: string, path: string): CandidateSpec {
    const spec = this.byName.get(name);
    if (spec === undefined) {
      throw new VectorError(
        `${path}: unknown candidate ${JSON.stringify(name)} (known: ${[...this.byName.keys()].join(", ")})`,
      );
    }
    return spec;
  }

  /** A candidate's name, or its hash if no candidate of the vector has it. */
  nameOf(hash: CandidateHash): string {
    return this.nameByHash.get(hash) ?? hash;
  }

  /** A list of candidate names or hex hashes, as candidate hashes. */
  hashes(step: Reader, key: string): CandidateHash[] {
    return step.arr(key).map((v: Json, i) => {
      const path = `${step.at(key)}[${i}]`;
      const spec = typeof v === "string" ? this.byName.get(v) : undefined;
      if (spec !== undefined) return spec.candidateHash;
      if (!isHex(v, 32)) {
        throw new VectorError(`${path}: expected a candidate name or hash, got ${describe(v)}`);
      }
      return v.toLowerCase();
    });
  }
}
