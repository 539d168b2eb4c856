/**
 * Safety checkers: invariants every run must keep, checked block by block from what the relay
 * chain carried and emitted. They observe and never steer (STYLE.md rule 8). Each is stated
 * independently of the relay runtime's own code (groups, thresholds and chaining are recomputed
 * here from primitives), so a bug in either shows up as a violation:
 *
 * 1. nothing is included that was not backed by enough of its group (the group assigned to the
 *    candidate's core at relay parent + 1, `min(groupLen, minimumBackingVotes)` votes);
 * 2. nothing is included that more than 2/3 of the validators did not make available (bitfields
 *    carried by the blocks after the one that backed it);
 * 3. included heads chain without gaps from the para's genesis head;
 * 4. relay parents lie within the allowed ancestry of the block that backs them and never move
 *    backwards along a para's chain;
 * 5. no candidate is included twice;
 * 6. (`bitfield-threshold`) nothing is included below the supermajority of DISTINCT validators
 *    whose signed bitfields the chain carried since the block that backed it, counted from the
 *    bitfields alone: each signature checked against the validator's key in its signing context,
 *    one vote per validator, the threshold `n - floor((n - 1) / 3)` written out here and shared
 *    with no primitive (so an off-by-one in the runtime's or the primitives' threshold, or a
 *    runtime that stops checking signatures, shows as a violation);
 * 7. the node's and the runtime's acceptance agree: every backed candidate the block author's
 *    provisioner offered is accepted, except two documented edges, counted and never hidden:
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
 *    its candidates, one vote per validator; approved when more than a third of the validators
 *    signed it, or when at least `needed_approvals` validators that gossiped an assignment for
 *    it signed it, or when approval voting approves it at import (`needed_approvals` 0, or fewer
 *    validators outside its backing group than `needed_approvals`). This is the safety floor of
 *    the tranche rule, stated on its own: a lower bound, not the rule itself.
 */

import type { ApprovalItem } from "../actors/env.ts";
import type { HostConfiguration } from "../config/host-configuration.ts";
import type { Hash } from "../lib/hex.ts";
import { getOrInsertComputed } from "../lib/memo.ts";
import { candidateHash } from "../primitives/candidate.ts";
import type { CandidateHash, CoreIndex, ParaId, ValidatorIndex } from "../primitives/codecs.ts";
import { groupForCore } from "../primitives/group-rotation.ts";
import { hashHex } from "../primitives/hashing.ts";
import type { BackedCandidate } from "../primitives/inherent.ts";
import {
  approvalVoteMultipleCandidatesSigningPayload,
  bitfieldSigningPayload,
} from "../primitives/statements.ts";
import { availabilityThreshold, effectiveMinimumBackingVotes } from "../primitives/thresholds.ts";
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

export interface CheckerParams {
  readonly config: HostConfiguration;
  readonly validators: number;
  readonly groups: readonly (readonly ValidatorIndex[])[];
  readonly sessionStartBlock: number;
  readonly genesisHeads: ReadonlyMap<ParaId, Hash>;
  /** The parent head hash of an authored para block, by its head hash. */
  readonly blockFacts: (headHash: Hash) => { readonly parentHeadHash: Hash } | undefined;
  /** The number of a relay block, by hash. */
  readonly relayNumber: (hash: Hash) => number | undefined;
  /** The validators' public keys, by index, and the session the bitfields are signed in. */
  readonly validatorKeys: readonly Uint8Array[];
  readonly sessionIndex: number;
  /** A signature check (the simulator's, memoised: its result is the crypto's). */
  readonly verify: (message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array) => boolean;
}

/**
 * The availability supermajority, stated here on its own (`n - byzantine_threshold(n)`,
 * `byzantine_threshold(n) = (n - 1) / 3` rounded down; polkadot-primitives): not imported, so a
 * wrong threshold elsewhere cannot hide.
 */
function bitfieldSupermajority(n: number): number {
  return n - Math.floor((n - 1) / 3);
}

/**
 * What the checkers read of a relay block: the world's record of it (what it carried, emitted and
 * dropped, and what its author's provisioner decided).
 */
export type BlockObservation = Pick<
  RelayBlockRecord,
  "header" | "events" | "offered" | "accepted" | "dropped" | "decision"
>;

interface CheckerSession {
  readonly startBlock: number;
  readonly sessionIndex: number;
  readonly validatorKeys: readonly Uint8Array[];
  readonly groups: readonly (readonly ValidatorIndex[])[];
}

interface Pending {
  readonly hash: CandidateHash;
  readonly core: CoreIndex;
  readonly backedIn: number;
  readonly relayParentNumber: number;
  /** Availability votes by validator index (1: voted), and how many. */
  readonly votes: Uint8Array;
  voteCount: number;
  /** Distinct validators with a correctly signed bitfield voting for it (`bitfield-threshold`). */
  readonly signed: Uint8Array;
  signedCount: number;
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

  /** The sessions seen, oldest first (the genesis one from the params); the last is current. */
  private readonly sessions: CheckerSession[];

  constructor(private readonly p: CheckerParams) {
    for (const [para, head] of p.genesisHeads) this.includedHead.set(para, head);
    this.sessions = [
      {
        startBlock: p.sessionStartBlock,
        sessionIndex: p.sessionIndex,
        validatorKeys: p.validatorKeys,
        groups: p.groups,
      },
    ];
  }

  private get session(): CheckerSession {
    return this.sessions[this.sessions.length - 1]!;
  }

  /** The session relay block `number` was executed in (the last one started at or before it). */
  private sessionOf(number: number): CheckerSession {
    for (let i = this.sessions.length - 1; i > 0; i--) {
      if (this.sessions[i]!.startBlock <= number) return this.sessions[i]!;
    }
    return this.sessions[0]!;
  }

  /**
   * A new session starts at `startBlock` (called after the block that applied it was observed).
   * The runtime drops every candidate pending availability at a session change (inclusion's
   * `initializer_on_new_session`), so the checker forgets them too. `validatorKeys[i]` is the key
   * of the new session's validator i; `groups` (optional) the new session's validator groups,
   * else the groups stay as they were.
   */
  onNewSession(s: {
    readonly startBlock: number;
    readonly sessionIndex: number;
    readonly validatorKeys: readonly Uint8Array[];
    readonly groups?: readonly (readonly ValidatorIndex[])[];
  }): void {
    this.sessions.push({
      startBlock: s.startBlock,
      sessionIndex: s.sessionIndex,
      validatorKeys: s.validatorKeys,
      groups: s.groups ?? this.session.groups,
    });
    this.pending.clear();
    this.lastContext.clear();
  }

  /**
   * Invariant 8 for a block being finalized: its included candidates (in event order, with their
   * backing group's size) and the approval gossip published about it.
   */
  onFinalized(o: {
    readonly relayBlock: number;
    readonly included: readonly {
      readonly candidateHash: CandidateHash;
      readonly groupSize: number;
    }[];
    readonly items: readonly ApprovalItem[];
    readonly neededApprovals: number;
  }): void {
    const n = this.p.validators;
    const session = this.sessionOf(o.relayBlock);
    o.included.forEach((c, i) => {
      if (o.neededApprovals === 0 || n - c.groupSize < o.neededApprovals) return;
      const assigned = new Set<ValidatorIndex>();
      const approvers = new Set<ValidatorIndex>();
      for (const item of o.items) {
        if (!item.candidateIndices.includes(i)) continue;
        if (item.kind === "assignment") {
          assigned.add(item.validator);
          continue;
        }
        const hashes = item.candidateIndices.map((k) => o.included[k]?.candidateHash);
        const key = session.validatorKeys[item.validator];
        if (key === undefined || hashes.some((h) => h === undefined)) continue;
        const payload = approvalVoteMultipleCandidatesSigningPayload(
          hashes as CandidateHash[],
          session.sessionIndex,
        );
        if (this.p.verify(payload, item.signature, key)) approvers.add(item.validator);
      }
      const assignedApprovers = [...approvers].filter((v) => assigned.has(v)).length;
      if (3 * approvers.size > n || assignedApprovers >= o.neededApprovals) return;
      this.fail(
        o.relayBlock,
        "approved-before-final",
        `candidate ${c.candidateHash} finalized with ${approvers.size} approvals (` +
          `${assignedApprovers} from assigned checkers; needed ${o.neededApprovals}, or more than ${n}/3)`,
      );
    });
  }

  private fail(relayBlock: number, invariant: Violation["invariant"], message: string): void {
    this.violations.push({ relayBlock, invariant, message });
  }

  onBlock(o: BlockObservation): void {
    const number = o.header.number;
    // Availability votes carried by this block count for the candidates pending before it.
    const voted: Pending[] = [];
    for (const chain of this.pending.values()) {
      for (const c of chain) if (c.backedIn < number) voted.push(c);
    }
    for (const bf of o.accepted.bitfields) {
      const v = bf.validatorIndex;
      for (let i = 0; i < voted.length; i++) {
        const c = voted[i]!;
        if (bf.payload[c.core] && c.votes[v] === 0) {
          c.votes[v] = 1;
          c.voteCount++;
        }
      }
    }
    this.countSignedBitfields(o, voted);
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
          this.checkRelayParent(number, para, hash, rpn);
          this.checkBacking(number, para, hash, e.core, rpn, backedByHash.get(hash));
          chain.push({
            hash,
            core: e.core,
            backedIn: number,
            relayParentNumber: rpn,
            votes: new Uint8Array(this.p.validators),
            voteCount: 0,
            signed: new Uint8Array(this.p.validators),
            signedCount: 0,
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
          const need = availabilityThreshold(this.p.validators);
          if (c.voteCount < need) {
            this.fail(
              number,
              "available",
              `candidate ${hash} of para ${para}: ${c.voteCount} availability votes, ${need} needed`,
            );
          }
          const supermajority = bitfieldSupermajority(this.p.validators);
          if (c.signedCount < supermajority) {
            this.fail(
              number,
              "bitfield-threshold",
              `candidate ${hash} of para ${para}: included with ${c.signedCount} distinct signed bitfields, ${supermajority} needed`,
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
   * The votes of the block's bitfields that carry a valid signature (signing context: the
   * session and the block's parent, what its validators signed at the leaf), one per validator.
   */
  private countSignedBitfields(o: BlockObservation, voted: readonly Pending[]): void {
    if (voted.length === 0 || o.accepted.bitfields.length === 0) return;
    const session = this.session;
    const context = { sessionIndex: session.sessionIndex, parentHash: o.header.parentHash };
    const seen = new Set<ValidatorIndex>();
    for (const bf of o.accepted.bitfields) {
      const v = bf.validatorIndex;
      const key = session.validatorKeys[v];
      if (key === undefined || seen.has(v)) continue;
      if (!this.p.verify(bitfieldSigningPayload(bf.payload, context), bf.signature, key)) continue;
      seen.add(v);
      for (const c of voted) {
        if (bf.payload[c.core] && c.signed[v] === 0) {
          c.signed[v] = 1;
          c.signedCount++;
        }
      }
    }
  }

  private checkRelayParent(block: number, para: ParaId, hash: CandidateHash, rpn: number): void {
    const allowed = this.p.config.asyncBackingParams.allowedAncestryLen;
    if (rpn > block - 1 || rpn < block - 1 - allowed) {
      this.fail(
        block,
        "relay-parent",
        `candidate ${hash} of para ${para}: relay parent #${rpn} outside ${block - 1 - allowed}..${block - 1}`,
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

  private checkBacking(
    block: number,
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
    const cfg = this.p.config;
    const { startBlock, groups } = this.session;
    const group = groupForCore(
      {
        sessionStartBlock: startBlock,
        groupRotationFrequency: cfg.schedulerParams.groupRotationFrequency,
        now: rpn + 1,
      },
      core,
      groups.length,
    );
    const members = groups[group] ?? [];
    const bits = backed.validatorIndices.slice(0, members.length);
    const votes = bits.filter(Boolean).length;
    const need = effectiveMinimumBackingVotes(members.length, cfg.minimumBackingVotes);
    if (votes < need || backed.validityVotes.length < need) {
      this.fail(
        block,
        "backed-by-group",
        `candidate ${hash} of para ${para}: ${votes} votes of group ${group}, ${need} needed`,
      );
    }
  }

  private checkAgreement(o: BlockObservation): void {
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
