/**
 * Availability distribution's responder: a backer answers PoV requests (a member of its group
 * attesting a candidate) and chunk requests (the other validators fetching their chunks) from
 * its availability store. A backer holds the whole data, so it serves any chunk; a validator
 * that only holds its own chunk answers without one.
 *
 * Ref: polkadot/node/network/availability-distribution/src/responder.rs (answer_pov_request,
 *      answer_chunk_request).
 */
import type { ActorEnv } from "../../../actors/env.ts";
import type { ActorId, ProtocolMessage } from "../../../actors/protocol.ts";
import type { CandidateHash } from "../../../primitives/codecs.ts";
import { chunkSizeBytes } from "../../../primitives/erasure-coding.ts";
import type { AvailabilityStoreMessage } from "../../subsystem-types.ts";

/** What a backer answers to a chunk request. */
export interface ChunkAnswer {
  readonly found: boolean;
  readonly chunkBytes: number;
}

const NO_CHUNK: ChunkAnswer = { found: false, chunkBytes: 0 };

export class Responder {
  constructor(
    private readonly env: Pick<ActorEnv, "send">,
    private readonly store: Pick<
      AvailabilityStoreMessage,
      "availableData" | "availableDataStoredAt"
    >,
    /** The number of validators (the chunk size depends on it). */
    private readonly nValidators: number,
  ) {}

  /**
   * `answer_chunk_request` for a request that reached me at `atUs` (now, for a message; the
   * simulator's lazily computed fetches ask with the request's arrival time): my chunk of the
   * candidate if I held its data by then, else an answer without a chunk.
   */
  answerChunkRequest(candidateHash: CandidateHash, atUs: number): ChunkAnswer {
    const storedAt = this.store.availableDataStoredAt(candidateHash);
    const full =
      storedAt === undefined || storedAt > atUs
        ? undefined
        : this.store.availableData(candidateHash);
    if (full === undefined) return NO_CHUNK;
    return { found: true, chunkBytes: chunkSizeBytes(full.pov.sizeBytes, this.nValidators) };
  }

  onChunkFetchRequest(
    from: ActorId,
    msg: Extract<ProtocolMessage, { type: "ChunkFetchRequest" }>,
    nowUs: number,
  ): void {
    const answer = this.answerChunkRequest(msg.candidateHash, nowUs);
    this.env.send(from, {
      type: "ChunkFetchResponse",
      candidateHash: msg.candidateHash,
      validatorIndex: msg.validatorIndex,
      chunkBytes: answer.chunkBytes,
      found: answer.found,
    });
  }

  /** `answer_pov_request`: the PoV of a candidate this validator backed, if it has it. */
  onPovFetchRequest(
    from: ActorId,
    msg: Extract<ProtocolMessage, { type: "PovFetchRequest" }>,
  ): void {
    const full = this.store.availableData(msg.candidateHash);
    this.env.send(from, {
      type: "PovFetchResponse",
      candidateHash: msg.candidateHash,
      pov: full === undefined ? null : full.pov,
    });
  }
}
