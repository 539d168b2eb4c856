/**
 * The availability-distribution subsystem: the chunk requester (my chunk of every candidate
 * pending availability), the PoV requester (backing's `FetchPoV`) and the responder (PoVs and
 * chunks from my availability store), over one validator's environment.
 *
 * Performance model: with the simulator's lazily computed chunk fetches, a fetch's outcome is
 * taken in when it is looked at. `chunkAvailability()` is the availability store as bitfield
 * signing should see it now: each query first settles my fetch of that candidate (the store's
 * own query stays pure). See docs/simulator.md "Performance model".
 *
 * Adversaries (`env.malus`, docs/simulator.md "Adversaries"): a `forges-bitfields` validator fetches no
 * chunks (it claims them anyway); a `withholds-chunks` one answers chunk and full-data requests
 * without data (`responder.ts`).
 *
 * Ref: polkadot/node/network/availability-distribution/src/lib.rs (the subsystem: requester,
 *      pov_requester, responder).
 */
import type { ActorLog, ValidatorEnv } from "../../../actors/env.ts";
import type { ActorId, ProtocolMessage } from "../../../actors/protocol.ts";
import type { Hash } from "../../../lib/hex.ts";
import type { ErasureMemo } from "../../../primitives/erasure/encoding.ts";
import type { AvailabilityStoreMessage } from "../../subsystem-types.ts";
import type { BlockContext } from "../../util/block-context.ts";
import { PovRequester } from "./pov-requester.ts";
import { ChunkRequester } from "./requester.ts";
import { Responder } from "./responder.ts";

export class AvailabilityDistribution {
  readonly requester: ChunkRequester;
  readonly responder: Responder;
  /** `FetchPoV` (what backing is handed as availability distribution). */
  readonly povRequester: PovRequester;

  constructor(
    private readonly env: ValidatorEnv,
    log: ActorLog,
    private readonly store: AvailabilityStoreMessage,
    erasure: ErasureMemo,
  ) {
    this.requester = new ChunkRequester(env, log, store, erasure);
    this.responder = new Responder(env, store);
    this.povRequester = new PovRequester(env);
  }

  /** After the implicit view moved (backing's relay parents): drop stale PoV requests. */
  viewChanged(remaining: ReadonlySet<Hash>): void {
    this.povRequester.activeLeavesUpdate(remaining);
  }

  /** A new active leaf: fetch my chunks of the candidates occupying its cores. */
  onActiveLeaf(leaf: BlockContext): void {
    // A `forges-bitfields` adversary claims the chunks anyway: it does not fetch them.
    if (this.env.malus?.forgeBitfield()) return;
    this.requester.onActiveLeaf(leaf);
  }

  /** The store as bitfield signing sees it now (lazily computed fetches settled first). */
  chunkAvailability(): Pick<AvailabilityStoreMessage, "hasChunk"> {
    return {
      hasChunk: (candidateHash) => {
        this.requester.settle(candidateHash);
        return this.store.hasChunk(candidateHash);
      },
    };
  }

  onMessage(
    from: ActorId,
    msg: Extract<
      ProtocolMessage,
      {
        type:
          | "ChunkFetchRequest"
          | "ChunkFetchResponse"
          | "PovFetchRequest"
          | "PovFetchResponse"
          | "AvailableDataFetchRequest";
      }
    >,
  ): void {
    switch (msg.type) {
      case "ChunkFetchRequest":
        this.responder.onChunkFetchRequest(from, msg, this.env.now());
        return;
      case "ChunkFetchResponse":
        this.requester.onChunkFetchResponse(from, msg);
        return;
      case "PovFetchRequest":
        this.responder.onPovFetchRequest(from, msg);
        return;
      case "PovFetchResponse":
        this.povRequester.onPovFetchResponse(from, msg);
        return;
      case "AvailableDataFetchRequest":
        this.responder.onAvailableDataFetchRequest(from, msg);
        return;
    }
  }
}
