/**
 * The network protocol between simulated actors: what validators and collators send each other
 * (collator protocol, statement distribution, availability distribution, bitfield distribution,
 * block announcements), with the modelled wire size of each message.
 *
 * Simplifications (modelled, stated in docs/simulator.md): one message type per request or
 * response of polkadot's req/resp and notification protocols, carrying the data the real one
 * carries; sizes are modelled from the SCALE sizes of the real payloads (a receipt is ~0.6 KiB, a
 * PoV is its block's size) rather than encoded byte for byte. Relay blocks are read from a shared
 * store once announced (the announcement carries the header; its size counts the block body).
 *
 * Ref: polkadot/node/network/protocol/src/{lib.rs, request_response/v1.rs, v2.rs}.
 */
import type { Hash, Hex } from "../lib/hex.ts";
import type { ParaBlock } from "../parachain/block.ts";
import type {
  CandidateHash,
  CommittedCandidateReceipt,
  HeadData,
  ParaId,
  PersistedValidationData,
  ValidatorIndex,
} from "../primitives/codecs.ts";
import { type ErasureChunk, erasureChunkBytes } from "../primitives/erasure/encoding.ts";
import type { RelayHeader } from "../primitives/runtime-api.ts";

/** An actor of the simulated network: `v<index>` for validators, `c<para>-<index>` for collators. */
export type ActorId = string;

export const validatorActor = (index: ValidatorIndex): ActorId => `v${index}`;
export const collatorActor = (paraId: ParaId, index: number): ActorId => `c${paraId}-${index}`;

/**
 * A proof of validity. `blockData` is the parachain's block, opaque to the relay side (the PVF
 * alone interprets it); `sizeBytes` is what it costs on the wire; `hash` is `povHash` in the
 * candidate descriptor.
 */
export interface PoV {
  readonly hash: Hash;
  readonly sizeBytes: number;
  readonly blockData: unknown;
}

/** A collation as the collator protocol's fetch response carries it. */
export interface Collation {
  readonly candidateHash: CandidateHash;
  readonly receipt: CommittedCandidateReceipt;
  readonly pov: PoV;
  readonly parentHeadData: HeadData;
}

/** A backing statement with its payload: `Seconded` carries the receipt and the PVD. */
export type FullStatement =
  | {
      readonly kind: "Seconded";
      readonly candidateHash: CandidateHash;
      readonly receipt: CommittedCandidateReceipt;
      readonly pvd: PersistedValidationData;
    }
  | { readonly kind: "Valid"; readonly candidateHash: CandidateHash };

/** `SignedFullStatementWithPVD`: signed over the compact statement and the signing context. */
export interface SignedStatement {
  readonly validatorIndex: ValidatorIndex;
  readonly statement: FullStatement;
  readonly signature: Uint8Array;
}

export type ProtocolMessage =
  /** A relay block was authored; the receiver imports it (new leaf). */
  | { readonly type: "RelayBlock"; readonly header: RelayHeader; readonly bodyBytes: number }
  /** Collator protocol v2: `AdvertiseCollation`. */
  | {
      readonly type: "AdvertiseCollation";
      readonly relayParent: Hash;
      readonly paraId: ParaId;
      readonly candidateHash: CandidateHash;
      readonly parentHeadDataHash: Hash;
    }
  /** Collator protocol: `CollationFetchingRequest` (v2). */
  | {
      readonly type: "CollationFetchRequest";
      readonly relayParent: Hash;
      readonly paraId: ParaId;
      readonly candidateHash: CandidateHash;
    }
  /** The response: the collation, or null if the collator no longer has it. */
  | {
      readonly type: "CollationFetchResponse";
      readonly candidateHash: CandidateHash;
      readonly collation: Collation | null;
    }
  /** Collator protocol: `CollationSeconded` notice from a validator to the collator. */
  | {
      readonly type: "CollationSeconded";
      readonly relayParent: Hash;
      readonly candidateHash: CandidateHash;
    }
  /** Statement distribution within the backing group. */
  | { readonly type: "Statement"; readonly relayParent: Hash; readonly statement: SignedStatement }
  /** `AttestedCandidateRequest`-like PoV fetch from a backer (for a `Valid` vote). */
  | {
      readonly type: "PovFetchRequest";
      readonly relayParent: Hash;
      readonly candidateHash: CandidateHash;
    }
  | {
      readonly type: "PovFetchResponse";
      readonly candidateHash: CandidateHash;
      readonly pov: PoV | null;
    }
  /**
   * Statement distribution v2: a backed candidate made known to every validator (manifest and
   * statements in one), so that any block author can put it on chain.
   */
  | {
      readonly type: "BackedCandidate";
      readonly relayParent: Hash;
      readonly receipt: CommittedCandidateReceipt;
      readonly candidateHash: CandidateHash;
      readonly pvd: PersistedValidationData;
      readonly statements: readonly SignedStatement[];
    }
  /**
   * Availability recovery: `AvailableDataFetchingRequest` to a backer (the whole data), matched
   * to its response by `requestId`.
   */
  | {
      readonly type: "AvailableDataFetchRequest";
      readonly requestId: number;
      readonly candidateHash: CandidateHash;
    }
  | {
      readonly type: "AvailableDataFetchResponse";
      readonly requestId: number;
      readonly candidateHash: CandidateHash;
      /** The data (PoV and validation data), or none (`AvailableDataFetchingResponse::NoSuchData`). */
      readonly data: {
        readonly pov: PoV;
        readonly pvd: PersistedValidationData;
        readonly relayParent: Hash;
      } | null;
    }
  /** Availability distribution: a validator asks a backer for its chunk. */
  | {
      readonly type: "ChunkFetchRequest";
      readonly candidateHash: CandidateHash;
      readonly validatorIndex: ValidatorIndex;
      /** Availability recovery's requests carry an id its response echoes (distribution's none). */
      readonly requestId?: number;
    }
  | {
      readonly type: "ChunkFetchResponse";
      readonly candidateHash: CandidateHash;
      readonly validatorIndex: ValidatorIndex;
      readonly requestId?: number;
      /** The erasure chunk with its index and proof, or none (`ChunkFetchingResponse::NoSuchChunk`). */
      readonly chunk: ErasureChunk | null;
    }
  /** Bitfield distribution: a signed availability bitfield for a relay parent (one bit per core). */
  | {
      readonly type: "Bitfield";
      readonly relayParent: Hash;
      readonly validatorIndex: ValidatorIndex;
      readonly bits: readonly boolean[];
      readonly signature: Uint8Array;
    }
  /** The parachain's own network: a collator announces a block it authored. */
  | {
      readonly type: "ParaBlockAnnounce";
      readonly paraId: ParaId;
      readonly block: ParaBlock;
      readonly sizeBytes: number;
    }
  /**
   * The parachain's own network: a collator asks a peer for the block `fromHash` and up to
   * `max - 1` of its ancestors (sc-network-sync's block request, direction descending; modelled).
   */
  | {
      readonly type: "ParaBlockRequest";
      readonly paraId: ParaId;
      readonly fromHash: Hash;
      readonly max: number;
    }
  /** The answer to a `ParaBlockRequest`: the blocks it has, newest first (maybe none). */
  | {
      readonly type: "ParaBlockResponse";
      readonly paraId: ParaId;
      readonly fromHash: Hash;
      readonly blocks: readonly ParaBlock[];
      readonly sizeBytes: number;
    };

export type ProtocolMessageType = ProtocolMessage["type"];

/** Modelled sizes of the fixed parts (bytes), from the SCALE layouts. */
const RECEIPT_BYTES = 292 + 32 + 64; // descriptor + commitments (without messages and head)
const SIGNED_BYTES = 64 + 4 + 8; // signature, validator index, framing
const HEADER_BYTES = 200;
const REQUEST_BYTES = 80;

function receiptBytes(r: CommittedCandidateReceipt): number {
  let n = RECEIPT_BYTES + (r.commitments.headData.length - 2) / 2;
  for (const m of r.commitments.upwardMessages) n += m.length + 4;
  for (const m of r.commitments.horizontalMessages) n += m.data.length + 8;
  if (r.commitments.newValidationCode) n += r.commitments.newValidationCode.length;
  return n;
}

function statementBytes(s: SignedStatement): number {
  return (
    SIGNED_BYTES + (s.statement.kind === "Seconded" ? receiptBytes(s.statement.receipt) + 80 : 40)
  );
}

/** The modelled wire size of a message, in bytes. */
export function messageSizeBytes(msg: ProtocolMessage): number {
  switch (msg.type) {
    case "RelayBlock":
      return HEADER_BYTES + msg.bodyBytes;
    case "AdvertiseCollation":
    case "CollationFetchRequest":
    case "CollationSeconded":
    case "PovFetchRequest":
    case "ChunkFetchRequest":
      return REQUEST_BYTES;
    case "CollationFetchResponse":
      return msg.collation
        ? REQUEST_BYTES + receiptBytes(msg.collation.receipt) + msg.collation.pov.sizeBytes
        : REQUEST_BYTES;
    case "Statement":
      return statementBytes(msg.statement) + 32;
    case "PovFetchResponse":
      return REQUEST_BYTES + (msg.pov ? msg.pov.sizeBytes : 0);
    case "AvailableDataFetchRequest":
      return REQUEST_BYTES;
    case "AvailableDataFetchResponse":
      // The PoV and the validation data (head data, two u32, a hash).
      return (
        REQUEST_BYTES +
        (msg.data === null
          ? 0
          : msg.data.pov.sizeBytes + (msg.data.pvd.parentHead.length - 2) / 2 + 40)
      );
    case "BackedCandidate":
      return receiptBytes(msg.receipt) + 80 + msg.statements.length * (SIGNED_BYTES + 8);
    case "ChunkFetchResponse":
      return REQUEST_BYTES + (msg.chunk === null ? 0 : erasureChunkBytes(msg.chunk));
    case "Bitfield":
      return SIGNED_BYTES + 32 + Math.ceil(msg.bits.length / 8);
    case "ParaBlockAnnounce":
      return msg.sizeBytes;
    case "ParaBlockRequest":
      return REQUEST_BYTES;
    case "ParaBlockResponse":
      return REQUEST_BYTES + msg.sizeBytes;
  }
}

/** Hex of a signature, for logs. */
export type SignatureHex = Hex;
