/**
 * Statement distribution: the backing statements of a validator's group, and the backed
 * candidates announced to every other validator so that any block author can put them on chain.
 *
 * Flows (names as in polkadot-sdk):
 * - `Share` (from backing): a statement I signed and imported goes to the other members of my
 *   backing group (`Statement` messages).
 * - A `Statement` from a peer: dropped unless its relay parent is in view and it is well formed
 *   (known signer; a Seconded's receipt is of this relay parent and hashes to the candidate);
 *   its signature is checked (`verifyCostUs` on `main`), then it goes to backing
 *   (`CandidateBackingMessage::Statement`).
 * - `Backed` (from backing): a candidate my table attested is announced, with its receipt, PVD
 *   and statements, to every validator outside the backing group (v2's manifests and
 *   `AttestedCandidate` requests collapsed into one `BackedCandidate` message). A receiver checks
 *   every signature and hands the statements to its backing, which imports them like any
 *   other: its table attests the candidate and its prospective parachains marks it backed.
 *
 * Simplifications, stated honestly:
 * - Only validators that SECONDED a candidate announce it (one announcement per seconder instead
 *   of a grid gossip; the first seconder always sees the candidate attested after its own
 *   Seconded, so every backed candidate is announced at least once).
 * - Signing costs no modelled CPU; checking a signature costs `verifyCostUs` on `main`.
 *
 * Performance model (docs/simulator.md "Performance model"; the protocol is unchanged): the
 * groups of the para's other cores get ordinary copies (sent with `env.multicast` when the
 * environment has it); with lazily materialised gossip (`env.announcementGossip`, the
 * simulator's), every other receiver's copy waits in its lazy inbox until the node is about to
 * use what it knows of the para: `prospectiveAsOfNow` hands the node's other subsystems a view of
 * prospective parachains that first takes in (`catchUp`) the copies whose checks would have
 * finished by now, in that order. The checks of those copies are a modelled delay
 * (`verifyCostUs` per statement after delivery, not queued behind other work on `main`).
 *
 * Ref: polkadot/node/network/statement-distribution/src/v2/mod.rs (share_local_statement,
 *      handle_incoming_statement, handle_backed_candidate_message, manifests to the validators
 *      outside the group), polkadot/node/core/backing/src/lib.rs (the statements it hands over).
 */
import type {
  ActorLog,
  BackedCandidateMessage,
  LazyDelivery,
  ValidatorEnv,
} from "../../actors/env.ts";
import type { ActorId, ProtocolMessage, SignedStatement } from "../../actors/protocol.ts";
import type { Hash } from "../../lib/hex.ts";
import { candidateHash as candidateHashOf } from "../../primitives/candidate.ts";
import type { CandidateHash, ParaId, ValidatorIndex } from "../../primitives/codecs.ts";
import { statementSigningPayload } from "../../primitives/statements.ts";
import type {
  BackedNotice,
  CandidateBackingMessage,
  ProspectiveParachainsMessage,
  StatementDistributionMessage,
} from "../subsystem-types.ts";
import type { BlockContext, BlockContexts } from "../util/block-context.ts";
import type { SignatureChecks } from "../util/signature-checks.ts";

interface PerRelayParentState {
  readonly ctx: BlockContext;
  /** Candidates I signed a Seconded for (only their seconders announce candidates). */
  readonly secondedByMe: Set<CandidateHash>;
  /** When this state was created (copies delivered earlier would have been dropped), µs. */
  readonly createdAtUs: number;
  /** Lazily gossiped announcements already taken in (`catchUp`), by id. */
  readonly announcementsTaken: Set<number>;
}

/** A known signer and, for a Seconded, a receipt of this relay parent hashing to its hash. */
function wellFormed(ctx: BlockContext, s: SignedStatement): boolean {
  if (ctx.validatorKeys[s.validatorIndex] === undefined) return false;
  if (s.statement.kind !== "Seconded") return true;
  return (
    s.statement.receipt.descriptor.relayParent === ctx.hash &&
    candidateHashOf(s.statement.receipt) === s.statement.candidateHash
  );
}

/**
 * What statement distribution computes once for every validator (performance, not protocol):
 * pure functions of the message objects every receiver shares. Owned by whoever runs the nodes.
 */
export class StatementDistributionShared {
  private readonly payloads = new WeakMap<
    SignedStatement,
    { readonly parent: Hash; readonly payload: Uint8Array }
  >();
  private readonly announced = new WeakMap<
    BackedCandidateMessage,
    { readonly ctx: BlockContext; readonly statements: readonly SignedStatement[] }
  >();

  /** The signing payload of a received statement at `ctx`, per statement object. */
  statementPayload(s: SignedStatement, ctx: BlockContext): Uint8Array {
    const memo = this.payloads.get(s);
    if (memo !== undefined && memo.parent === ctx.hash) return memo.payload;
    const payload = statementSigningPayload(
      { kind: s.statement.kind, candidateHash: s.statement.candidateHash },
      ctx.signingContext,
    );
    this.payloads.set(s, { parent: ctx.hash, payload });
    return payload;
  }

  /**
   * The statements of an announcement a receiver imports: those about its candidate and well
   * formed at `ctx`, Seconded first (a Valid for a candidate unknown to the table is ignored).
   * A pure function of the message and the block context, kept per message object: every
   * receiver of one announcement shares the list.
   */
  announcedStatements(msg: BackedCandidateMessage, ctx: BlockContext): readonly SignedStatement[] {
    const memo = this.announced.get(msg);
    if (memo !== undefined && memo.ctx === ctx) return memo.statements;
    const statements = msg.statements.filter(
      (s) => s.statement.candidateHash === msg.candidateHash && wellFormed(ctx, s),
    );
    statements.sort(
      (a, b) =>
        (a.statement.kind === "Seconded" ? 0 : 1) - (b.statement.kind === "Seconded" ? 0 : 1),
    );
    this.announced.set(msg, { ctx, statements });
    return statements;
  }
}

export class StatementDistribution implements StatementDistributionMessage {
  private readonly perRelayParent = new Map<Hash, PerRelayParentState>();
  /** When each para was last caught up with its lazy inbox, µs (see `catchUp`). */
  private readonly caughtUpAtUs = new Map<ParaId, number>();
  private backing: CandidateBackingMessage | null = null;

  constructor(
    private readonly env: ValidatorEnv,
    private readonly log: ActorLog,
    private readonly signatures: SignatureChecks,
    private readonly contexts: BlockContexts,
    private readonly shared: StatementDistributionShared,
  ) {}

  /** Where checked statements go (the node wires its backing in). */
  connect(backing: CandidateBackingMessage): void {
    this.backing = backing;
  }

  /**
   * After the implicit view moved: drop the state of relay parents that left it, create it for
   * the new ones (`freshRelayParents`).
   */
  activeLeavesUpdate(freshRelayParents: readonly Hash[], remaining: ReadonlySet<Hash>): void {
    for (const relayParent of this.perRelayParent.keys()) {
      if (!remaining.has(relayParent)) this.perRelayParent.delete(relayParent);
    }
    for (const relayParent of freshRelayParents) {
      if (this.perRelayParent.has(relayParent)) continue;
      const api = this.env.relayChain.api(relayParent);
      if (api === null) continue;
      this.perRelayParent.set(relayParent, {
        ctx: this.contexts.of(api),
        secondedByMe: new Set(),
        createdAtUs: this.env.now(),
        announcementsTaken: new Set(),
      });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // From backing

  share(ctx: BlockContext, group: readonly ValidatorIndex[], statement: SignedStatement): void {
    if (statement.statement.kind === "Seconded") {
      this.perRelayParent.get(ctx.hash)?.secondedByMe.add(statement.statement.candidateHash);
    }
    const msg: ProtocolMessage = { type: "Statement", relayParent: ctx.hash, statement };
    for (const v of group) {
      if (v === this.env.validatorIndex) continue;
      const to = this.env.validatorActors[v];
      if (to !== undefined) this.env.send(to, msg);
    }
  }

  /**
   * The backed candidate, to every validator outside the group, if I seconded it. The groups of
   * the para's other cores get it at once (their collator protocol and prospective parachains
   * act on it); with lazily materialised gossip (`env.announcementGossip`) the others get a lazy
   * copy, taken in by `catchUp` when they next use what they know of the para.
   */
  backed(ctx: BlockContext, backed: BackedNotice): void {
    const state = this.perRelayParent.get(ctx.hash);
    if (state === undefined || !state.secondedByMe.has(backed.candidateHash)) return;
    const group = ctx.backingGroups.get(backed.core) ?? [];
    const msg: BackedCandidateMessage = {
      type: "BackedCandidate",
      relayParent: ctx.hash,
      receipt: backed.receipt,
      candidateHash: backed.candidateHash,
      pvd: backed.pvd,
      statements: [...backed.statements],
    };
    const gossip = this.env.announcementGossip;
    const me = this.env.validatorIndex;
    const actors = this.env.validatorActors;
    if (gossip === undefined) {
      const to: ActorId[] = [];
      for (let v = 0; v < actors.length; v++) {
        if (v !== me && !group.includes(v)) to.push(actors[v]!);
      }
      this.send(to, msg);
      return;
    }
    // The groups of the para's other cores get it at once; everyone else lazily.
    const para = backed.receipt.descriptor.paraId;
    const interested = new Set<ValidatorIndex>();
    for (const cores of ctx.transposedClaimQueue.get(para)?.values() ?? []) {
      for (const core of cores) {
        if (core === backed.core) continue;
        for (const v of ctx.backingGroups.get(core) ?? []) {
          if (v !== me && !group.includes(v)) interested.add(v);
        }
      }
    }
    const eager = [...interested].sort((a, b) => a - b);
    this.send(
      eager.map((v) => actors[v]!),
      msg,
    );
    const notTo = [...new Set([me, ...group, ...eager])].sort((a, b) => a - b);
    gossip.publish(msg, notTo);
  }

  /** Sends one message to each of `to` (`env.multicast` when the environment has it). */
  private send(to: readonly ActorId[], msg: ProtocolMessage): void {
    if (to.length === 0) return;
    if (this.env.multicast !== undefined) this.env.multicast(to, msg);
    else for (const peer of to) this.env.send(peer, msg);
  }

  // ---------------------------------------------------------------------------------------------
  // From the network

  /** A `Statement` from a peer of my group: check the signature, then hand it to backing. */
  onStatement(from: ActorId, msg: Extract<ProtocolMessage, { type: "Statement" }>): void {
    const state = this.perRelayParent.get(msg.relayParent);
    if (state === undefined) {
      this.log.trace("Received statement for unknown relay-parent", {
        relayParent: msg.relayParent,
        from,
      });
      return;
    }
    const signed = msg.statement;
    if (!wellFormed(state.ctx, signed)) return;
    this.signatures.charge(1, () => {
      const current = this.perRelayParent.get(msg.relayParent);
      if (current === undefined || !this.signatureValid(current.ctx, signed)) return;
      this.backing?.statement(msg.relayParent, signed);
    });
  }

  /** A `BackedCandidate` announcement: check every signature, then hand the statements over. */
  onBackedCandidate(from: ActorId, msg: BackedCandidateMessage): void {
    const state = this.perRelayParent.get(msg.relayParent);
    if (state === undefined) {
      this.log.debug("Backed candidate for a relay parent out of view", {
        relayParent: msg.relayParent,
        candidateHash: msg.candidateHash,
        from,
      });
      return;
    }
    if (!this.announcementUseful(msg)) return;
    this.signatures.charge(this.shared.announcedStatements(msg, state.ctx).length, () => {
      const current = this.perRelayParent.get(msg.relayParent);
      if (current !== undefined) this.takeAnnouncement(current.ctx, msg);
    });
  }

  /** Not yet backed here, and the receipt is of this relay parent and hashes to the candidate. */
  private announcementUseful(msg: BackedCandidateMessage): boolean {
    if (this.backing?.isBacked(msg.relayParent, msg.candidateHash)) return false;
    if (msg.receipt.descriptor.relayParent !== msg.relayParent) return false;
    return candidateHashOf(msg.receipt) === msg.candidateHash;
  }

  /** An announcement whose signatures were checked: hand its valid statements to backing. */
  private takeAnnouncement(ctx: BlockContext, msg: BackedCandidateMessage): void {
    if (!this.announcementUseful(msg)) return;
    for (const s of this.shared.announcedStatements(msg, ctx)) {
      if (this.signatureValid(ctx, s)) this.backing?.statement(ctx.hash, s);
    }
  }

  private signatureValid(ctx: BlockContext, s: SignedStatement): boolean {
    const key = ctx.validatorKeys[s.validatorIndex];
    if (key === undefined) return false;
    const valid = this.env.verify(this.shared.statementPayload(s, ctx), s.signature, key);
    if (!valid) {
      this.log.debug("Statement with an invalid signature dropped", {
        validatorIndex: s.validatorIndex,
        candidateHash: s.statement.candidateHash,
      });
    }
    return valid;
  }

  // ---------------------------------------------------------------------------------------------
  // The lazy inbox (performance model)

  /**
   * Takes in the lazily gossiped announcements of `para` that reached me and whose signatures I
   * would have checked by now: in order of that time (per relay parent, in view order), each is
   * handled as `onBackedCandidate` handles a copy once checked. Copies delivered before I had the
   * relay parent in view are dropped, as on receipt.
   *
   * Every copy due is marked taken before any is handled, and nothing can become due before the
   * clock moves (a copy published now is delivered and checked later), so a `catchUp` of the same
   * para at the same time, e.g. from the imports below, has nothing left to do: it returns at
   * once (`caughtUpAtUs`).
   */
  catchUp(para: ParaId): void {
    const gossip = this.env.announcementGossip;
    if (gossip === undefined) return;
    const now = this.env.now();
    if (this.caughtUpAtUs.get(para) === now) return;
    this.caughtUpAtUs.set(para, now);
    const cost = this.env.verifyCostUs;
    const taken: { readonly ctx: BlockContext; readonly msg: BackedCandidateMessage }[] = [];
    for (const state of this.perRelayParent.values()) {
      const due: {
        readonly checkedAtUs: number;
        readonly d: LazyDelivery<BackedCandidateMessage>;
      }[] = [];
      for (const d of gossip.delivered(state.ctx.hash, para)) {
        if (state.announcementsTaken.has(d.id)) continue;
        if (d.deliveredAtUs < state.createdAtUs) {
          state.announcementsTaken.add(d.id);
          continue;
        }
        const checkedAtUs = d.deliveredAtUs + cost * d.msg.statements.length;
        if (checkedAtUs <= now) due.push({ checkedAtUs, d });
      }
      due.sort((a, b) => a.checkedAtUs - b.checkedAtUs || a.d.id - b.d.id);
      for (const { d } of due) {
        state.announcementsTaken.add(d.id);
        taken.push({ ctx: state.ctx, msg: d.msg });
      }
    }
    for (const { ctx, msg } of taken) this.takeAnnouncement(ctx, msg);
  }

  /**
   * Prospective parachains as the node's other subsystems must see it now: every query or change
   * about a para first takes in that para's lazy inbox (`catchUp`). Without lazily materialised
   * gossip, `prospective` itself.
   */
  prospectiveAsOfNow(prospective: ProspectiveParachainsMessage): ProspectiveParachainsMessage {
    if (this.env.announcementGossip === undefined) return prospective;
    return {
      introduceSecondedCandidate: (para, receipt, pvd) => {
        this.catchUp(para);
        return prospective.introduceSecondedCandidate(para, receipt, pvd);
      },
      candidateBacked: (para, candidateHash) => prospective.candidateBacked(para, candidateHash),
      getBackableCandidates: (relayParent, para, count, ancestors) => {
        // Prospective parachains reads no chain for a relay parent that is not an active leaf
        // (its answer is empty), so there is nothing to take in first.
        if (!prospective.isActiveLeaf(relayParent)) return [];
        this.catchUp(para);
        return prospective.getBackableCandidates(relayParent, para, count, ancestors);
      },
      getHypotheticalMembership: (candidates, leaf) => {
        for (const c of candidates) {
          this.catchUp(c.kind === "Complete" ? c.receipt.descriptor.paraId : c.candidatePara);
        }
        return prospective.getHypotheticalMembership(candidates, leaf);
      },
      isActiveLeaf: (hash) => prospective.isActiveLeaf(hash),
      getMinimumRelayParents: (relayParent) => prospective.getMinimumRelayParents(relayParent),
      getProspectiveValidationData: (para, candidateRelayParent, parentHead) => {
        this.catchUp(para);
        return prospective.getProspectiveValidationData(para, candidateRelayParent, parentHead);
      },
    };
  }
}
