/**
 * What the simulator records of a run, for the layers above it (the run report, tests): the
 * relay blocks produced, the inclusion events they deposited, and the para blocks the collators
 * authored. Plain data appended as the run goes; nothing in the simulator reads it back to
 * decide anything (it observes, never steers).
 *
 * Relay block records (whole inherents) are kept from the last finalized block on only
 * (`World.relayBlocks`, unless `WorldOptions.keepHistory`); the inclusion events and authored
 * blocks are kept for the whole run (the run report reads them).
 *
 * Invariants: records are appended in virtual-time order (relay blocks and their events by block
 * number, events in deposit order); a head hash is blake2b-256 of the head data, as on chain.
 */
import type { AuthoredBlockInfo } from "../actors/env.ts";
import type { ActorId } from "../actors/protocol.ts";
import type { Hash } from "../lib/hex.ts";
import type { ProvisionerDecision } from "../node/core/provisioner.ts";
import type { ParachainsInherentData } from "../primitives/inherent.ts";
import type { RelayHeader } from "../primitives/runtime-api.ts";
import type { DroppedCandidate } from "../relay/paras-inherent.ts";
import type { RelayEvent } from "../relay/state.ts";

/**
 * One relay block as produced: its header, author, events, inherent (offered, accepted), the
 * candidates the runtime dropped from the offer, and what the author's provisioner decided.
 */
export interface RelayBlockRecord {
  readonly header: RelayHeader;
  readonly author: ActorId;
  readonly events: readonly RelayEvent[];
  readonly offered: ParachainsInherentData;
  readonly accepted: ParachainsInherentData;
  readonly dropped: readonly DroppedCandidate[];
  readonly decision: ProvisionerDecision | null;
  /**
   * Set when the author offered something other than its provisioner's decision (a
   * `malicious-author`): the runtime's drops of such a block are the runtime's filters at work,
   * not a node/runtime disagreement.
   */
  readonly tampered?: true;
}

export type InclusionEventType = "CandidateBacked" | "CandidateIncluded" | "CandidateTimedOut";

/** One relay-runtime inclusion event of a produced block. */
export interface InclusionEventRecord {
  readonly relayBlock: number;
  readonly type: InclusionEventType;
  readonly paraId: number;
  readonly candidateHash: Hash;
  readonly core: number;
  /** blake2b-256 of the candidate's head data. */
  readonly headHash: Hash;
}

/** A para block a collator authored, and when (virtual time it was ready, µs). */
export interface AuthoredBlockRecord extends AuthoredBlockInfo {
  readonly authoredAtUs: number;
}

/**
 * What the network carried for one candidate's availability: PoVs (collation and PoV fetch
 * responses) and chunk responses with a chunk, counted when sent (a lost copy was still sent).
 */
export interface CandidateTraffic {
  /** Chunk fetches answered with a chunk. */
  chunks: number;
  /** Bytes of those responses and of the PoVs. */
  bytes: number;
}
