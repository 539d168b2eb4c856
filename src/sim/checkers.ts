/**
 * Safety checkers: invariants every run must keep, checked block by block from what the relay
 * chain carried and emitted. They observe and never steer (STYLE.md rule 8).
 *
 * They stand alone: every rule is stated HERE, sharing no threshold, group or rotation function
 * with `src/primitives`, `src/relay` or `src/node` (a test reads this file's imports), so that a
 * bug in a shared primitive cannot hide. Only encodings are imported (the candidate hash, head
 * hashing, the signing payloads): they are what validators sign, not rules. Every vote, bitfield
 * and approval counts only when its signature verifies against the key of the validator it names,
 * and once per validator.
 *
 * Sessions: the checker starts with the genesis session (the validator list and the host
 * configuration, nothing of the runtime's state) and is told of each new one (`onNewSession`,
 * with the new session's validator list in its own, shuffled, order). Validators keep their
 * genesis index as their name for the whole run (parapipe's simplification of the shuffle,
 * relay/session-change.ts), so the checker names the new groups by matching keys.
 * It splits the session's validators into groups itself, as polkadot-sdk's scheduler does
 * (`initializer_on_new_session`: `max(numCores, n / maxValidatorsPerCore)` contiguous groups of
 * the session's validator indices, the first `n mod cores` one larger) and rotates them from the
 * session start every `groupRotationFrequency` blocks (`group_assigned_to_core`). At a session
 * change, as the inclusion pallet's `initializer_on_new_session` drains `PendingAvailability`
 * (no event), every candidate pending availability is dropped: one included later was never
 * backed in this session. The allowed relay parents restart at the session's first block
 * (shared.rs clears its tracker: a relay parent lies in the backing block's session, or is the
 * block just before its start).
 *
 * 1. (`backed-by-group`) nothing is backed without the quorum of the group assigned to its core
 *    at relay parent + 1: `min(groupLen, minimumBackingVotes)` validity votes of that group's
 *    members, each signed over the candidate in the relay parent's signing context;
 * 2. (`available`) nothing is included below the availability supermajority
 *    `n - floor((n - 1) / 3)` of distinct validators whose correctly signed bitfields, carried by
 *    the blocks after the one that backed it, voted for its core;
 * 3. (`heads-chain`) included heads chain without gaps from the para's genesis head;
 * 4. (`relay-parent`) relay parents lie within the allowed ancestry of the block that backs them
 *    (`allowedAncestryLen` blocks before its parent, not before the session start's parent) and
 *    never move backwards along a para's chain;
 * 5. (`included-twice`) no candidate is included twice;
 * 6. (`bitfield-threshold`) every bitfield a block carried is one the runtime's sanitising must
 *    keep: its validator within the session, validators strictly ascending (one bitfield each),
 *    one bit per core, and its signature valid over the block's signing context (the session and
 *    the block's parent). A bitfield below that bar must never count towards the threshold;
 * 7. (`node-runtime-agreement`) the node's and the runtime's acceptance agree: every backed
 *    candidate the block author's provisioner offered is accepted, except two documented edges,
 *    counted and never hidden:
 *    - availability: the provisioner's `3k >= 2n` frees a core the runtime's
 *      `k >= n - floor((n-1)/3)` keeps occupied (the offered candidate is dropped as not
 *      scheduled, with its descendants), or times out in this very block (the candidate built on
 *      it no longer matches the para's head: `ValidationDataHashMismatch`);
 *    - core conflict: the G2 provisioner asks prospective parachains for as many candidates as
 *      the para has free cores without looking at the cores their UMP `SelectCore` signals
 *      commit to (the node's fragment chain knows nothing of cores: `request_backable_candidates`
 *      zips the answer with the set of free cores); when a candidate commits to a core another
 *      candidate of the chain takes in this block (their relay parents differ, so both use
 *      selector k), or to a core its para's earlier candidate still holds (pending availability),
 *      the runtime's `map_candidates_to_cores` keeps the prefix before it.
 * 8. (`approved-before-final`) no relay block is finalized with a candidate it included that was
 *    not approved, judged from the approval gossip alone: each approval's signature checked over
 *    its candidates in the including block's session, one vote per validator; approved when more
 *    than a third of the validators signed it, or when at least `needed_approvals` validators
 *    that gossiped an assignment for it signed it, or when approval voting approves it at import
 *    (`needed_approvals` 0, or fewer validators outside its backing group, as this checker
 *    computed it, than `needed_approvals`). This is the safety floor of the tranche rule, stated
 *    on its own: a lower bound, not the rule itself.
 *
 * Simplified: the host configuration is the one the checker was built with (upgrades of it are
 * not followed); disputes are not modelled, so no core is disputed.
 *
 * Ref: polkadot/runtime/parachains/src/scheduler.rs (initializer_on_new_session,
 *      group_assigned_to_core), polkadot/primitives/src/v8/mod.rs (GroupRotationInfo,
 *      byzantine_threshold, supermajority_threshold, effective_minimum_backing_votes,
 *      check_candidate_backing), runtime/parachains/src/inclusion/mod.rs (availability_threshold,
 *      initializer_on_new_session), paras_inherent/mod.rs (sanitize_bitfields), shared.rs
 *      (AllowedRelayParentsTracker, initializer_on_new_session), node/core/approval-voting.
 */

import type { ApprovalItem } from "../actors/env.ts";
import type { HostConfiguration } from "../config/host-configuration.ts";
import { assert } from "../lib/assert.ts";
import { type Hash, toHex } from "../lib/hex.ts";
import { getOrInsertComputed } from "../lib/memo.ts";
import { candidateHash } from "../primitives/candidate.ts";
import type { CandidateHash, CoreIndex, ParaId, ValidatorIndex } from "../primitives/codecs.ts";
import { hashHex } from "../primitives/hashing.ts";
import type { BackedCandidate } from "../primitives/inherent.ts";
import {
  approvalVoteMultipleCandidatesSigningPayload,
  attestationSignedPayload,
  bitfieldSigningPayload,
} from "../primitives/statements.ts";
import type { RelayBlockRecord } from "./records.ts";

export interface Violation {
  readonly relayBlock: number;
  readonly invariant:
    | "backed-by-group"
    | "available"
    | "heads-chain"
    | "relay-parent"
    | "included-twice"
    | "node-runtime-agreement"
    | "bitfield-threshold"
    | "approved-before-final";
  readonly message: string;
}

/** A session as the checker is told of it (the hook a `session-change` calls). */
export interface NewSession {
  /** The first block of the session (`SessionStartBlock`: the block after the change). */
  readonly startBlock: number;
  readonly sessionIndex: number;
  /**
   * The public key of the session's validator i, in the session's order (Polkadot's shuffled
   * `ActiveValidatorKeys`: its groups are contiguous ranges of this list).
   */
  readonly validatorKeys: readonly Uint8Array[];
}

export interface CheckerParams {
  readonly config: HostConfiguration;
  /** The genesis session: its validator list (active validators, by index) and index. */
  readonly genesisSession: NewSession;
  readonly genesisHeads: ReadonlyMap<ParaId, Hash>;
  /** The parent head hash of an authored para block, by its head hash. */
  readonly blockFacts: (headHash: Hash) => { readonly parentHeadHash: Hash } | undefined;
  /** The number of a relay block, by hash. */
  readonly relayNumber: (hash: Hash) => number | undefined;
  /** A signature check (the simulator's, memoised: its result is the crypto's). */
  readonly verify: (message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array) => boolean;
}

/**
 * The availability supermajority, stated here on its own (`n - byzantine_threshold(n)`,
 * `byzantine_threshold(n) = (n - 1) / 3` rounded down; polkadot-primitives): not imported, so a
 * wrong threshold elsewhere cannot hide.
 */
export function checkerSupermajority(n: number): number {
  return n - Math.floor(Math.max(n - 1, 0) / 3);
}

/**
 * The session's validator groups, as polkadot-sdk's scheduler splits them at a new session
 * (`initializer_on_new_session`): `max(numCores, n / maxValidatorsPerCore)` groups of contiguous
 * validator indices (the list is already shuffled by the shared pallet), the first `n mod cores`
 * one member larger. No validator or no core: no group.
 */
export function checkerValidatorGroups(n: number, config: HostConfiguration): number[][] {
  const sp = config.schedulerParams;
  const perCore = sp.maxValidatorsPerCore;
  const cores = Math.max(
    sp.numCores,
    perCore !== null && perCore !== 0 ? Math.floor(n / perCore) : 0,
  );
  if (cores === 0 || n === 0) return [];
  const base = Math.floor(n / cores);
  const larger = n % cores;
  const groups: number[][] = [];
  let next = 0;
  for (let g = 0; g < cores; g++) {
    const size = g < larger ? base + 1 : base;
    groups.push(Array.from({ length: size }, (_, j) => next + j));
    next += size;
  }
  return groups;
}

/**
 * A session as the checker uses it. Validators are named by their LABEL, their index in the
 * genesis list, for the whole run: parapipe keeps a validator at its genesis index across
 * sessions (relay/session-change.ts renames the groups instead of the validators), so votes,
 * bitfields and approvals carry the label. The groups are split over the session's order and
 * renamed to labels by matching keys.
 */
interface Session {
  readonly startBlock: number;
  readonly sessionIndex: number;
  /** Keys by label. */
  readonly validatorKeys: readonly Uint8Array[];
  /** Groups of labels. */
  readonly groups: readonly (readonly number[])[];
}

/**
 * `group_assigned_to_core(core, at)`: groups rotate over the cores every
 * `groupRotationFrequency` blocks from the session start, `(core + rotations) mod groups`; none
 * before the session start or for a core beyond the groups. A zero frequency is refused by the
 * configuration (`ZeroGroupRotationFrequency`): no rotation then.
 */
function groupAssignedToCore(
  s: Session,
  config: HostConfiguration,
  core: CoreIndex,
  at: number,
): number | null {
  if (at < s.startBlock || core >= s.groups.length) return null;
  const frequency = config.schedulerParams.groupRotationFrequency;
  const rotations = frequency === 0 ? 0 : Math.floor((at - s.startBlock) / frequency);
  return (core + rotations) % s.groups.length;
}

/**
 * What the checkers read of a relay block: the world's record of it (what it carried, emitted and
 * dropped, and what its author's provisioner decided).
 */
export type BlockObservation = Pick<
  RelayBlockRecord,
  "header" | "events" | "offered" | "accepted" | "dropped" | "decision" | "tampered"
>;

interface Pending {
  readonly hash: CandidateHash;
  readonly core: CoreIndex;
  readonly backedIn: number;
  readonly relayParentNumber: number;
  /** Distinct validators with a correctly signed bitfield voting for it (1: voted), and how many. */
  readonly votes: Uint8Array;
  voteCount: number;
}

const SCHEDULING_DROPS: ReadonlySet<string> = new Set([
  "ParaNotScheduled",
  "CoreNotScheduled",
  "ExceedsScheduledCores",
]);

export class SafetyChecker {
  readonly violations: Violation[] = [];
  /** Candidates offered on a core the provisioner judged free by `3k >= 2n` but the runtime did not. */
  availabilityEdgeDrops = 0;
  /** Candidates dropped because an earlier candidate of the same chain took their core. */
  coreConflictDrops = 0;
  private readonly pending = new Map<ParaId, Pending[]>();
  private readonly includedHead = new Map<ParaId, Hash>();
  private readonly lastContext = new Map<ParaId, number>();
  private readonly included = new Set<CandidateHash>();
  /** The size of the group the checker found backing a candidate (until it is finalized). */
  private readonly backingGroupSize = new Map<CandidateHash, number>();
  /** The sessions entered, by start block (ascending), and the ones announced but not started. */
  private readonly sessions: Session[] = [];
  private readonly upcoming: Session[] = [];
  /** A validator's label (its genesis index), by its key (hex). */
  private readonly labelOf = new Map<string, number>();
  /** The highest block seen (a session must be announced before its first block). */
  private lastBlock = 0;

  constructor(private readonly p: CheckerParams) {
    for (const [para, head] of p.genesisHeads) this.includedHead.set(para, head);
    const keys = p.genesisSession.validatorKeys;
    keys.forEach((k, i) => {
      this.labelOf.set(toHex(k), i);
    });
    this.sessions.push({
      startBlock: p.genesisSession.startBlock,
      sessionIndex: p.genesisSession.sessionIndex,
      validatorKeys: keys,
      groups: checkerValidatorGroups(keys.length, p.config),
    });
  }

  /** A new session: its groups split over its order, then named by label. */
  private session(s: NewSession): Session {
    const genesisKeys = this.p.genesisSession.validatorKeys;
    const labels = s.validatorKeys.map((k) => {
      const label = this.labelOf.get(toHex(k));
      assert(
        label !== undefined,
        () => `session ${s.sessionIndex}: a validator not in the genesis set (not modelled)`,
      );
      return label;
    });
    assert(
      labels.length === genesisKeys.length && new Set(labels).size === labels.length,
      () => `session ${s.sessionIndex}: not a reordering of the genesis validators (not modelled)`,
    );
    const groups = checkerValidatorGroups(labels.length, this.p.config).map((g) =>
      g.map((position) => labels[position]!),
    );
    return {
      startBlock: s.startBlock,
      sessionIndex: s.sessionIndex,
      validatorKeys: genesisKeys,
      groups,
    };
  }

  /**
   * A new session starts at `startBlock` (same or other validators; their groups are recomputed
   * here from the list). Called before the checker sees block `startBlock` (asserted: a late call
   * is a wiring bug).
   */
  onNewSession(s: NewSession): void {
    assert(
      s.startBlock > this.lastBlock,
      () =>
        `session ${s.sessionIndex} starts at block ${s.startBlock}, the checker has seen block ${this.lastBlock}`,
    );
    this.upcoming.push(this.session(s));
    this.upcoming.sort((a, b) => a.startBlock - b.startBlock);
  }

  /** The session block `number` belongs to. */
  private sessionAt(number: number): Session {
    for (let i = this.sessions.length - 1; i > 0; i--) {
      if (this.sessions[i]!.startBlock <= number) return this.sessions[i]!;
    }
    return this.sessions[0]!;
  }

  /** Enter the sessions starting at or before `number`: pending availability is drained. */
  private enterSessions(number: number): void {
    while (this.upcoming.length > 0 && this.upcoming[0]!.startBlock <= number) {
      this.sessions.push(this.upcoming.shift()!);
      for (const chain of this.pending.values()) {
        for (const c of chain) this.backingGroupSize.delete(c.hash);
      }
      this.pending.clear();
    }
  }

  /**
   * Invariant 8 for a block being finalized: its included candidates (in event order) and the
   * approval gossip published about it.
   */
  onFinalized(o: {
    readonly relayBlock: number;
    readonly included: readonly { readonly candidateHash: CandidateHash }[];
    readonly items: readonly ApprovalItem[];
  }): void {
    const s = this.sessionAt(o.relayBlock);
    const n = s.validatorKeys.length;
    const needed = this.p.config.neededApprovals;
    o.included.forEach((c, i) => {
      const groupSize = this.backingGroupSize.get(c.candidateHash) ?? 0;
      this.backingGroupSize.delete(c.candidateHash);
      if (needed === 0 || n - groupSize < needed) return;
      const assigned = new Set<ValidatorIndex>();
      const approvers = new Set<ValidatorIndex>();
      for (const item of o.items) {
        if (!item.candidateIndices.includes(i)) continue;
        if (item.kind === "assignment") {
          assigned.add(item.validator);
          continue;
        }
        if (approvers.has(item.validator)) continue;
        const hashes = item.candidateIndices.map((k) => o.included[k]?.candidateHash);
        const key = s.validatorKeys[item.validator];
        if (key === undefined || hashes.some((h) => h === undefined)) continue;
        const payload = approvalVoteMultipleCandidatesSigningPayload(
          hashes as CandidateHash[],
          s.sessionIndex,
        );
        if (this.p.verify(payload, item.signature, key)) approvers.add(item.validator);
      }
      const assignedApprovers = [...approvers].filter((v) => assigned.has(v)).length;
      if (3 * approvers.size > n || assignedApprovers >= needed) return;
      this.fail(
        o.relayBlock,
        "approved-before-final",
        `candidate ${c.candidateHash} finalized with ${approvers.size} approvals (` +
          `${assignedApprovers} from assigned checkers; needed ${needed}, or more than ${n}/3)`,
      );
    });
  }

  private fail(relayBlock: number, invariant: Violation["invariant"], message: string): void {
    this.violations.push({ relayBlock, invariant, message });
  }

  onBlock(o: BlockObservation): void {
    const number = o.header.number;
    this.lastBlock = Math.max(this.lastBlock, number);
    this.enterSessions(number);
    const session = this.sessionAt(number);
    // Availability votes carried by this block count for the candidates pending before it.
    const voted: Pending[] = [];
    for (const chain of this.pending.values()) {
      for (const c of chain) if (c.backedIn < number) voted.push(c);
    }
    this.countBitfields(o, session, voted);
    const backedByHash = new Map<CandidateHash, BackedCandidate>();
    for (const b of o.accepted.backedCandidates) backedByHash.set(candidateHash(b.candidate), b);

    for (const e of o.events) {
      if (e.kind === "UpwardMessagesReceived") continue;
      const para = e.paraId;
      const hash = e.candidateHash;
      const chain = this.pending.get(para) ?? [];
      this.pending.set(para, chain);
      switch (e.kind) {
        case "CandidateBacked": {
          const rpn = this.p.relayNumber(e.receipt.descriptor.relayParent);
          if (rpn === undefined) {
            this.fail(
              number,
              "relay-parent",
              `candidate ${hash} of para ${para}: unknown relay parent`,
            );
            break;
          }
          this.checkRelayParent(number, session, para, hash, rpn);
          this.checkBacking(number, session, para, hash, e.core, rpn, backedByHash.get(hash));
          chain.push({
            hash,
            core: e.core,
            backedIn: number,
            relayParentNumber: rpn,
            votes: new Uint8Array(session.validatorKeys.length),
            voteCount: 0,
          });
          this.lastContext.set(para, rpn);
          break;
        }
        case "CandidateIncluded": {
          const idx = chain.findIndex((c) => c.hash === hash);
          if (this.included.has(hash))
            this.fail(number, "included-twice", `candidate ${hash} of para ${para}`);
          this.included.add(hash);
          if (idx === -1) {
            this.fail(
              number,
              "backed-by-group",
              `candidate ${hash} of para ${para} included but never backed`,
            );
            break;
          }
          const c = chain[idx]!;
          const need = checkerSupermajority(session.validatorKeys.length);
          if (c.voteCount < need) {
            this.fail(
              number,
              "available",
              `candidate ${hash} of para ${para}: ${c.voteCount} availability votes, ${need} needed`,
            );
          }
          const head = hashHex(e.headData);
          const facts = this.p.blockFacts(head);
          const expected = this.includedHead.get(para);
          if (!facts)
            this.fail(
              number,
              "heads-chain",
              `para ${para}: included head ${head} was never authored`,
            );
          else if (facts.parentHeadHash !== expected) {
            this.fail(
              number,
              "heads-chain",
              `para ${para}: included head ${head} builds on ${facts.parentHeadHash}, the included head is ${expected}`,
            );
          }
          this.includedHead.set(para, head);
          chain.splice(idx, 1);
          break;
        }
        case "CandidateTimedOut": {
          const idx = chain.findIndex((c) => c.hash === hash);
          if (idx !== -1) chain.splice(idx, 1);
          this.backingGroupSize.delete(hash);
          const last = chain[chain.length - 1];
          this.lastContext.delete(para);
          if (last) this.lastContext.set(para, last.relayParentNumber);
          break;
        }
      }
    }
    this.checkAgreement(o);
  }

  /**
   * The block's bitfields: each judged by the sanitising rule (`bitfield-threshold`), and the
   * votes of those whose signature verifies (signing context: the session and the block's parent,
   * what its validators signed at the leaf) counted, one per validator, for the candidates
   * pending before the block (`available`).
   */
  private countBitfields(o: BlockObservation, s: Session, voted: readonly Pending[]): void {
    const number = o.header.number;
    const context = { sessionIndex: s.sessionIndex, parentHash: o.header.parentHash };
    const cores = s.groups.length;
    let last = -1;
    for (const bf of o.accepted.bitfields) {
      const v = bf.validatorIndex;
      const key = s.validatorKeys[v];
      const bad = (why: string) =>
        this.fail(
          number,
          "bitfield-threshold",
          `the block carried validator ${v}'s bitfield: ${why}`,
        );
      if (v <= last) bad(`not strictly after validator ${last}'s`);
      last = Math.max(last, v);
      if (key === undefined) {
        bad(`no validator ${v} in session ${s.sessionIndex}`);
        continue;
      }
      if (bf.payload.length !== cores) bad(`${bf.payload.length} bits, ${cores} cores`);
      if (!this.p.verify(bitfieldSigningPayload(bf.payload, context), bf.signature, key)) {
        bad("bad signature");
        continue;
      }
      for (const c of voted) {
        if (bf.payload[c.core] && c.votes[v] === 0) {
          c.votes[v] = 1;
          c.voteCount++;
        }
      }
    }
  }

  private checkRelayParent(
    block: number,
    s: Session,
    para: ParaId,
    hash: CandidateHash,
    rpn: number,
  ): void {
    const allowed = this.p.config.asyncBackingParams.allowedAncestryLen;
    // The tracker is cleared at a session change and refilled with each block's parent.
    const lo = Math.max(block - 1 - allowed, s.startBlock - 1, 0);
    if (rpn > block - 1 || rpn < lo) {
      this.fail(
        block,
        "relay-parent",
        `candidate ${hash} of para ${para}: relay parent #${rpn} outside ${lo}..${block - 1}`,
      );
    }
    const prev = this.lastContext.get(para);
    if (prev !== undefined && rpn < prev) {
      this.fail(
        block,
        "relay-parent",
        `candidate ${hash} of para ${para}: relay parent #${rpn} before its predecessor's #${prev}`,
      );
    }
  }

  /**
   * `check_candidate_backing` restated: the votes of the group assigned to the core at relay
   * parent + 1, in the order of its set bits (the first `groupLen` bits; an injected core index
   * follows them), each verified over the candidate in the relay parent's signing context.
   */
  private checkBacking(
    block: number,
    s: Session,
    para: ParaId,
    hash: CandidateHash,
    core: CoreIndex,
    rpn: number,
    backed: BackedCandidate | undefined,
  ): void {
    if (!backed) {
      this.fail(
        block,
        "backed-by-group",
        `candidate ${hash} of para ${para}: backed event without a backed candidate in the block`,
      );
      return;
    }
    const group = groupAssignedToCore(s, this.p.config, core, rpn + 1);
    if (group === null) {
      this.fail(
        block,
        "backed-by-group",
        `candidate ${hash} of para ${para}: no group serves core ${core} at #${rpn + 1}`,
      );
      return;
    }
    const members = s.groups[group]!;
    this.backingGroupSize.set(hash, members.length);
    const context = {
      sessionIndex: s.sessionIndex,
      parentHash: backed.candidate.descriptor.relayParent,
    };
    let vote = 0;
    let votes = 0;
    for (let i = 0; i < members.length && vote < backed.validityVotes.length; i++) {
      if (!backed.validatorIndices[i]) continue;
      const attestation = backed.validityVotes[vote++]!;
      const key = s.validatorKeys[members[i]!];
      if (key === undefined) continue;
      const payload = attestationSignedPayload(attestation, hash, context);
      if (this.p.verify(payload, attestation.signature, key)) votes++;
    }
    const need = Math.min(members.length, this.p.config.minimumBackingVotes);
    if (votes < need) {
      this.fail(
        block,
        "backed-by-group",
        `candidate ${hash} of para ${para}: ${votes} votes of group ${group}, ${need} needed`,
      );
    }
  }

  private checkAgreement(o: BlockObservation): void {
    // A malicious author's offer is not its provisioner's: nothing to compare.
    if (o.tampered) return;
    const number = o.header.number;
    const available = new Set(o.decision?.availableCandidates ?? []);
    const includedNow = new Set<CandidateHash>();
    for (const e of o.events) if (e.kind === "CandidateIncluded") includedNow.add(e.candidateHash);
    // The availability edge: the provisioner judged a pending candidate available, the runtime did not.
    const edgeParas = new Set<ParaId>();
    for (const [para, chain] of this.pending) {
      if (chain.some((c) => available.has(c.hash) && !includedNow.has(c.hash))) edgeParas.add(para);
    }
    // ... and timed it out in this block: the para's head went back, so a candidate built on the
    // one the node judged available no longer matches its validation data.
    const edgeTimedOut = new Set<ParaId>();
    for (const e of o.events) {
      if (e.kind === "CandidateTimedOut" && available.has(e.candidateHash)) {
        edgeTimedOut.add(e.paraId);
      }
    }
    const coresTaken = new Map<ParaId, Set<CoreIndex>>();
    for (const e of o.events) {
      if (e.kind !== "CandidateBacked") continue;
      const set = coresTaken.get(e.paraId) ?? new Set<CoreIndex>();
      coresTaken.set(e.paraId, set);
      set.add(e.core);
    }
    // Cores still held by a candidate of the para backed in an earlier block (pending availability).
    const coresHeld = new Map<ParaId, Set<CoreIndex>>();
    for (const [para, chain] of this.pending) {
      for (const c of chain) {
        if (c.backedIn < number) getOrInsertComputed(coresHeld, para, () => new Set()).add(c.core);
      }
    }
    const conflictParas = new Set<ParaId>();
    for (const d of o.dropped) {
      const code = d.reason.code;
      if (
        d.reason.code === "CoreNotScheduled" &&
        (coresTaken.get(d.paraId)?.has(d.reason.core) ||
          coresHeld.get(d.paraId)?.has(d.reason.core))
      ) {
        this.coreConflictDrops++;
        conflictParas.add(d.paraId);
        continue;
      }
      if (code === "AncestorDropped" && conflictParas.has(d.paraId)) {
        this.coreConflictDrops++;
        continue;
      }
      if (edgeParas.has(d.paraId) && (SCHEDULING_DROPS.has(code) || code === "AncestorDropped")) {
        this.availabilityEdgeDrops++;
        continue;
      }
      if (
        edgeTimedOut.has(d.paraId) &&
        (code === "ValidationDataHashMismatch" || code === "AncestorDropped")
      ) {
        this.availabilityEdgeDrops++;
        continue;
      }
      this.fail(
        number,
        "node-runtime-agreement",
        `the runtime dropped candidate ${d.candidateHash} of para ${d.paraId} that the provisioner offered: ${JSON.stringify(d.reason)}`,
      );
    }
  }
}
