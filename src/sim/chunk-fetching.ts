/**
 * Chunk fetching as lazily computed request/response (`env.chunkFetching`): what
 * `ChunkFetchRequest` / `ChunkFetchResponse` messages would do, computed when the requester asks
 * instead of carried by ~120,000 scheduler events per relay block at 600 validators.
 *
 * A request of validator r to backer b, sent at `sentAtUs`:
 * 1. leaves r's request lane (requests serialise among themselves at r's upload rate);
 * 2. reaches b after a latency draw, or is lost (loss draw);
 * 3. b answers in order of arrival on its chunk lane (responses serialise among themselves at b's
 *    upload rate): what b's own responder answers as of the request's arrival (with my chunk if b
 *    stored the candidate's data by then, else without);
 * 4. the response reaches r after a latency draw plus r's download serialisation, or is lost.
 * Every draw comes from the request's own stream (`rng.derive(request number, 1 | 2)`), so the
 * answer does not depend on who asks when. A response is computed only once its request has
 * reached the backer by the time of asking (before that, the backer's data is not known yet).
 *
 * Simplifications, stated (docs/simulator.md "Performance model"): the lanes do not queue with
 * the nodes' other traffic; a retry sent after a "no chunk" answer is noticed when the requester
 * next looks, with its true send time, and if it reached the backer before requests whose
 * responses were already computed, those are recomputed behind it but a response already acted
 * upon stays acted upon (only when a backer lacks the data, which backers that validated never
 * do).
 *
 * Ref: polkadot/node/network/availability-distribution/src/requester/fetch_task (one request per
 *      backer in turn), .../responder.rs (answer_chunk_request).
 */

import type { ChunkRequest, ChunkResponse } from "../actors/env.ts";
import { type ActorId, messageSizeBytes } from "../actors/protocol.ts";
import type { Prng } from "../lib/prng.ts";
import type { CandidateHash, ValidatorIndex } from "../primitives/codecs.ts";
import { type ErasureChunk, erasureChunkBytes } from "../primitives/erasure/encoding.ts";
import type { Endpoint, Network } from "./network.ts";
import { serialisationUs } from "./network.ts";
import type { Time } from "./scheduler.ts";

const REQUEST_BYTES = messageSizeBytes({
  type: "ChunkFetchRequest",
  candidateHash: "0x",
  validatorIndex: 0,
});
/** A response without a chunk; one with a chunk adds the chunk's and its proof's bytes (`messageSizeBytes`). */
const EMPTY_RESPONSE_BYTES = messageSizeBytes({
  type: "ChunkFetchResponse",
  candidateHash: "0x",
  validatorIndex: 0,
  chunk: null,
});

/**
 * A request recorded on the board; its response is computed on its backer's lane. The request
 * is its own response object (`atUs`, `found`, `chunkBytes`): one object per request instead of
 * two, at ~60,000 requests per relay block.
 */
class PendingRequest implements ChunkRequest, ChunkResponse {
  /** Computed on the backer's lane. */
  done = false;
  /** The response was lost (meaningful once `done`). */
  lost = false;
  /** When the response was delivered, µs (meaningful once `done` and not `lost`). */
  atUs: Time = 0;
  chunk: ErasureChunk | null = null;
  /** Counted in the backer's traffic (once, even if recomputed). */
  counted = false;
  /** A fault's delay of the response (tests), µs. */
  extraDelayUs = 0;
  /** When the response started leaving and finished leaving the backer, µs. */
  startUs: Time = 0;
  endUs: Time = 0;

  constructor(
    private readonly board: ChunkFetchBoard,
    readonly id: number,
    readonly requester: ValidatorIndex,
    readonly backer: ValidatorIndex,
    readonly candidateHash: CandidateHash,
    /** Arrival at the backer, µs; null: the request was lost. */
    readonly arrivalUs: Time | null,
  ) {}

  response(nowUs: Time): ChunkResponse | null {
    if (this.arrivalUs === null || this.arrivalUs > nowUs) return null;
    if (!this.done) this.board.computeLane(this.backer, nowUs);
    return !this.lost && this.atUs <= nowUs ? this : null;
  }
}

/** A backer's chunk responses, in order of request arrival. */
interface Lane {
  readonly backer: ValidatorIndex;
  /** Requests that reached the backer, sorted by (arrival, id). */
  readonly queue: PendingRequest[];
  /** How many of `queue` have their response computed (a prefix). */
  computed: number;
  /** When the lane is free after the computed prefix, µs. */
  freeUs: Time;
  /** The lane's free time before `queue[0]` (advanced by pruning), µs. */
  baseFreeUs: Time;
}

/** The validators' chunk responders (`answer_chunk_request`, availability distribution's). */
export interface ChunkResponders {
  /**
   * What `backer` answers to `requester`'s request for its chunk of `candidateHash` that reached
   * it at `atUs`: the chunk, or null.
   */
  answer(
    backer: ValidatorIndex,
    requester: ValidatorIndex,
    candidateHash: CandidateHash,
    atUs: Time,
  ): ErasureChunk | null;
}

/**
 * A fault on a requester's chunk fetches (tests; the faults issue exposes faults to scenarios):
 * `"lose"` loses the request, a number delays the response by that many µs.
 */
export type ChunkFetchFault = (requester: ValidatorIndex, sentAtUs: Time) => "lose" | number;

export class ChunkFetchBoard {
  private nextId = 0;
  private readonly lanes = new Map<ValidatorIndex, Lane>();
  /** Each requester's request lane: free from this time on, µs (by validator index). */
  private readonly requestFree: Float64Array;
  /** The validators' network endpoints, by validator index. */
  private readonly endpoints: readonly Endpoint[];

  constructor(
    private readonly network: Network,
    private readonly rng: Prng,
    validatorActors: readonly ActorId[],
    private readonly responders: ChunkResponders,
    private readonly fault?: ChunkFetchFault,
    /** Told of each response once, when it is sent: its candidate, size and whether it has a chunk. */
    private readonly onResponse?: (
      candidateHash: CandidateHash,
      bytes: number,
      withChunk: boolean,
    ) => void,
  ) {
    this.requestFree = new Float64Array(validatorActors.length);
    this.endpoints = validatorActors.map((a) => network.endpoint(a));
  }

  request(
    requester: ValidatorIndex,
    candidateHash: CandidateHash,
    backer: ValidatorIndex,
    sentAtUs: Time,
  ): ChunkRequest {
    const id = this.nextId++;
    const from = this.endpoints[requester]!;
    const to = this.endpoints[backer]!;
    const copyUs = serialisationUs(REQUEST_BYTES, this.network.uplinkMbps(from));
    const upStart = Math.max(sentAtUs, this.requestFree[requester]!);
    this.requestFree[requester] = upStart + copyUs;
    this.network.countLazySend(from, REQUEST_BYTES);
    const fault = this.fault?.(requester, sentAtUs) ?? 0;
    const arrivalUs =
      fault === "lose"
        ? null
        : this.network.lazyCopy(
            from,
            to,
            REQUEST_BYTES,
            sentAtUs,
            upStart,
            copyUs,
            this.rng.derive(id >>> 0, 1),
          );
    const req = new PendingRequest(this, id, requester, backer, candidateHash, arrivalUs);
    req.extraDelayUs = fault === "lose" ? 0 : fault;
    if (arrivalUs !== null) this.enqueue(this.lane(backer), req);
    return req;
  }

  /** Forgets computed responses that left their backer before `beforeUs`. */
  prune(beforeUs: Time): void {
    for (const lane of this.lanes.values()) {
      let drop = 0;
      while (drop < lane.computed && lane.queue[drop]!.endUs < beforeUs) drop++;
      if (drop === 0) continue;
      lane.baseFreeUs = Math.max(lane.baseFreeUs, lane.queue[drop - 1]!.endUs);
      lane.queue.splice(0, drop);
      lane.computed -= drop;
    }
  }

  private lane(backer: ValidatorIndex): Lane {
    let lane = this.lanes.get(backer);
    if (lane === undefined) {
      lane = { backer, queue: [], computed: 0, freeUs: 0, baseFreeUs: 0 };
      this.lanes.set(backer, lane);
    }
    return lane;
  }

  /** Inserts in (arrival, id) order; responses computed at or after that place are redone. */
  private enqueue(lane: Lane, req: PendingRequest): void {
    const q = lane.queue;
    // The first queued request that `req` goes before, searched from the end: requests arrive
    // nearly in order (3 or 4 places from the end on average at 600 validators).
    let i = q.length;
    while (i > 0 && before(req, q[i - 1]!)) i--;
    q.push(req);
    for (let k = q.length - 1; k > i; k--) q[k] = q[k - 1]!;
    q[i] = req;
    if (i < lane.computed) {
      for (let k = i + 1; k <= lane.computed; k++) {
        q[k]!.done = false;
      }
      lane.computed = i;
      lane.freeUs = i === 0 ? lane.baseFreeUs : q[i - 1]!.endUs;
    }
  }

  /** Computes `backer`'s responses to the requests that reached it by `nowUs`. */
  computeLane(backer: ValidatorIndex, nowUs: Time): void {
    const lane = this.lane(backer);
    const q = lane.queue;
    const backerEndpoint = this.endpoints[lane.backer]!;
    const upMbps = this.network.uplinkMbps(backerEndpoint);
    if (lane.computed === 0) lane.freeUs = lane.baseFreeUs;
    while (lane.computed < q.length && q[lane.computed]!.arrivalUs! <= nowUs) {
      const req = q[lane.computed]!;
      const arrival = req.arrivalUs!;
      const chunk = this.responders.answer(lane.backer, req.requester, req.candidateHash, arrival);
      const size = EMPTY_RESPONSE_BYTES + (chunk === null ? 0 : erasureChunkBytes(chunk));
      const copyUs = serialisationUs(size, upMbps);
      req.startUs = Math.max(arrival, lane.freeUs);
      req.endUs = req.startUs + copyUs;
      lane.freeUs = req.endUs;
      if (!req.counted) {
        this.network.countLazySend(backerEndpoint, size);
        this.onResponse?.(req.candidateHash, size, chunk !== null);
      }
      req.counted = true;
      // The response is sent when the request reaches the backer (the faults of that time).
      const at = this.network.lazyCopy(
        backerEndpoint,
        this.endpoints[req.requester]!,
        size,
        arrival,
        req.startUs,
        copyUs,
        this.rng.derive(req.id >>> 0, 2),
      );
      req.done = true;
      req.lost = at === null;
      req.atUs = at === null ? 0 : at + req.extraDelayUs;
      req.chunk = chunk;
      lane.computed++;
    }
  }
}

function before(a: PendingRequest, b: PendingRequest): boolean {
  return a.arrivalUs! < b.arrivalUs! || (a.arrivalUs === b.arrivalUs && a.id < b.id);
}
