/**
 * A validator node: the subsystems of a Polkadot validator that take part in parachain
 * inclusion, wired like the overseer wires them, over the `ValidatorEnv` the world provides.
 *
 *   RelayBlock ─▶ block import (util/backing-implicit-view.ts) ─▶ ActiveLeavesUpdate, in order:
 *     prospective-parachains (fragment chains) ─▶ implicit view (minimum relay parents)
 *     ─▶ candidate-backing ─▶ statement-distribution ─▶ availability-distribution (PoV
 *     requests) ─▶ collator-protocol ─▶ av-store (pruning) ─▶ availability-distribution (chunk
 *     fetches) ─▶ bitfield-signing (1.5 s later) ─▶ provisioner ─▶ bitfield-distribution
 *   AdvertiseCollation / CollationFetchResponse ─▶ collator-protocol ─▶ backing (Second)
 *   Statement / BackedCandidate ─▶ statement-distribution ─▶ backing (Statement)
 *   PovFetch* / ChunkFetch* ─▶ availability-distribution (requesters and responder)
 *   Bitfield ─▶ bitfield-distribution ─▶ provisioner
 * Between subsystems (each depends on the others' interfaces in `subsystem-types.ts` only):
 *   backing ─▶ candidate-validation, av-store, availability-distribution (FetchPoV),
 *     statement-distribution (Share, Backed), prospective-parachains, collator-protocol
 *   collator-protocol ─▶ backing (Second, CanSecond), prospective-parachains (PVD)
 *   provisioner ─▶ prospective-parachains, backing (GetBackableCandidates)
 *   bitfield-signing ─▶ av-store (QueryChunkAvailability), bitfield-distribution
 * The world calls `provideInherentData(parent)` when this validator authors the child of
 * `parent` (the provisioner answers) and reads `provisioner.lastDecision` for its checkers.
 *
 * Performance model: the simulator's lazy inboxes are taken in where the protocol would have
 * used their contents: a para's announcements before prospective parachains is used for it
 * (`StatementDistribution.prospectiveAsOfNow`), my chunk fetch before bitfield signing asks
 * about it (`AvailabilityDistribution.chunkAvailability`), the bitfields of the parent before
 * the provisioner builds an inherent (`BitfieldDistribution.catchUp`).
 *
 * Invariants: everything goes through the env (no clock, no randomness, no transport of its
 * own); a message type a validator never receives (collator-side messages) is ignored.
 *
 * A `malicious-author` (`env.malus`, docs/simulator.md "Adversaries") seals a tampered inherent
 * instead of the one its `create_inherent` sanitized (`tamperInherent`); the relay runtime's
 * `enter` then judges the block (relay-block-production.ts).
 *
 * Ref: polkadot/node/overseer (subsystem wiring, ActiveLeavesUpdate),
 *      polkadot/node/service/src/overseer.rs (the validator's subsystems).
 */

import type { Actor, ActorLog, ValidatorEnv } from "../actors/env.ts";
import type { ActorId, ProtocolMessage } from "../actors/protocol.ts";
import { assertNever } from "../lib/assert.ts";
import type { ParachainsInherentData } from "../primitives/inherent.ts";
import type { RelayHeader } from "../primitives/runtime-api.ts";
import { NodeCaches } from "./caches.ts";
import { ApprovalVoting } from "./core/approval-voting/subsystem.ts";
import { AvailabilityStore } from "./core/av-store.ts";
import { CandidateBacking } from "./core/backing/backing.ts";
import { BitfieldSigning } from "./core/bitfield-signing.ts";
import { CandidateValidation } from "./core/candidate-validation.ts";
import { ProspectiveParachains } from "./core/prospective-parachains/subsystem.ts";
import { Provisioner } from "./core/provisioner.ts";
import { AvailabilityDistribution } from "./network/availability-distribution/availability-distribution.ts";
import { AvailabilityRecovery } from "./network/availability-recovery/recovery.ts";
import { RecoveryRequests } from "./network/availability-recovery/requests.ts";
import { BitfieldDistribution } from "./network/bitfield-distribution.ts";
import { CollatorProtocol } from "./network/collator-protocol/collator-protocol.ts";
import { StatementDistribution } from "./network/statement-distribution.ts";
import type { ProspectiveParachainsMessage } from "./subsystem-types.ts";
import { ImplicitView, LeafTracker } from "./util/backing-implicit-view.ts";
import { SignatureChecks } from "./util/signature-checks.ts";
import { subsystemLog } from "./util/subsystem-log.ts";

export class ValidatorNode implements Actor {
  readonly id: ActorId;
  readonly leaves = new LeafTracker();
  readonly view: ImplicitView;
  readonly prospectiveParachains: ProspectiveParachains;
  readonly availabilityStore: AvailabilityStore;
  /** Availability recovery's requests and their responses (approval checking recovers data). */
  readonly recoveryRequests: RecoveryRequests;
  readonly availability: AvailabilityDistribution;
  readonly candidateValidation: CandidateValidation;
  readonly statementDistribution: StatementDistribution;
  readonly backing: CandidateBacking;
  readonly collatorProtocol: CollatorProtocol;
  readonly bitfieldSigning: BitfieldSigning;
  readonly bitfieldDistribution: BitfieldDistribution;
  readonly provisioner: Provisioner;
  /** Approval checking of included candidates (null: the env gives no approval gossip). */
  readonly approvalVoting: ApprovalVoting | null;
  /** Prospective parachains as the other subsystems see it (lazy inboxes taken in first). */
  readonly prospectiveAsOfNow: ProspectiveParachainsMessage;
  private readonly log: ActorLog;

  constructor(
    private readonly env: ValidatorEnv,
    /** The computations shared with the network's other validators (default: none shared). */
    private readonly caches: NodeCaches = new NodeCaches(),
    /**
     * What a restarted node finds on disk (src/sim/crash-faults.ts): its availability store.
     * Default: a new node, an empty store.
     */
    disk: { readonly availabilityStore?: AvailabilityStore } = {},
  ) {
    this.id = env.id;
    this.log = subsystemLog(env.log, "validator");
    this.availabilityStore =
      disk.availabilityStore ?? new AvailabilityStore(caches.erasure, env.validatorIndex);
    this.recoveryRequests = new RecoveryRequests(env);
    this.view = new ImplicitView((hash) => env.relayChain.header(hash));
    this.prospectiveParachains = new ProspectiveParachains(
      env.relayChain,
      subsystemLog(env.log, "prospective-parachains"),
      caches.contexts,
      caches.prospective,
      env.generation,
    );
    this.availability = new AvailabilityDistribution(
      env,
      subsystemLog(env.log, "availability-distribution"),
      this.availabilityStore,
      caches.erasure,
    );
    this.candidateValidation = new CandidateValidation(env);
    this.statementDistribution = new StatementDistribution(
      env,
      subsystemLog(env.log, "statement-distribution"),
      new SignatureChecks(env),
      caches.contexts,
      caches.statementDistribution,
    );
    // Prospective parachains as the other subsystems must see it: with the simulator's lazy
    // gossip, a para's announcements are taken in before its chains are used.
    const prospective = this.statementDistribution.prospectiveAsOfNow(this.prospectiveParachains);
    this.prospectiveAsOfNow = prospective;
    // The collator protocol and backing talk both ways: the late-bound reference is only
    // dereferenced once messages flow, after construction.
    let collatorProtocol: CollatorProtocol | null = null;
    this.backing = new CandidateBacking(
      env,
      subsystemLog(env.log, "backing"),
      this.view,
      {
        prospective,
        validation: this.candidateValidation,
        store: this.availabilityStore,
        availability: this.availability.povRequester,
        statements: this.statementDistribution,
        collatorProtocol: {
          collationSeconded: (relayParent, hash) =>
            collatorProtocol?.collationSeconded(relayParent, hash),
          collationNotSeconded: (relayParent, hash) =>
            collatorProtocol?.collationNotSeconded(relayParent, hash),
          candidateBacked: (para, head) => collatorProtocol?.candidateBacked(para, head),
        },
      },
      caches.contexts,
      caches.backing,
    );
    this.statementDistribution.connect(this.backing);
    collatorProtocol = new CollatorProtocol(
      env,
      subsystemLog(env.log, "collator-protocol"),
      prospective,
      this.backing,
      caches.contexts,
      this.view,
    );
    this.collatorProtocol = collatorProtocol;
    this.provisioner = new Provisioner(
      env,
      subsystemLog(env.log, "provisioner"),
      this.view,
      prospective,
      this.backing,
      caches.contexts,
    );
    this.bitfieldDistribution = new BitfieldDistribution(
      env,
      subsystemLog(env.log, "bitfield-distribution"),
      this.view,
      this.provisioner,
      new SignatureChecks(env, "bitfield-distribution"),
      caches.contexts,
      caches.bitfieldDistribution,
    );
    const approvalEnv = env.approvalVoting;
    this.approvalVoting =
      approvalEnv === undefined
        ? null
        : new ApprovalVoting(
            { ...env, approvalVoting: approvalEnv },
            subsystemLog(env.log, "approval-voting"),
            {
              recovery: new AvailabilityRecovery({
                network: this.recoveryRequests.network,
                store: this.availabilityStore,
                erasure: caches.erasure,
                rng: env.rng.fork("availability-recovery"),
              }),
              validation: this.candidateValidation,
              contexts: caches.contexts,
              shared: caches.approvalVoting,
            },
          );
    this.bitfieldSigning = new BitfieldSigning(
      env,
      subsystemLog(env.log, "bitfield-signing"),
      this.availability.chunkAvailability(),
      this.bitfieldDistribution,
      caches.contexts,
    );
  }

  onMessage(from: ActorId, msg: ProtocolMessage): void {
    switch (msg.type) {
      case "RelayBlock":
        this.importRelayBlock(msg.header);
        return;
      case "AdvertiseCollation":
        this.collatorProtocol.onAdvertisement(from, msg);
        return;
      case "CollationFetchResponse":
        this.collatorProtocol.onCollationFetchResponse(from, msg);
        return;
      case "Statement":
        this.statementDistribution.onStatement(from, msg);
        return;
      case "BackedCandidate":
        this.statementDistribution.onBackedCandidate(from, msg);
        return;
      case "ChunkFetchResponse":
      case "AvailableDataFetchResponse":
        // Availability recovery's responses carry its request ids; the others are distribution's.
        if (this.recoveryRequests.onResponse(msg) || msg.type === "AvailableDataFetchResponse")
          return;
        this.availability.onMessage(from, msg);
        return;
      case "PovFetchRequest":
      case "PovFetchResponse":
      case "ChunkFetchRequest":
      case "AvailableDataFetchRequest":
        this.availability.onMessage(from, msg);
        return;
      case "Bitfield":
        this.bitfieldDistribution.onBitfield(from, msg);
        return;
      case "CollationFetchRequest":
      case "CollationSeconded":
      case "ParaBlockAnnounce":
      case "ParaBlockRequest":
      case "ParaBlockResponse":
        // Collator-side messages: a validator has nothing to do with them.
        return;
      default:
        assertNever(msg, "protocol message");
    }
  }

  /** The parachains inherent of the relay block this validator authors on top of `parent`. */
  provideInherentData(parent: RelayHeader): ParachainsInherentData {
    // With lazily materialised bitfield gossip, the provisioner first gets what reached me.
    this.bitfieldDistribution.catchUp(parent.hash);
    return this.provisioner.provideInherentData(parent);
  }

  /**
   * What a `malicious-author` adversary puts in its block instead of `sanitized` (the inherent
   * its `create_inherent` kept), or undefined: an honest author seals what it sanitized.
   */
  tamperInherent(sanitized: ParachainsInherentData): ParachainsInherentData | undefined {
    const out = this.env.malus?.tamperInherent(sanitized) ?? sanitized;
    return out === sanitized ? undefined : out;
  }

  /** Block import: the new block becomes the active leaf; every subsystem gets the update. */
  private importRelayBlock(header: RelayHeader): void {
    const update = this.leaves.importBlock(header);
    if (update === null || update.activated === null) return;
    const leaf = update.activated.hash;
    this.prospectiveParachains.activeLeavesUpdate(leaf, update.deactivated);
    const fresh = this.view.activateLeaf(
      update.activated,
      this.prospectiveParachains.getMinimumRelayParents(leaf),
    );
    for (const d of update.deactivated) this.view.deactivateLeaf(d);
    const remaining = this.view.allAllowedRelayParents();
    this.backing.activeLeavesUpdate(fresh, remaining);
    this.statementDistribution.activeLeavesUpdate(fresh, remaining);
    this.availability.viewChanged(remaining);
    this.collatorProtocol.activeLeavesUpdate(fresh, remaining);
    const api = this.env.relayChain.api(leaf);
    if (api !== null) {
      const ctx = this.caches.contexts.of(api);
      this.availabilityStore.advance(ctx.number);
      this.availability.onActiveLeaf(ctx);
    }
    this.bitfieldSigning.activeLeavesUpdate(leaf, update.deactivated);
    this.provisioner.activeLeavesUpdate();
    this.bitfieldDistribution.activeLeavesUpdate(leaf);
    this.approvalVoting?.importBlock(leaf);
    if (this.log.enabled("debug")) {
      this.log.debug("Imported relay block", {
        hash: leaf,
        number: header.number,
        allowedRelayParents: fresh.length,
      });
    }
  }
}
