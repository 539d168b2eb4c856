/**
 * Availability distribution's responder: a backer answers PoV requests (a member of its group
 * attesting a candidate) and chunk requests (the other validators fetching their chunks) from
 * its availability store (`QueryChunk` by the requester's validator index: the erasure chunk at
 * its mapped chunk index, with its proof). A backer holds the whole data, so it serves any chunk;
 * a validator that only holds its own chunk answers without one.
 *
 * A `withholds-chunks` adversary (`env.malus`) answers chunk and full-data requests as if it held
 * nothing; PoV requests (backing) are answered honestly.
 *
 * Ref: polkadot/node/network/availability-distribution/src/responder.rs (answer_pov_request,
 *      answer_chunk_request).
 */
import type { ActorEnv } from "../../../actors/env.ts";
import type { ValidatorMalus } from "../../../actors/malus.ts";
import type { ActorId, ProtocolMessage } from "../../../actors/protocol.ts";
import type { CandidateHash, ValidatorIndex } from "../../../primitives/codecs.ts";
import type { ErasureChunk } from "../../../primitives/erasure/encoding.ts";
import type { AvailabilityStoreMessage } from "../../subsystem-types.ts";

export class Responder {
  constructor(
    /** `malus`: a `withholds-chunks` adversary answers chunk and data requests without data. */
    private readonly env: Pick<ActorEnv, "send"> & { readonly malus?: ValidatorMalus },
    private readonly store: Pick<AvailabilityStoreMessage, "availableData" | "queryChunk">,
  ) {}

  /**
   * `answer_chunk_request` for validator `validatorIndex`'s chunk, a request that reached me at
   * `atUs` (now, for a message; the simulator's lazily computed fetches ask with the request's
   * arrival time): the chunk if I held the candidate's data by then, else no chunk.
   */
  answerChunkRequest(
    candidateHash: CandidateHash,
    validatorIndex: ValidatorIndex,
    atUs: number,
  ): ErasureChunk | null {
    const chunk = this.store.queryChunk(candidateHash, validatorIndex, atUs) ?? null;
    if (chunk !== null && this.withholds()) return null;
    return chunk;
  }

  onChunkFetchRequest(
    from: ActorId,
    msg: Extract<ProtocolMessage, { type: "ChunkFetchRequest" }>,
    nowUs: number,
  ): void {
    this.env.send(from, {
      type: "ChunkFetchResponse",
      candidateHash: msg.candidateHash,
      validatorIndex: msg.validatorIndex,
      chunk: this.answerChunkRequest(msg.candidateHash, msg.validatorIndex, nowUs),
      ...(msg.requestId === undefined ? {} : { requestId: msg.requestId }),
    });
  }

  /** `answer_available_data_request`: the whole data of a candidate, if held. */
  onAvailableDataFetchRequest(
    from: ActorId,
    msg: Extract<ProtocolMessage, { type: "AvailableDataFetchRequest" }>,
  ): void {
    let data = this.store.availableData(msg.candidateHash) ?? null;
    if (data !== null && this.withholds()) data = null;
    this.env.send(from, {
      type: "AvailableDataFetchResponse",
      requestId: msg.requestId,
      candidateHash: msg.candidateHash,
      data,
    });
  }

  /** A `withholds-chunks` adversary withholds this answer (counted). */
  private withholds(): boolean {
    const m = this.env.malus;
    if (m === undefined || !m.withholdChunks()) return false;
    m.note("withholds-chunks");
    return true;
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
