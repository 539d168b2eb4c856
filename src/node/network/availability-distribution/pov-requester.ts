/**
 * Availability distribution's PoV requester (`AvailabilityDistributionMessage::FetchPoV`): a
 * member of a backing group attesting a candidate another member seconded fetches its PoV from
 * that backer. One request per candidate at a time (a new one for the same candidate replaces
 * the old); the answer, or null on a "no PoV" answer or after `POV_REQUEST_TIMEOUT_CONNECTED`,
 * goes to the caller. Requests of relay parents that left the implicit view are dropped without
 * an answer.
 *
 * Ref: polkadot/node/network/availability-distribution/src/pov_requester/mod.rs (fetch_pov),
 *      polkadot/node/network/protocol/src/request_response/mod.rs
 *      (POV_REQUEST_TIMEOUT_CONNECTED).
 */
import type { Cancellable, ValidatorEnv } from "../../../actors/env.ts";
import type { ActorId, PoV, ProtocolMessage } from "../../../actors/protocol.ts";
import type { Hash } from "../../../lib/hex.ts";
import type { CandidateHash, ValidatorIndex } from "../../../primitives/codecs.ts";
import type { AvailabilityDistributionMessage } from "../../subsystem-types.ts";

/** `POV_REQUEST_TIMEOUT_CONNECTED`, µs. */
export const POV_REQUEST_TIMEOUT_CONNECTED_US = 1_200_000;

interface PendingPovFetch {
  readonly relayParent: Hash;
  readonly from: ActorId;
  readonly timer: Cancellable;
  readonly then: (pov: PoV | null) => void;
}

export class PovRequester implements AvailabilityDistributionMessage {
  private readonly fetches = new Map<CandidateHash, PendingPovFetch>();

  constructor(private readonly env: Pick<ValidatorEnv, "after" | "send" | "validatorActors">) {}

  /** After the implicit view moved: drop the requests of relay parents no longer in it. */
  activeLeavesUpdate(remaining: ReadonlySet<Hash>): void {
    for (const [hash, fetch] of this.fetches) {
      if (remaining.has(fetch.relayParent)) continue;
      fetch.timer.cancel();
      this.fetches.delete(hash);
    }
  }

  fetchPov(
    relayParent: Hash,
    candidateHash: CandidateHash,
    fromValidator: ValidatorIndex,
    then: (pov: PoV | null) => void,
  ): void {
    const to = this.env.validatorActors[fromValidator];
    if (to === undefined) {
      this.env.after(0, () => then(null));
      return;
    }
    this.fetches.get(candidateHash)?.timer.cancel();
    const timer = this.env.after(POV_REQUEST_TIMEOUT_CONNECTED_US, () => {
      if (this.fetches.get(candidateHash)?.timer !== timer) return;
      this.fetches.delete(candidateHash);
      then(null);
    });
    this.fetches.set(candidateHash, { relayParent, from: to, timer, then });
    this.env.send(to, { type: "PovFetchRequest", relayParent, candidateHash });
  }

  onPovFetchResponse(
    from: ActorId,
    msg: Extract<ProtocolMessage, { type: "PovFetchResponse" }>,
  ): void {
    const pending = this.fetches.get(msg.candidateHash);
    if (pending === undefined || pending.from !== from) return;
    pending.timer.cancel();
    this.fetches.delete(msg.candidateHash);
    pending.then(msg.pov);
  }
}
