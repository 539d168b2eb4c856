/**
 * Availability recovery's requests as messages: `AvailableDataFetchingRequest` to a backer and
 * `ChunkFetchingRequest` to any validator (for the chunk of a given validator index), each matched
 * to its response by a request id and given up at its timeout (the network's `then(null)`).
 * Approval checkers are few per candidate (`needed_approvals`, plus escalations), so these are
 * real messages, not a lazy board.
 *
 * Ref: polkadot/node/network/availability-recovery/src/task/strategy (the requests it sends);
 *      the timeouts: src/node/util/request-timeouts.ts.
 */
import type { Cancellable, ValidatorEnv } from "../../../actors/env.ts";
import type { ProtocolMessage } from "../../../actors/protocol.ts";
import type { CandidateHash, ValidatorIndex } from "../../../primitives/codecs.ts";
import type { AvailableData } from "../../subsystem-types.ts";
import { CHUNK_REQUEST_TIMEOUT_US, POV_REQUEST_TIMEOUT_US } from "../../util/request-timeouts.ts";
import type { ChunkResponse, RecoveryNetwork } from "./strategies.ts";

/** The full data's timeout (`POV_REQUEST_TIMEOUT_CONNECTED`), µs. */
export const FULL_DATA_REQUEST_TIMEOUT_US = POV_REQUEST_TIMEOUT_US;

type Pending =
  | {
      readonly kind: "full";
      readonly then: (d: AvailableData | null) => void;
      readonly timer: Cancellable;
    }
  | {
      readonly kind: "chunk";
      readonly then: (r: ChunkResponse) => void;
      readonly timer: Cancellable;
    };

export class RecoveryRequests {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly env: Pick<ValidatorEnv, "send" | "after" | "validatorActors">) {}

  /** The network recovery sends through. */
  readonly network: RecoveryNetwork = {
    requestFull: (candidateHash, from, then) => this.requestFull(candidateHash, from, then),
    requestChunk: (candidateHash, from, validatorIndex, then) =>
      this.requestChunk(candidateHash, from, validatorIndex, then),
  };

  private requestFull(
    candidateHash: CandidateHash,
    from: ValidatorIndex,
    then: (d: AvailableData | null) => void,
  ): void {
    this.request(
      from,
      FULL_DATA_REQUEST_TIMEOUT_US,
      then,
      (timer) => ({ kind: "full", then, timer }),
      (requestId) => ({
        type: "AvailableDataFetchRequest",
        requestId,
        candidateHash,
      }),
    );
  }

  private requestChunk(
    candidateHash: CandidateHash,
    from: ValidatorIndex,
    validatorIndex: ValidatorIndex,
    then: (r: ChunkResponse) => void,
  ): void {
    this.request(
      from,
      CHUNK_REQUEST_TIMEOUT_US,
      then,
      (timer) => ({ kind: "chunk", then, timer }),
      (requestId) => ({
        type: "ChunkFetchRequest",
        requestId,
        candidateHash,
        validatorIndex,
      }),
    );
  }

  /** Sends a request to validator `from` with a fresh id, given up (`then(null)`) at its timeout. */
  private request(
    from: ValidatorIndex,
    timeoutUs: number,
    then: (none: null) => void,
    pending: (timer: Cancellable) => Pending,
    message: (requestId: number) => ProtocolMessage,
  ): void {
    const to = this.env.validatorActors[from];
    if (to === undefined) {
      then(null);
      return;
    }
    const requestId = this.nextId++;
    const timer = this.env.after(timeoutUs, () => this.settle(requestId, null));
    this.pending.set(requestId, pending(timer));
    this.env.send(to, message(requestId));
  }

  /** A response to one of our requests (false: not ours, e.g. availability distribution's). */
  onResponse(
    msg: Extract<ProtocolMessage, { type: "AvailableDataFetchResponse" | "ChunkFetchResponse" }>,
  ): boolean {
    if (msg.requestId === undefined || !this.pending.has(msg.requestId)) return false;
    this.settle(msg.requestId, msg);
    return true;
  }

  private settle(
    requestId: number,
    msg: Extract<
      ProtocolMessage,
      { type: "AvailableDataFetchResponse" | "ChunkFetchResponse" }
    > | null,
  ): void {
    const p = this.pending.get(requestId);
    if (p === undefined) return;
    this.pending.delete(requestId);
    p.timer.cancel();
    if (p.kind === "full") {
      p.then(msg !== null && msg.type === "AvailableDataFetchResponse" ? msg.data : null);
      return;
    }
    if (msg === null) p.then(null);
    else if (msg.type === "ChunkFetchResponse") p.then(msg.chunk ?? "NoSuchChunk");
    else p.then(null);
  }
}
