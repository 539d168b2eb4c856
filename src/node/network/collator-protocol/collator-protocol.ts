/**
 * The collator protocol, validator side: accepts collators' advertisements, fetches collations
 * and hands them to candidate backing for seconding.
 *
 * Two generations of the limit on what a validator fetches and seconds (SEMANTICS.md §7 C3), both
 * with one fetch at a time per relay parent (`CollationStatus` Waiting -> Fetching ->
 * WaitingOnValidation -> back to Waiting):
 * - 2024: per relay parent at most `max_candidate_depth + 1` seconded
 *   (`Collations::is_seconded_limit_reached`, whose name is inverted: it is true while BELOW the
 *   limit), and as many advertisements per collator;
 * - current (collation fetching fairness, PR #4880; stable2503 to stable2603): a para's collation
 *   at relay parent R is taken only while the para has an unclaimed position in R's claim-queue
 *   window on some path of the implicit view through R (`ensure_seconding_limit_is_respected`,
 *   `ClaimQueueState` in `claim-queue-state.ts`), counting what is seconded, being fetched,
 *   waiting on validation or blocked at each block of the path (`seconded_and_pending_for_para`);
 *   a collator may advertise up to `claim_queue_len + 1` candidates per relay parent; the next
 *   fetch is the first unclaimed claim-queue entry with a queued advertisement
 *   (`get_next_collation_to_fetch`). `max_candidate_depth` plays no part.
 *
 * Advertisement (v2: relay parent, candidate hash, parent head-data hash) handling, in order:
 *  1. the relay parent must be in the implicit view (`RelayParentUnknown`);
 *  2. the para must be in my core's claim queue at that relay parent, any depth
 *     (`InvalidAssignment`); my core is the one my group serves for candidates with that relay
 *     parent (the group assigned at `number + 1`);
 *  3. per collator and relay parent at most `max_candidate_depth + 1` distinct advertisements
 *     (current: the claim queue's length + 1) (`PeerLimitReached`), a repeated one is ignored
 *     (`Duplicate`);
 *  4. the seconding limit must not be reached (`SecondedLimitReached`; current: no claim left);
 *  5. backing's `CanSecond` (hypothetical membership of the Incomplete candidate); false ->
 *     the advertisement is BLOCKED and retried when a candidate of the para outputting its parent
 *     head gets backed (`blocked_advertisements`, `Backed{para_id, para_head}`);
 *  6. enqueue: fetched now if nothing is being fetched or validated at that relay parent, else
 *     queued (`waiting_queue`).
 * A fetched collation is checked (candidate hash, para, relay parent, parent head data hash, PVD
 * from prospective parachains with the parent head data the response carries, PVD hash; for a V2
 * descriptor: core index = my core, session index = the session) and given to backing (`Second`).
 * On `Seconded`: `CollationSeconded` to the collator, the count goes up, the next queued collation
 * is fetched; on failure the next one is fetched.
 *
 * Simplifications: the fetch times out after `POV_REQUEST_TIMEOUT_CONNECTED` (1.2 s), then the
 * next queued collation is fetched; no parallel fetch after `MAX_UNSHARED_DOWNLOAD_TIME`; no peer
 * reputation; collators need not `Declare` (any actor may advertise for any para).
 *
 * Ref: polkadot/node/network/collator-protocol/src/validator_side/{mod.rs, collation.rs} (G2;
 *      current: the #4880 mod.rs read in the index, find_string id 2793480580: insert_advertisement,
 *      ensure_seconding_limit_is_respected, seconded_and_pending_for_para,
 *      unfulfilled_claim_queue_entries, pick_a_collation_to_fetch)
 *      (handle_advertisement, enqueue_collation, fetch_collation, kick_off_seconding,
 *      fetched_collation_sanity_check, dequeue_next_collation_and_fetch, blocked_advertisements,
 *      SecondingError::{InvalidCoreIndex, InvalidSessionIndex}).
 */

import type { ActorLog, Cancellable, ValidatorEnv } from "../../../actors/env.ts";
import type { ActorId, PoV, ProtocolMessage } from "../../../actors/protocol.ts";
import type { Hash } from "../../../lib/hex.ts";
import { err, ok, type Result } from "../../../lib/result.ts";
import { candidateHash as candidateHashOf, pvdHash } from "../../../primitives/candidate.ts";
import type {
  CandidateHash,
  CommittedCandidateReceipt,
  CoreIndex,
  ParaId,
  PersistedValidationData,
} from "../../../primitives/codecs.ts";
import { hashHex } from "../../../primitives/hashing.ts";
import type {
  CandidateBackingMessage,
  CollatorProtocolMessage,
  ProspectiveParachainsMessage,
} from "../../subsystem-types.ts";
import type { ImplicitView } from "../../util/backing-implicit-view.ts";
import type { BlockContext, BlockContexts } from "../../util/block-context.ts";
import { ClaimQueueState } from "./claim-queue-state.ts";

/** `POV_REQUEST_TIMEOUT_CONNECTED`: the collation fetch request timeout, µs. */
export const COLLATION_FETCH_TIMEOUT_US = 1_200_000;

type CollationStatus = "Waiting" | "Fetching" | "WaitingOnValidation";

/** An advertisement accepted for fetching (`PendingCollation`). */
interface PendingCollation {
  readonly relayParent: Hash;
  readonly paraId: ParaId;
  readonly collator: ActorId;
  readonly candidateHash: CandidateHash;
  readonly parentHeadDataHash: Hash;
}

/** Why an advertisement was not taken (`AdvertisementError` variants). */
export type AdvertisementOutcome =
  | "Fetching"
  | "Queued"
  | "RelayParentUnknown"
  | "InvalidAssignment"
  | "PeerLimitReached"
  | "Duplicate"
  | "SecondedLimitReached"
  | "BlockedByBacking";

/** `SecondingError` variants of a fetched collation. */
export type SecondingErrorCode =
  | "CandidateHashMismatch"
  | "RelayParentMismatch"
  | "ParaIdMismatch"
  | "ParentHeadDataMismatch"
  | "PersistedValidationDataNotFound"
  | "PersistedValidationDataMismatch"
  | "InvalidCoreIndex"
  | "InvalidSessionIndex"
  | "NoCollation";

/** Why a fetched collation is not handed to backing (`SecondingError`). */
export interface SecondingError {
  readonly code: SecondingErrorCode;
}

interface PerRelayParent {
  readonly ctx: BlockContext;
  readonly assignedCore: CoreIndex | null;
  /** My core's claim queue at this relay parent (`GroupAssignments::current`). */
  readonly assignment: readonly ParaId[];
  /** 2024: `max_candidate_depth + 1`. */
  readonly secondedLimit: number;
  status: CollationStatus;
  fetching: { readonly pending: PendingCollation; readonly timer: Cancellable } | null;
  readonly waitingQueue: PendingCollation[];
  secondedCount: number;
  /** Current: `Collations::seconded_for_para`. */
  readonly secondedPerPara: Map<ParaId, number>;
  /** Per collator, the candidates it advertised here. */
  readonly advertisements: Map<ActorId, Set<CandidateHash>>;
}

export class CollatorProtocol implements CollatorProtocolMessage {
  private readonly perRelayParent = new Map<Hash, PerRelayParent>();
  /** Blocked advertisements per (para, parent head-data hash). */
  private readonly blocked = new Map<string, PendingCollation[]>();
  /** Collations handed to backing: candidate -> where it came from. */
  private readonly seconding = new Map<CandidateHash, PendingCollation>();
  /** Fetched collations refused by the sanity checks, by `SecondingError` (observation). */
  readonly refusedCollations = new Map<string, number>();

  constructor(
    private readonly env: ValidatorEnv,
    private readonly log: ActorLog,
    private readonly prospective: Pick<
      ProspectiveParachainsMessage,
      "getProspectiveValidationData"
    >,
    private readonly backing: Pick<CandidateBackingMessage, "second" | "canSecond">,
    private readonly contexts: BlockContexts,
    /** The implicit view: its paths through a relay parent (current generation). */
    private readonly view: Pick<ImplicitView, "activeLeaves" | "knownAllowedRelayParentsUnder">,
  ) {}

  /** After the implicit view moved: state for new relay parents, drop the others. */
  activeLeavesUpdate(freshRelayParents: readonly Hash[], remaining: ReadonlySet<Hash>): void {
    for (const [relayParent, state] of [...this.perRelayParent]) {
      if (remaining.has(relayParent)) continue;
      state.fetching?.timer.cancel();
      this.perRelayParent.delete(relayParent);
    }
    for (const [key, list] of [...this.blocked]) {
      const kept = list.filter((p) => remaining.has(p.relayParent));
      if (kept.length === 0) this.blocked.delete(key);
      else this.blocked.set(key, kept);
    }
    for (const [hash, p] of [...this.seconding]) {
      if (!remaining.has(p.relayParent)) this.seconding.delete(hash);
    }
    for (const relayParent of freshRelayParents) {
      if (this.perRelayParent.has(relayParent)) continue;
      const api = this.env.relayChain.api(relayParent);
      if (api === null) continue;
      const ctx = this.contexts.of(api);
      const assignedCore = ctx.assignedCore(this.env.validatorIndex);
      this.perRelayParent.set(relayParent, {
        ctx,
        assignedCore,
        assignment: assignedCore === null ? [] : ctx.claimsForCore(assignedCore),
        secondedLimit: ctx.asyncBackingParams.maxCandidateDepth + 1,
        status: "Waiting",
        fetching: null,
        waitingQueue: [],
        secondedCount: 0,
        secondedPerPara: new Map(),
        advertisements: new Map(),
      });
    }
  }

  /** `handle_advertisement`. */
  onAdvertisement(
    from: ActorId,
    msg: Extract<ProtocolMessage, { type: "AdvertiseCollation" }>,
  ): AdvertisementOutcome {
    const outcome = this.handleAdvertisement(from, msg);
    if (this.log.enabled("debug") && outcome !== "Fetching" && outcome !== "Queued") {
      this.log.debug("Advertisement not fetched", {
        outcome,
        from,
        relayParent: msg.relayParent,
        candidateHash: msg.candidateHash,
      });
    }
    return outcome;
  }

  private handleAdvertisement(
    from: ActorId,
    msg: Extract<ProtocolMessage, { type: "AdvertiseCollation" }>,
  ): AdvertisementOutcome {
    const relayParentState = this.perRelayParent.get(msg.relayParent);
    if (relayParentState === undefined) return "RelayParentUnknown";
    if (!relayParentState.assignment.includes(msg.paraId)) return "InvalidAssignment";
    let mine = relayParentState.advertisements.get(from);
    if (mine?.has(msg.candidateHash)) return "Duplicate";
    if (this.env.generation === "2024") {
      if (mine !== undefined && mine.size >= relayParentState.secondedLimit)
        return "PeerLimitReached";
      if (relayParentState.secondedCount >= relayParentState.secondedLimit)
        return "SecondedLimitReached";
    } else {
      // `insert_advertisement`: checked before the insert, so up to `len + 1`.
      if (mine !== undefined && mine.size > relayParentState.assignment.length)
        return "PeerLimitReached";
      if (!this.hasClaimOnSomePath(msg.relayParent, msg.paraId)) return "SecondedLimitReached";
    }
    if (mine === undefined) {
      mine = new Set();
      relayParentState.advertisements.set(from, mine);
    }
    mine.add(msg.candidateHash);
    const pending: PendingCollation = {
      relayParent: msg.relayParent,
      paraId: msg.paraId,
      collator: from,
      candidateHash: msg.candidateHash,
      parentHeadDataHash: msg.parentHeadDataHash,
    };
    if (!this.canSecond(pending)) {
      const key = `${pending.paraId}/${pending.parentHeadDataHash}`;
      const list = this.blocked.get(key);
      if (list === undefined) this.blocked.set(key, [pending]);
      else list.push(pending);
      return "BlockedByBacking";
    }
    return this.enqueue(relayParentState, pending);
  }

  private canSecond(p: PendingCollation): boolean {
    return this.backing.canSecond({
      candidateParaId: p.paraId,
      candidateRelayParent: p.relayParent,
      candidateHash: p.candidateHash,
      parentHeadDataHash: p.parentHeadDataHash,
    });
  }

  /** `enqueue_collation`. */
  private enqueue(
    relayParentState: PerRelayParent,
    pending: PendingCollation,
  ): AdvertisementOutcome {
    if (relayParentState.status !== "Waiting") {
      relayParentState.waitingQueue.push(pending);
      return "Queued";
    }
    if (
      this.env.generation === "2024" &&
      relayParentState.secondedCount >= relayParentState.secondedLimit
    )
      return "SecondedLimitReached";
    this.fetch(relayParentState, pending);
    return "Fetching";
  }

  // ---------------------------------------------------------------------------------------------
  // Claim-queue fairness (current generation)

  /** `paths_via_relay_parent`: per active leaf under which `relayParent` is allowed, oldest first. */
  private pathsVia(relayParent: Hash): Hash[][] {
    const paths: Hash[][] = [];
    for (const leaf of this.view.activeLeaves()) {
      const under = this.view.knownAllowedRelayParentsUnder(leaf, null);
      if (under?.includes(relayParent)) paths.push([...under].reverse());
    }
    return paths;
  }

  /**
   * `seconded_and_pending_for_para`: the para's collations at `relayParent` seconded, being
   * fetched, waiting on validation, or blocked from seconding.
   */
  private secondedAndPendingForPara(relayParent: Hash, para: ParaId): number {
    const state = this.perRelayParent.get(relayParent);
    const seconded = state?.secondedPerPara.get(para) ?? 0;
    const fetching = state?.fetching?.pending.paraId === para ? 1 : 0;
    let waiting = 0;
    for (const p of this.seconding.values())
      if (p.relayParent === relayParent && p.paraId === para) waiting++;
    let blocked = 0;
    for (const list of this.blocked.values())
      for (const p of list) if (p.relayParent === relayParent && p.paraId === para) blocked++;
    return seconded + fetching + waiting + blocked;
  }

  /**
   * Replays one path of the implicit view: each block's claim queue, and the claims its
   * collations of `paras` already hold. Null when a block of the path is unknown.
   */
  private claimQueueState(path: readonly Hash[], paras: readonly ParaId[]): ClaimQueueState | null {
    const cq = new ClaimQueueState();
    for (const ancestor of path) {
      const state = this.perRelayParent.get(ancestor);
      if (state === undefined) return null;
      cq.addLeaf(ancestor, state.assignment);
      for (const para of paras) {
        const n = this.secondedAndPendingForPara(ancestor, para);
        for (let i = 0; i < n; i++) cq.claimAt(ancestor, para);
      }
    }
    return cq;
  }

  /** `ensure_seconding_limit_is_respected`: some path still has a free claim of `para`. */
  private hasClaimOnSomePath(relayParent: Hash, para: ParaId): boolean {
    for (const path of this.pathsVia(relayParent)) {
      if (this.claimQueueState(path, [para])?.canClaimAt(relayParent, para)) return true;
    }
    return false;
  }

  /**
   * `unfulfilled_claim_queue_entries`: the free claims in `relayParent`'s window, claiming for
   * every para scheduled there, on the path that leaves the most free (the longest list).
   */
  private unfulfilledClaims(relayParent: Hash, state: PerRelayParent): ParaId[] {
    const scheduled = [...new Set(state.assignment)].sort((a, b) => a - b);
    let best: ParaId[] = [];
    for (const path of this.pathsVia(relayParent)) {
      const unclaimed = this.claimQueueState(path, scheduled)?.unclaimedAt(relayParent) ?? [];
      if (unclaimed.length > best.length) best = unclaimed;
    }
    return best;
  }

  private fetch(relayParentState: PerRelayParent, pending: PendingCollation): void {
    relayParentState.status = "Fetching";
    const timer = this.env.after(COLLATION_FETCH_TIMEOUT_US, () => {
      if (relayParentState.fetching?.pending !== pending) return;
      this.log.debug("Collation fetch timed out", { candidateHash: pending.candidateHash });
      relayParentState.fetching = null;
      this.dequeueNext(relayParentState);
    });
    relayParentState.fetching = { pending, timer };
    this.env.send(pending.collator, {
      type: "CollationFetchRequest",
      relayParent: pending.relayParent,
      paraId: pending.paraId,
      candidateHash: pending.candidateHash,
    });
  }

  /**
   * `dequeue_next_collation_and_fetch`: 2024 the next queued, while below the limit; current
   * (`get_next_collation_to_fetch`, `pick_a_collation_to_fetch`) the first free claim, in
   * claim-queue order, that has a queued advertisement.
   */
  private dequeueNext(relayParentState: PerRelayParent): void {
    relayParentState.status = "Waiting";
    const queue = relayParentState.waitingQueue;
    if (this.env.generation === "2024") {
      if (relayParentState.secondedCount >= relayParentState.secondedLimit) return;
      const next = queue.shift();
      if (next !== undefined) this.fetch(relayParentState, next);
      return;
    }
    if (queue.length === 0) return;
    const relayParent = queue[0]!.relayParent;
    for (const para of this.unfulfilledClaims(relayParent, relayParentState)) {
      const i = queue.findIndex((p) => p.paraId === para);
      if (i === -1) continue;
      const [next] = queue.splice(i, 1);
      this.fetch(relayParentState, next!);
      return;
    }
  }

  /** The collator's response: sanity checks, then `Second` to backing. */
  onCollationFetchResponse(
    from: ActorId,
    msg: Extract<ProtocolMessage, { type: "CollationFetchResponse" }>,
  ): void {
    let relayParentState: PerRelayParent | undefined;
    for (const state of this.perRelayParent.values()) {
      const f = state.fetching;
      if (
        f !== null &&
        f.pending.candidateHash === msg.candidateHash &&
        f.pending.collator === from
      ) {
        relayParentState = state;
        break;
      }
    }
    if (relayParentState === undefined || relayParentState.fetching === null) return;
    const { pending, timer } = relayParentState.fetching;
    timer.cancel();
    relayParentState.fetching = null;
    const checked = this.sanityCheck(relayParentState, pending, msg.collation);
    if (!checked.ok) {
      const code = checked.error.code;
      this.refusedCollations.set(code, (this.refusedCollations.get(code) ?? 0) + 1);
      this.log.debug("Fetched collation refused", {
        error: checked.error.code,
        candidateHash: pending.candidateHash,
        from,
      });
      this.dequeueNext(relayParentState);
      return;
    }
    relayParentState.status = "WaitingOnValidation";
    this.seconding.set(pending.candidateHash, pending);
    const { receipt, pvd, pov } = checked.value;
    if (!this.backing.second(receipt, pvd, pov)) {
      this.seconding.delete(pending.candidateHash);
      this.dequeueNext(relayParentState);
    }
  }

  /** `fetched_collation_sanity_check` and the checks of `kick_off_seconding`. */
  private sanityCheck(
    relayParentState: PerRelayParent,
    pending: PendingCollation,
    collation: Extract<ProtocolMessage, { type: "CollationFetchResponse" }>["collation"],
  ): Result<
    {
      readonly receipt: CommittedCandidateReceipt;
      readonly pvd: PersistedValidationData;
      readonly pov: PoV;
    },
    SecondingError
  > {
    if (collation === null) return err({ code: "NoCollation" });
    const receipt = collation.receipt;
    const d = receipt.descriptor;
    if (
      collation.candidateHash !== pending.candidateHash ||
      candidateHashOf(receipt) !== pending.candidateHash
    ) {
      return err({ code: "CandidateHashMismatch" });
    }
    if (d.relayParent !== pending.relayParent) return err({ code: "RelayParentMismatch" });
    if (d.paraId !== pending.paraId) return err({ code: "ParaIdMismatch" });
    if (hashHex(collation.parentHeadData) !== pending.parentHeadDataHash) {
      return err({ code: "ParentHeadDataMismatch" });
    }
    if (d.kind === "v2" && d.version === 0) {
      if (relayParentState.assignedCore === null || d.coreIndex !== relayParentState.assignedCore) {
        return err({ code: "InvalidCoreIndex" });
      }
      if (d.sessionIndex !== relayParentState.ctx.sessionIndex)
        return err({ code: "InvalidSessionIndex" });
    }
    const pvd = this.prospective.getProspectiveValidationData(pending.paraId, pending.relayParent, {
      hash: pending.parentHeadDataHash,
      headData: collation.parentHeadData,
    });
    if (pvd === null) return err({ code: "PersistedValidationDataNotFound" });
    if (pvdHash(pvd) !== d.persistedValidationDataHash) {
      return err({ code: "PersistedValidationDataMismatch" });
    }
    return ok({ receipt, pvd, pov: collation.pov });
  }

  /** Backing seconded a collation we fetched: notify the collator, fetch the next one. */
  collationSeconded(relayParent: Hash, candidateHash: CandidateHash): void {
    const pending = this.seconding.get(candidateHash);
    if (pending === undefined) return;
    this.seconding.delete(candidateHash);
    this.env.send(pending.collator, { type: "CollationSeconded", relayParent, candidateHash });
    const relayParentState = this.perRelayParent.get(relayParent);
    if (relayParentState === undefined) return;
    relayParentState.secondedCount++;
    relayParentState.secondedPerPara.set(
      pending.paraId,
      (relayParentState.secondedPerPara.get(pending.paraId) ?? 0) + 1,
    );
    this.dequeueNext(relayParentState);
  }

  /** Backing will not second a collation we fetched: fetch the next one. */
  collationNotSeconded(relayParent: Hash, candidateHash: CandidateHash): void {
    if (!this.seconding.delete(candidateHash)) return;
    const relayParentState = this.perRelayParent.get(relayParent);
    if (relayParentState !== undefined && relayParentState.status === "WaitingOnValidation")
      this.dequeueNext(relayParentState);
  }

  /** `Backed{para_id, para_head}`: retry the advertisements blocked on that parent head. */
  candidateBacked(paraId: ParaId, paraHead: Hash): void {
    if (this.blocked.size === 0) return; // nothing waits (the usual case): no key to build
    const key = `${paraId}/${paraHead}`;
    const list = this.blocked.get(key);
    if (list === undefined) return;
    this.blocked.delete(key);
    for (const pending of list) {
      const relayParentState = this.perRelayParent.get(pending.relayParent);
      if (relayParentState === undefined) continue;
      if (!this.canSecond(pending)) {
        const again = this.blocked.get(key);
        if (again === undefined) this.blocked.set(key, [pending]);
        else again.push(pending);
        continue;
      }
      this.enqueue(relayParentState, pending);
    }
  }

  /** Inspection: how many collations were seconded at `relayParent`. */
  secondedCount(relayParent: Hash): number {
    return this.perRelayParent.get(relayParent)?.secondedCount ?? 0;
  }
}
