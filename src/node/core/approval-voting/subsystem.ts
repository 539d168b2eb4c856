/**
 * Approval voting of one validator: for every relay block it imports, the candidates the block
 * included are checked by a random, VRF-chosen subset of validators before the block may be
 * finalized. This module wires the pure rules of its siblings (criteria.ts, approval-checking.ts,
 * time.ts) into a subsystem over the env: import, our assignments, wakeups, triggering, the
 * approval check (recovery, then validation), coalesced signing, and the gossip of assignments and
 * approvals.
 *
 * In order (polkadot-sdk approval-voting lib.rs / import.rs):
 * 1. Import (`handle_new_head`, `add_block_entry`): the block's `CandidateIncluded` events are its
 *    candidates, with core and backing group; `block_tick` is its slot start; candidates are
 *    insta-approved as `import.rs` does; our assignments are computed (`compute_assignments`).
 * 2. Every arrival (an assignment or approval from approval distribution) is imported at the tick
 *    it reached us (`check_and_import_assignment`: the certificate checked, `TooFarInFuture`
 *    refused, duplicates ignored; `check_and_import_approval`: the signature checked, an approval
 *    from a validator without an assignment is kept until the assignment arrives, as the ordered
 *    stream between two peers would deliver it), and the candidate's approval is re-evaluated
 *    (`advance_approval_state`: `tranches_to_approve`, `check_approval`, approved once
 *    `is_approved(tick_now - APPROVAL_DELAY)`).
 * 3. Wakeups (`process_wakeup`): `should_trigger_assignment` on our untriggered assignments; a
 *    triggered one is imported at `tick_now` and gossiped, and `launch_approval` recovers the data
 *    (availability recovery with the backing group and core), then validates it with
 *    `PvfExecKind::Approval`, all under `APPROVAL_CHECKING_TIMEOUT`. Only `Valid` votes;
 *    `Invalid` would raise a dispute (not modelled: logged); unavailable or timed out: no vote.
 * 4. A valid check is a local approval at once, then signed with the block's other pending
 *    candidates (`get_candidates_that_need_signature`, `max_approval_coalesce_count`,
 *    `sign_no_later_than`) as one `ApprovalVoteMultipleCandidates` and gossiped.
 * 5. A block is approved when all its candidates are (`BlockEntry::is_fully_approved`);
 *    `approvedUpTo` answers `ApprovedAncestor` for finality; `onFinalized` prunes.
 *
 * Modelled (docs/simulator.md "Approval checking"):
 * - Arrivals are imported lazily, when the validator next acts (a wakeup, or a question from the
 *   world), each at its own arrival tick and in arrival order, so the approval state and the
 *   moment of approval are those of an eager import.
 * - Wakeups are evaluated at every tick boundary while an untriggered assignment of ours waits on
 *   an unapproved candidate, and at import. Rust schedules them only at the ticks
 *   `schedule_wakeup_action` names, which are tick boundaries where the trigger rule can change;
 *   a wakeup Rust schedules for the current tick from an import fires at once, here at the next
 *   tick boundary (at most one tick, 500 ms, later).
 * - The RelayVRFStory is blake2b-256("A&V RC-VRF" ‖ block hash): the BABE VRF it comes from is not
 *   modelled (SEMANTICS 5.5.1 marks the derivation unverified).
 * - One session; approvals are per candidate and block (no forks: the relay chain has none).
 * - Every delay-tranche VRF output is computed at import (a finding, docs/simulator.md): a
 *   tranche-0 assignment always triggers, and before any assignment has arrived a candidate is
 *   `Pending` with no broadcast limit, so whether a validator triggers in the first ticks depends
 *   on its delay tranche, which needs its VRF output.
 *
 * Performance, same behaviour (docs/simulator.md "Performance model"; tests in
 * approval-checking.test.ts): `advance_approval_state` skips `tranches_to_approve` while the
 * approval count alone rules approval out (`cannotBeApproved`), and a wakeup leaves a block
 * unimported while no assignment of ours can trigger, judged from the assignments sent so far
 * (`cannotTrigger`): the imports happen at the next look, each at its own tick, as above.
 *
 * Approval views (docs/simulator.md "Approval views", src/sim/approval-views.ts): with
 * `env.approvalVoting.sharedView` a validator imports nothing; its view of the other validators'
 * assignments and approvals derives from the shared view (`catchUpFromView`, `wouldTrigger`),
 * an instance of this class with validator index `SHARED_VIEW_INDEX` that imports every item at
 * its publication and has no assignments of its own.
 *
 * Adversaries (`env.malus`, docs/simulator.md "Adversaries"): a `no-show` validator signs its approvals
 * and never sends them (its assignments go out: the others see a no-show); a `seconds-invalid` one
 * approves a candidate its check found invalid (malus `BackingAndApprovalValid`). An honest check
 * that finds a candidate invalid never approves it (`invalidFound` counts them; a dispute would
 * start here, not modelled), so finality stops below its block.
 *
 * Ref: polkadot/node/core/approval-voting/src/{lib.rs, import.rs, approval_checking.rs,
 *      criteria.rs, persisted_entries.rs}, polkadot/node/primitives/src/approval.rs.
 */
import type {
  ActorLog,
  ApprovalArrival,
  ApprovalItem,
  ApprovalVotingEnv,
  SharedApproval,
  SharedApprovalView,
  ValidatorEnv,
} from "../../../actors/env.ts";
import { assert } from "../../../lib/assert.ts";
import { concatBytes, fromHex, type Hash } from "../../../lib/hex.ts";
import { upperBound } from "../../../lib/sorted.ts";
import type {
  CandidateHash,
  CandidateReceipt,
  CoreIndex,
  SessionIndex,
  ValidatorIndex,
} from "../../../primitives/codecs.ts";
import { blake2b256 } from "../../../primitives/hashing.ts";
import type { ApprovalParams } from "../../../primitives/runtime-api.ts";
import { approvalVoteMultipleCandidatesSigningPayload } from "../../../primitives/statements.ts";
import type {
  AvailabilityRecoveryMessage,
  CandidateValidationMessage,
  CandidateValidity,
} from "../../subsystem-types.ts";
import type { BlockContext, BlockContexts } from "../../util/block-context.ts";
import {
  ApprovalEntry,
  type CandidateSigningContext,
  cannotBeApprovedYet,
  cannotTrigger,
  checkApproval,
  getCandidatesThatNeedSignature,
  instaApproved,
  isApprovedAt,
  shouldTriggerAssignment,
  signNoLaterThan,
  tranchesToApprove,
  tranchesToApproveResult,
} from "./approval-checking.ts";
import {
  type AssignmentCert,
  type AssignmentConfig,
  checkAssignmentCert,
  delayAssignment,
  delayTranche,
  type LeavingCore,
  moduloAssignments,
  type OurAssignment,
  RELAY_VRF_STORY_CONTEXT,
} from "./criteria.ts";
import {
  APPROVAL_CHECKING_TIMEOUT_MS,
  APPROVAL_DELAY,
  noShowDuration,
  slotNumberToTick,
  TICK_TOO_FAR_IN_FUTURE,
  type Tick,
  tickFromMicros,
  tickStartMicros,
} from "./time.ts";
import { type AssignmentVrf, prfVrf, sr25519Vrf } from "./vrf.ts";

/** Bytes of an assignment on the wire (`IndirectAssignmentCertV2`: block, validator, cert). */
export const ASSIGNMENT_BYTES = 32 + 4 + 1 + 32 + 96 + 16;
/** Bytes of an approval on the wire (`IndirectSignedApprovalVoteV2`: block, indices, signature). */
export const APPROVAL_BYTES = 32 + 4 + 16 + 64;

const STORY_DOMAIN = new TextEncoder().encode(RELAY_VRF_STORY_CONTEXT);

/** One candidate under one block, in my view. */
interface CandidateEntry {
  readonly index: number;
  readonly hash: CandidateHash;
  readonly receipt: CandidateReceipt;
  readonly core: CoreIndex;
  readonly backingGroup: readonly ValidatorIndex[];
  readonly entry: ApprovalEntry;
  /** `CandidateEntry.approvals`: 1 per validator who approved. */
  readonly approvals: Uint8Array;
  /** Its ones (kept as bits are set: `checkApproval` need not count them). */
  approvalCount: number;
  /**
   * Our assignment (null: none, e.g. we backed it): its tranche, and its certificate when it is a
   * modulo one (a delay one's proof is computed when it is triggered, `certificate`).
   */
  readonly ours: OurAssignmentLazy | null;
  triggered: boolean;
  approved: boolean;
  /** The tick at which an `Approved` that waits for `APPROVAL_DELAY` is to be looked at again. */
  recheckTick: Tick | null;
  /** Its approval in this view (the shared view reads it: `approvalOf`). */
  approval: SharedApproval | null;
  /** With a shared view: when my copy of the item that approved it there arrived (once known). */
  copyAtUs: number | null;
  /** With a shared view: when my copy of the last assignment its approval counted arrived. */
  assignmentCopyAtUs: number | null;
  /** The shared view's: the item (publication index) of each validator's assignment. */
  readonly assignmentItems: Map<ValidatorIndex, number> | null;
}

/** Our assignment for a core: the tranche now, the certificate when it is needed. */
interface OurAssignmentLazy {
  readonly tranche: number;
  /** The modulo assignment (with its certificate), or null for a delay one. */
  readonly modulo: OurAssignment | null;
}

/** One relay block, in my view. */
interface BlockEntry {
  readonly hash: Hash;
  readonly number: number;
  readonly blockTick: Tick;
  readonly story: Uint8Array;
  readonly ctx: BlockContext;
  /** The session the block was executed in (its parent's `session_index_for_child`). */
  readonly sessionIndex: SessionIndex;
  readonly params: ApprovalParams;
  readonly config: AssignmentConfig;
  readonly candidates: readonly CandidateEntry[];
  /** Arrivals from the gossip imported so far (a prefix of `delivered`). */
  imported: number;
  /** The arrival being imported, or the last one imported (-1: none): an approval's cause. */
  cursor: number;
  /** Approvals received before the assignment of their validator (per validator). */
  readonly held: Map<ValidatorIndex, ApprovalArrival[]>;
  readonly pendingSignature: Map<number, CandidateSigningContext>;
  signTimerTick: Tick | null;
  unapproved: number;
  /** The earliest `recheckTick` of its candidates, or null if none waits (lower bound). */
  nextRecheck: Tick | null;
}

/** What is the same for every validator (performance, not protocol): one per world. */
export class ApprovalVotingShared {
  /**
   * A received assignment's check, per gossip item (every receiver gets the same object): the
   * certificate's tranche, null if the certificate is invalid, or `invalid-claim` if it names a
   * candidate the block does not have (every receiver of a block has the same candidates).
   */
  readonly certChecks = new WeakMap<ApprovalItem, number | null | "invalid-claim">();
  /**
   * A received approval's checks that do not depend on the receiver, per gossip item: whether it
   * names only candidates of its block (`validClaim`; every receiver of a block has the same
   * candidates) and whether its signature checks (`verify`, memoised by the world anyway).
   */
  readonly approvalChecks = new WeakMap<ApprovalItem, ApprovalCheck>();
}

/** The receiver-independent outcome of checking an approval (`ApprovalVotingShared`). */
type ApprovalCheck = "invalid-claim" | "invalid-signature" | "valid";

export interface ApprovalVotingDeps {
  readonly recovery: AvailabilityRecoveryMessage;
  readonly validation: Pick<CandidateValidationMessage, "validateForApproval">;
  readonly contexts: BlockContexts;
  readonly shared: ApprovalVotingShared;
}

/**
 * The validator index of the shared view's instance (`SharedApprovalView`): no validator's. It
 * imports every item at its publication and has no assignments of its own.
 */
export const SHARED_VIEW_INDEX = -1;

/** Bits never written (a shared view's validators keep no assignments or approvals of their own). */
const UNUSED_BITS = new Uint8Array(0);

export class ApprovalVoting implements SharedApprovalView {
  private readonly blocks = new Map<Hash, BlockEntry>();
  private readonly byNumber = new Map<number, BlockEntry>();
  /** Blocks where an untriggered assignment of ours waits on an unapproved candidate. */
  private readonly watching = new Set<BlockEntry>();
  private tickArmed: Tick | null = null;
  /** Modelled CPU of the certificate and signature checks of what this node imported, µs. */
  checkCpuUs = 0;
  /** Approval checks that found their candidate invalid (never approved; disputes not modelled). */
  invalidFound = 0;
  private readonly vrf: AssignmentVrf;
  private readonly me: ValidatorIndex;
  private readonly av: ApprovalVotingEnv;
  /** This instance is the shared view itself (`ApprovalVoting.sharedView`): no node, no assignments. */
  private readonly isSharedView: boolean;
  /** The shared view this validator derives its view from (docs/simulator.md "Approval views"). */
  private readonly view: SharedApprovalView | null;

  constructor(
    private readonly env: ValidatorEnv & { readonly approvalVoting: ApprovalVotingEnv },
    private readonly log: ActorLog,
    private readonly deps: ApprovalVotingDeps,
  ) {
    this.me = env.validatorIndex;
    this.av = env.approvalVoting;
    this.isSharedView = env.validatorIndex === SHARED_VIEW_INDEX;
    this.view = this.isSharedView ? null : (env.approvalVoting.sharedView ?? null);
    assert(
      this.view === null || env.approvalVoting.gossip.copyArrival !== undefined,
      "approval voting: a shared view needs the gossip's copyArrival",
    );
    if (env.crypto.kind === "sr25519") {
      const rng = env.rng.fork("approval-vrf");
      // Proofs made with the seeded nonce; the provider's VRF verification and key agreement
      // (the same answers as @scure's and @noble's, maybe faster: vrf.ts).
      this.vrf = sr25519Vrf((n) => Uint8Array.from({ length: n }, () => rng.int(256)), env.crypto);
    } else this.vrf = prfVrf;
  }

  /** `handle_new_head` for a newly imported relay block. */
  importBlock(hash: Hash): void {
    if (this.blocks.has(hash)) return;
    const api = this.env.relayChain.api(hash);
    if (api === null) return;
    const ctx = this.deps.contexts.of(api);
    const params = api.approvalParams();
    // The block's session is the one it was executed in, `session_index_for_child(parent)`
    // (`imported_block_info`): its inclusion events name groups of that session, and its
    // approvals are signed in it. It differs from `ctx`'s when the block applied a session change.
    const parentApi = this.env.relayChain.api(api.header.parentHash);
    const session = parentApi === null ? ctx : this.deps.contexts.of(parentApi);
    const groups = session.groups;
    const leaving: LeavingCore[] = [];
    const receipts: CandidateReceipt[] = [];
    for (const e of api.candidateEvents()) {
      if (e.kind !== "CandidateIncluded") continue;
      leaving.push({
        candidateHash: e.candidateHash,
        coreIndex: e.core,
        backingGroup: groups[e.group] ?? [],
      });
      receipts.push(e.receipt);
    }
    const story = blake2b256(concatBytes(STORY_DOMAIN, fromHex(hash)));
    const config: AssignmentConfig = {
      nCores: params.nCores,
      zerothDelayTrancheWidth: params.zerothDelayTrancheWidth,
      relayVrfModuloSamples: params.relayVrfModuloSamples,
      nDelayTranches: params.nDelayTranches,
      assignmentKeys: ctx.validatorKeys,
    };
    const n = ctx.validatorKeys.length;
    const key = { validatorIndex: this.me, keypair: this.env.keypair };
    const modulo = this.isSharedView
      ? new Map<CoreIndex, OurAssignment>()
      : moduloAssignments(
          this.vrf,
          key,
          story,
          config,
          leaving,
          api.nodeFeatures().enableAssignmentsV2,
        );
    // Every candidate's assignment and approval bits in one buffer (one allocation per block, not
    // two per candidate: n bytes each, at hundreds of validators; performance only). A validator
    // that takes its view from a shared one keeps none (its entries are never written).
    const keepsBits = this.view === null;
    const bits = new Uint8Array(keepsBits ? 2 * n * leaving.length : n);
    const candidates = leaving.map((c, index): CandidateEntry => {
      const inGroup = c.backingGroup.includes(this.me);
      const m = modulo.get(c.coreIndex) ?? null;
      const ours: OurAssignmentLazy | null =
        config.nCores === 0 || inGroup || this.isSharedView
          ? null
          : m !== null
            ? { tranche: m.tranche, modulo: m }
            : { tranche: delayTranche(this.vrf, key, story, config, c.coreIndex), modulo: null };
      return {
        index,
        hash: c.candidateHash,
        receipt: receipts[index]!,
        core: c.coreIndex,
        backingGroup: c.backingGroup,
        entry: new ApprovalEntry(
          n,
          keepsBits ? bits.subarray(2 * index * n, (2 * index + 1) * n) : bits,
        ),
        approvals: keepsBits
          ? bits.subarray((2 * index + 1) * n, (2 * index + 2) * n)
          : UNUSED_BITS,
        approvalCount: 0,
        ours,
        triggered: false,
        approved: instaApproved(params.neededApprovals, n, c.backingGroup.length),
        recheckTick: null,
        approval: null,
        copyAtUs: null,
        assignmentCopyAtUs: null,
        assignmentItems: this.isSharedView ? new Map() : null,
      };
    });
    const block: BlockEntry = {
      hash,
      number: api.header.number,
      blockTick: slotNumberToTick(this.av.slotDurationMs, api.header.slot),
      story,
      ctx,
      sessionIndex: session.sessionIndex,
      params,
      config,
      candidates,
      imported: 0,
      cursor: -1,
      held: new Map(),
      pendingSignature: new Map(),
      signTimerTick: null,
      unapproved: 0,
      nextRecheck: null,
    };
    for (const c of candidates) {
      if (c.approved) this.noteApproved(block, c, this.env.now(), 0, 0);
      else block.unapproved++;
    }
    this.blocks.set(hash, block);
    this.byNumber.set(block.number, block);
    if (candidates.some((c) => c.ours !== null && !c.approved)) this.watching.add(block);
    // The first wakeups (`block_tick + our_tranche`) are in the past or now: process them at once.
    this.wakeup();
  }

  /** Whether every candidate of the block numbered `number` is approved in my view, by now. */
  isApproved(number: number): boolean {
    const block = this.byNumber.get(number);
    if (block === undefined) return false;
    this.catchUp(block, this.env.now());
    return block.unapproved === 0;
  }

  /**
   * `ApprovedAncestor`: the highest block number in `(lowerBound, upTo]` such that every block from
   * `lowerBound + 1` to it is approved in my view, or `lowerBound` if the first is not.
   */
  approvedUpTo(lowerBound: number, upTo: number): number {
    let b = lowerBound;
    while (b < upTo && this.isApproved(b + 1)) b++;
    return b;
  }

  // ---------------------------------------------------------------------------------------------
  // The shared view (this instance is one when its validator index is SHARED_VIEW_INDEX).

  /** `SharedApprovalView.approvalOf`: the candidate's approval here by `byUs`. */
  approvalOf(hash: Hash, candidateIndex: number, byUs: number): SharedApproval | null {
    const c = this.sharedCandidate(hash, candidateIndex, byUs);
    const a = c?.approval ?? null;
    return a !== null && a.atUs <= byUs ? a : null;
  }

  /** `SharedApprovalView.wouldTrigger`: `should_trigger_assignment` on this view at `nowUs`. */
  wouldTrigger(hash: Hash, candidateIndex: number, tranche: number, nowUs: number): boolean {
    const c = this.sharedCandidate(hash, candidateIndex, nowUs);
    const block = this.blocks.get(hash);
    if (c === null || block === undefined) return false;
    return this.triggers(block, c, tranche, tickFromMicros(nowUs));
  }

  /**
   * `should_trigger_assignment` for an untriggered assignment at `tranche` on this instance's
   * entry of `c`, at `tickNow` (`cannotTrigger` first: no `tranches_to_approve` when it cannot).
   */
  private triggers(block: BlockEntry, c: CandidateEntry, tranche: number, tickNow: Tick): boolean {
    const trancheNow = Math.max(0, tickNow - block.blockTick);
    if (cannotTrigger(tranche, trancheNow, c.entry.importedCount, c.approvals.length)) return false;
    const required = tranchesToApprove(
      c.entry,
      c.approvals,
      trancheNow,
      block.blockTick,
      this.noShowTicks(block),
      block.params.neededApprovals,
    );
    const ours = { tranche, triggered: false };
    return shouldTriggerAssignment(ours, c.approvals, c.entry, required, trancheNow);
  }

  /** `SharedApprovalView.itemsPublishedBy`. */
  itemsPublishedBy(hash: Hash, byUs: number): number {
    return upperBound(this.av.gossip.arrivals(hash).atUs, byUs);
  }

  /** The shared view's candidate, its block imported and caught up to `byUs`. */
  private sharedCandidate(hash: Hash, candidateIndex: number, byUs: number): CandidateEntry | null {
    assert(this.isSharedView, "approval voting: asked as a shared view, but a validator's");
    if (!this.blocks.has(hash)) this.importBlock(hash);
    const block = this.blocks.get(hash);
    if (block === undefined) return null;
    this.catchUp(block, byUs);
    return block.candidates[candidateIndex] ?? null;
  }

  /** `BlockFinalized`: forget the blocks up to `number`. */
  onFinalized(number: number): void {
    for (const [n, block] of this.byNumber) {
      if (n > number) continue;
      this.byNumber.delete(n);
      this.blocks.delete(block.hash);
      this.watching.delete(block);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Wakeups and triggering.

  private wakeup(): void {
    const now = this.env.now();
    const tickNow = tickFromMicros(now);
    for (const block of [...this.watching]) {
      // Nothing of ours can trigger by now whatever has arrived: no need to import it yet.
      if (!this.mayTrigger(block, tickNow)) continue;
      this.catchUp(block, now);
      let waiting = false;
      for (const c of block.candidates) {
        if (c.ours === null || c.triggered || c.approved) continue;
        // With a shared view, judged on it (docs/simulator.md "Approval views").
        const triggers =
          this.view === null
            ? this.triggers(block, c, c.ours.tranche, tickNow)
            : this.view.wouldTrigger(block.hash, c.index, c.ours.tranche, now);
        if (triggers) this.trigger(block, c, tickNow);
        else waiting = true;
      }
      if (!waiting) this.watching.delete(block);
    }
    if (this.watching.size > 0) this.armTick(tickNow + 1);
  }

  /**
   * Whether an untriggered assignment of ours under `block` may trigger at `tickNow`, judged
   * without importing: `cannotTrigger` with the assignments sent so far as the bound of those
   * imported (performance: a block where none may is left for a later wakeup, as if looked at).
   */
  private mayTrigger(block: BlockEntry, tickNow: Tick): boolean {
    const trancheNow = Math.max(0, tickNow - block.blockTick);
    for (const c of block.candidates) {
      if (c.ours === null || c.triggered || c.approved) continue;
      const sent = this.av.gossip.assignmentsSent(block.hash, c.index);
      if (!cannotTrigger(c.ours.tranche, trancheNow, sent, c.approvals.length)) return true;
    }
    return false;
  }

  private armTick(tick: Tick): void {
    if (this.tickArmed !== null && this.tickArmed <= tick) return;
    this.tickArmed = tick;
    this.env.after(tickStartMicros(tick) - this.env.now(), () => {
      if (this.tickArmed !== tick) return;
      this.tickArmed = null;
      this.wakeup();
    });
  }

  /** Triggers our assignment: import it, gossip it, launch the approval check(s). */
  private trigger(block: BlockEntry, c: CandidateEntry, tickNow: Tick): void {
    const ours = c.ours!;
    // A v2 compact certificate claims several cores: distributed once, for all its candidates.
    const claimed =
      ours.modulo === null
        ? [c]
        : block.candidates.filter(
            (o) => o === c || (o.ours?.modulo === ours.modulo && !o.triggered),
          );
    for (const o of claimed) {
      o.triggered = true;
      // With a shared view, my assignment counts there, from its publication (now).
      if (this.view === null) o.entry.importAssignment(ours.tranche, this.me, tickNow);
    }
    this.av.gossip.publish(
      block.hash,
      {
        kind: "assignment",
        validator: this.me,
        candidateIndices: claimed.map((o) => o.index),
        tranche: ours.tranche,
        cert: this.certificate(block, c, ours),
      },
      ASSIGNMENT_BYTES,
    );
    for (const o of claimed) this.launchApproval(block, o);
  }

  /** Our assignment's certificate: the modulo one, or the delay one's proof computed now. */
  private certificate(
    block: BlockEntry,
    c: CandidateEntry,
    ours: OurAssignmentLazy,
  ): AssignmentCert {
    if (ours.modulo !== null) return ours.modulo.cert;
    const key = { validatorIndex: this.me, keypair: this.env.keypair };
    const full = delayAssignment(this.vrf, key, block.story, block.config, c.core);
    assert(full.tranche === ours.tranche, "a delay assignment's proof changed its tranche");
    return full.cert;
  }

  /** `launch_approval`: recover, validate with `PvfExecKind::Approval`, vote if valid. */
  private launchApproval(block: BlockEntry, c: CandidateEntry): void {
    let done = false;
    const timer = this.env.after(APPROVAL_CHECKING_TIMEOUT_MS * 1000, () => {
      if (done) return;
      done = true;
      this.log.info("Approval check timed out", { candidate: c.hash });
    });
    const finish = (result: CandidateValidity | "Unavailable" | "Invalid data"): void => {
      if (done) return;
      done = true;
      timer.cancel();
      if (result === "Unavailable" || result === "Invalid data") {
        this.log.info("Approval check: data not recovered", { candidate: c.hash, result });
      } else if (result.kind === "Valid") this.localApproval(block, c);
      else if (this.env.malus?.fakeValid()) {
        // A `seconds-invalid` adversary approves what it found invalid (malus
        // `BackingAndApprovalValid`).
        this.env.malus.note("seconds-invalid");
        this.localApproval(block, c);
      } else {
        this.invalidFound++;
        // A dispute would start here (not modelled).
        this.log.warn("Approval check found the candidate invalid", {
          candidate: c.hash,
          code: result.code,
        });
      }
    };
    const d = c.receipt.descriptor;
    this.deps.recovery.recoverAvailableData(
      {
        candidateHash: c.hash,
        erasureRoot: d.erasureRoot,
        povHash: d.povHash,
        relayParent: d.relayParent,
        nValidators: block.ctx.validatorKeys.length,
        backingGroup: c.backingGroup,
        coreIndex: c.core,
        chunkMapping: block.ctx.api.nodeFeatures().availabilityChunkMapping,
        knownData: this.av.knownData?.(c.hash, c.backingGroup) ?? null,
      },
      (r) => {
        if (r.kind === "Unavailable") finish("Unavailable");
        else if (r.kind === "Invalid") finish("Invalid data");
        else {
          this.deps.validation.validateForApproval(
            block.ctx,
            c.receipt,
            r.data.pvd,
            r.data.pov,
            (v) => finish(v),
          );
        }
      },
    );
  }

  /** `LocalApproval` then `maybe_create_signature`. */
  private localApproval(block: BlockEntry, c: CandidateEntry): void {
    if (!this.blocks.has(block.hash)) return; // finalized meanwhile
    const now = this.env.now();
    const tickNow = tickFromMicros(now);
    this.catchUp(block, now);
    // With a shared view, my approval counts there, from its publication.
    if (this.view === null) {
      this.setApproved(c, this.me);
      this.evaluate(block, c, tickNow, now);
    }
    block.pendingSignature.set(c.index, {
      candidateHash: c.hash,
      signNoLaterThanTick: signNoLaterThan(
        tickNow,
        block.blockTick,
        c.ours?.tranche ?? 0,
        this.noShowTicks(block),
      ),
    });
    this.maybeSign(block);
  }

  private maybeSign(block: BlockEntry): void {
    const tickNow = tickFromMicros(this.env.now());
    const { toSign, signNoLaterThanTick } = getCandidatesThatNeedSignature(
      block.pendingSignature,
      tickNow,
      block.params.maxApprovalCoalesceCount,
    );
    if (toSign !== null) {
      const payload = approvalVoteMultipleCandidatesSigningPayload(
        toSign.candidateHashes,
        block.sessionIndex,
      );
      const signature = this.env.crypto.sign(this.env.keypair.secretKey, payload);
      for (const i of toSign.candidateIndices) block.pendingSignature.delete(i);
      // A `no-show` adversary signs its approval and never sends it.
      const malus = this.env.malus;
      if (malus?.noShow()) {
        malus.note("no-show");
        return;
      }
      this.av.gossip.publish(
        block.hash,
        {
          kind: "approval",
          validator: this.me,
          candidateIndices: toSign.candidateIndices,
          signature,
        },
        APPROVAL_BYTES,
      );
      return;
    }
    if (signNoLaterThanTick === null) return;
    if (block.signTimerTick !== null && block.signTimerTick <= signNoLaterThanTick) return;
    block.signTimerTick = signNoLaterThanTick;
    this.env.after(tickStartMicros(signNoLaterThanTick) - this.env.now(), () => {
      if (block.signTimerTick !== signNoLaterThanTick) return;
      block.signTimerTick = null;
      this.maybeSign(block);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Importing what arrived.

  /** Imports, in arrival order, what reached me about `block` by `byUs` (see the header). */
  private catchUp(block: BlockEntry, byUs: number): void {
    if (this.view !== null) {
      this.catchUpFromView(block, this.view, byUs);
      return;
    }
    if (block.unapproved === 0 && !this.watching.has(block)) return;
    const { atUs, items } = this.av.gossip.arrivals(block.hash);
    let i = block.imported;
    for (; i < atUs.length && atUs[i]! <= byUs; i++) {
      const at = atUs[i]!;
      const tick = tickFromMicros(at);
      block.cursor = i - 1;
      this.recheck(block, tick);
      block.cursor = i;
      this.importArrival(block, items[i]!, at, tick);
    }
    block.imported = i;
    block.cursor = i - 1;
    this.recheck(block, tickFromMicros(byUs));
    // Approved in my view and nothing of mine waits on it: I will not read its gossip again.
    if (block.unapproved === 0 && !this.watching.has(block)) this.av.gossip.done(block.hash);
  }

  /**
   * My view from the shared one (docs/simulator.md "Approval views"): a candidate is approved in
   * my view once it is in the shared view, my copy of the item that approved it there has arrived
   * (my own item: at its publication), and `APPROVAL_DELAY` ticks have passed since my copy of the
   * last assignment it counted arrived, whichever is latest.
   */
  private catchUpFromView(block: BlockEntry, view: SharedApprovalView, byUs: number): void {
    if (block.unapproved === 0) return;
    for (const c of block.candidates) {
      if (c.approved) continue;
      const a = view.approvalOf(block.hash, c.index, byUs);
      if (a === null) continue;
      if (c.copyAtUs === null) {
        c.copyAtUs = a.item < 0 ? a.atUs : this.av.gossip.copyArrival!(block.hash, a.item);
        if (c.copyAtUs === null) continue; // no sending has reached me yet
      }
      let at = Math.max(a.atUs, c.copyAtUs);
      if (a.lastAssignmentItem >= 0) {
        // `Check::is_approved`: APPROVAL_DELAY ticks after the last counted assignment reached me
        // (if no copy of it has, it is not counted in my view, and neither is its delay).
        c.assignmentCopyAtUs ??= this.av.gossip.copyArrival!(block.hash, a.lastAssignmentItem);
        if (c.assignmentCopyAtUs !== null) {
          at = Math.max(at, tickStartMicros(tickFromMicros(c.assignmentCopyAtUs) + APPROVAL_DELAY));
        }
      }
      if (at > byUs) continue;
      c.approved = true;
      block.unapproved--;
      this.noteApproved(block, c, at, a.tranchesNeeded, a.noShows);
      // The modelled CPU of the checks I would have made by then (one per item published), as
      // the per-validator form charges its imports (accounting only).
      if (block.unapproved === 0) {
        this.checkCpuUs += this.env.verifyCostUs * view.itemsPublishedBy(block.hash, at);
      }
    }
  }

  /** The `Approved` checks waiting for `APPROVAL_DELAY` whose tick has come by `tick`. */
  private recheck(block: BlockEntry, tick: Tick): void {
    if (block.nextRecheck === null || block.nextRecheck > tick) return;
    block.nextRecheck = null;
    for (const c of block.candidates) {
      if (c.approved || c.recheckTick === null) continue;
      if (c.recheckTick > tick) {
        this.noteRecheck(block, c.recheckTick);
        continue;
      }
      const at = c.recheckTick;
      c.recheckTick = null;
      this.evaluate(block, c, at, tickStartMicros(at));
    }
  }

  private noteRecheck(block: BlockEntry, tick: Tick): void {
    if (block.nextRecheck === null || tick < block.nextRecheck) block.nextRecheck = tick;
  }

  private importArrival(block: BlockEntry, item: ApprovalItem, atUs: number, tick: Tick): void {
    if (item.validator === this.me) return; // imported when made
    if (item.kind === "assignment") this.importAssignment(block, item, tick, atUs);
    else this.importApproval(block, item, atUs, tick);
  }

  /** Whether `indices` name at least one candidate and only candidates of the block. */
  private validClaim(block: BlockEntry, indices: readonly number[]): boolean {
    if (indices.length === 0) return false;
    for (const i of indices) if (block.candidates[i] === undefined) return false;
    return true;
  }

  /** `check_and_import_assignment`. */
  private importAssignment(
    block: BlockEntry,
    item: Extract<ApprovalItem, { kind: "assignment" }>,
    tick: Tick,
    atUs: number,
  ): void {
    const indices = item.candidateIndices;
    const known = this.deps.shared.certChecks.get(item);
    if (known === "invalid-claim") return;
    if (known === undefined && !this.validClaim(block, indices)) {
      this.deps.shared.certChecks.set(item, "invalid-claim");
      return;
    }
    this.chargeCheck();
    const tranche = known === undefined ? this.checkedTranche(block, item) : known;
    if (tranche === null) return;
    // `TooFarInFuture`: a tranche beyond the current one by more than 20 ticks.
    if (tranche > Math.max(0, tick - block.blockTick) + TICK_TOO_FAR_IN_FUTURE) return;
    for (const i of indices) {
      const c = block.candidates[i]!;
      if (c.entry.isAssigned(item.validator)) continue; // `AcceptedDuplicate`
      c.entry.importAssignment(tranche, item.validator, tick);
      c.assignmentItems?.set(item.validator, block.cursor);
      this.evaluate(block, c, tick, atUs);
    }
    const held = block.held.get(item.validator);
    if (held !== undefined) {
      block.held.delete(item.validator);
      for (const h of held) this.importApproval(block, h.item, h.atUs, tick);
    }
  }

  /** The certificate's tranche (`check_assignment_cert`), or null if invalid (memoised per item). */
  private checkedTranche(
    block: BlockEntry,
    item: Extract<ApprovalItem, { kind: "assignment" }>,
  ): number | null {
    const sorted = item.candidateIndices
      .map((i) => block.candidates[i]!)
      .sort((a, b) => a.core - b.core);
    const result = checkAssignmentCert(
      this.vrf,
      sorted.map((c) => c.core),
      item.validator,
      block.config,
      block.story,
      item.cert as AssignmentCert,
      sorted.map((c) => c.backingGroup),
    );
    const tranche = result.ok ? result.value : null;
    if (!result.ok) this.log.warn("Invalid assignment", { validator: item.validator });
    this.deps.shared.certChecks.set(item, tranche);
    return tranche;
  }

  /** `check_and_import_approval`. */
  private importApproval(block: BlockEntry, item: ApprovalItem, atUs: number, tick: Tick): void {
    if (item.kind !== "approval") return;
    const known = this.deps.shared.approvalChecks.get(item);
    if (known === "invalid-claim") return;
    const indices = item.candidateIndices;
    if (known === undefined && !this.validClaim(block, indices)) {
      this.deps.shared.approvalChecks.set(item, "invalid-claim");
      return;
    }
    // Ordered delivery between two peers: an approval never overtakes its assignment.
    if (!this.assignedToAll(block, indices, item.validator)) {
      const list = block.held.get(item.validator);
      if (list === undefined) block.held.set(item.validator, [{ item, atUs }]);
      else list.push({ item, atUs });
      return;
    }
    this.chargeCheck();
    const check = known ?? this.checkApprovalSignature(block, item);
    if (check !== "valid") {
      this.log.warn("Invalid approval signature", { validator: item.validator });
      return;
    }
    for (const i of indices) {
      const c = block.candidates[i]!;
      this.setApproved(c, item.validator);
      this.evaluate(block, c, tick, atUs);
    }
  }

  /** The approval's signature check (the same for every receiver of the block), memoised. */
  private checkApprovalSignature(
    block: BlockEntry,
    item: Extract<ApprovalItem, { kind: "approval" }>,
  ): ApprovalCheck {
    const key = block.ctx.validatorKeys[item.validator];
    const payload = approvalVoteMultipleCandidatesSigningPayload(
      item.candidateIndices.map((i) => block.candidates[i]!.hash),
      block.sessionIndex,
    );
    const check: ApprovalCheck =
      key !== undefined && this.env.verify(payload, item.signature, key)
        ? "valid"
        : "invalid-signature";
    this.deps.shared.approvalChecks.set(item, check);
    return check;
  }

  private assignedToAll(block: BlockEntry, indices: readonly number[], v: ValidatorIndex): boolean {
    for (const i of indices) if (!block.candidates[i]!.entry.isAssigned(v)) return false;
    return true;
  }

  /** `advance_approval_state` at `tick` (the event happened at `atUs`). */
  private evaluate(block: BlockEntry, c: CandidateEntry, tick: Tick, atUs: number): void {
    if (c.approved) return;
    if (
      cannotBeApprovedYet(
        c.entry,
        c.approvalCount,
        block.params.neededApprovals,
        tick,
        block.blockTick,
        this.noShowTicks(block),
      )
    ) {
      return;
    }
    const result = tranchesToApproveResult(
      c.entry,
      c.approvals,
      Math.max(0, tick - block.blockTick),
      block.blockTick,
      this.noShowTicks(block),
      block.params.neededApprovals,
    );
    const required = result.requiredTranches;
    const check = checkApproval(c.approvals, c.entry, required, c.approvalCount);
    if (isApprovedAt(check, tick)) {
      c.approved = true;
      c.recheckTick = null;
      block.unapproved--;
      // `Exact`: the tranche it needed; approved by a third of the validators (`Pending` or
      // `All`): the last tranche that held an assignment.
      const needed =
        required.kind === "Exact"
          ? required.needed
          : (c.entry.tranches[c.entry.tranches.length - 1]?.tranche ?? 0);
      c.approval = {
        atUs,
        item: block.cursor,
        lastAssignmentItem:
          check.kind === "Approved"
            ? lastAssignmentItem(c, required.kind === "Exact" ? needed : null)
            : -1,
        tranchesNeeded: needed,
        noShows: result.totalObservedNoShows,
      };
      this.noteApproved(block, c, atUs, needed, result.totalObservedNoShows);
    } else if (check.kind === "Approved" && check.lastAssignmentTick !== null) {
      c.recheckTick = check.lastAssignmentTick + APPROVAL_DELAY;
      this.noteRecheck(block, c.recheckTick);
    }
  }

  /**
   * One received certificate or signature checked: `verifyCostUs` of modelled CPU, counted in
   * `checkCpuUs` (the CPU split of `npm run bench`). Accounting only: nothing waits for it, since
   * imports are lazy (see the header), so it delays nothing.
   */
  private chargeCheck(): void {
    this.checkCpuUs += this.env.verifyCostUs;
  }

  private setApproved(c: CandidateEntry, v: ValidatorIndex): void {
    if (c.approvals[v] === 1) return;
    c.approvals[v] = 1;
    c.approvalCount++;
  }

  private noteApproved(
    block: BlockEntry,
    c: CandidateEntry,
    atUs: number,
    tranchesNeeded: number,
    noShows: number,
  ): void {
    if (this.isSharedView) return; // not a validator's view
    this.av.onApproved?.({
      validator: this.me,
      block: block.hash,
      candidateHash: c.hash,
      atUs,
      tranchesNeeded,
      noShows,
    });
  }

  private noShowTicks(block: BlockEntry): Tick {
    return noShowDuration(this.av.slotDurationMs, block.params.noShowSlots);
  }
}

/**
 * The shared view's: the item of the latest assignment an `Approved` counted (the last published
 * among the tranches up to `needed`; all tranches when null), whose arrival starts a validator's
 * `APPROVAL_DELAY`; -1 if none.
 */
function lastAssignmentItem(c: CandidateEntry, needed: number | null): number {
  let last = -1;
  for (const t of c.entry.tranches) {
    if (needed !== null && t.tranche > needed) break;
    for (const [v] of t.assignments) last = Math.max(last, c.assignmentItems?.get(v) ?? -1);
  }
  return last;
}
