/**
 * A validator node: the subsystems of a Polkadot validator that take part in parachain
 * inclusion, wired like the overseer wires them, over the `ValidatorEnv` the world provides.
 *
 *   RelayBlock ─▶ block import (view.ts) ─▶ ActiveLeavesUpdate, in this order:
 *     prospective-parachains (fragment chains) ─▶ implicit view (minimum relay parents)
 *     ─▶ candidate-backing ─▶ collator-protocol ─▶ availability-distribution (chunk fetches)
 *     ─▶ bitfield-signing (1.5 s later) ─▶ provisioner (bitfield pruning)
 *   AdvertiseCollation / CollationFetchResponse ─▶ collator-protocol ─▶ backing (Second)
 *   Statement / BackedCandidate / PovFetchResponse ─▶ backing
 *   PovFetchRequest / ChunkFetchRequest / ChunkFetchResponse ─▶ availability
 *   Bitfield ─▶ provisioner
 * The world calls `provideInherentData(parent)` when this validator authors the child of
 * `parent` (the provisioner answers) and reads `provisioner.lastDecision` for its checkers.
 *
 * Invariants: everything goes through the env (no clock, no randomness, no transport of its
 * own); a message type a validator never receives (collator-side messages) is ignored.
 *
 * Ref: polkadot/node/overseer (subsystem wiring, ActiveLeavesUpdate),
 *      polkadot/node/service/src/overseer.rs (the validator's subsystems).
 */

import type { Actor, ActorLog, ValidatorEnv } from "../actors/env.ts";
import type { ActorId, ProtocolMessage } from "../actors/protocol.ts";
import { assertNever } from "../lib/assert.ts";
import type { ParachainsInherentData } from "../primitives/inherent.ts";
import type { RelayHeader } from "../primitives/runtime-api.ts";
import { CandidateBacking } from "./core/backing/backing.ts";
import { BitfieldSigning } from "./core/bitfield-signing.ts";
import { ProspectiveParachains } from "./core/prospective-parachains/subsystem.ts";
import { Provisioner } from "./core/provisioner.ts";
import {
  AvailabilityDistribution,
  AvailabilityStore,
} from "./network/availability-distribution/availability.ts";
import { CollatorProtocol } from "./network/collator-protocol.ts";
import { ImplicitView, LeafTracker } from "./util/backing-implicit-view.ts";
import { BlockContext } from "./util/block-context.ts";
import { SignatureChecks } from "./util/signature-checks.ts";
import { subsystemLog } from "./util/subsystem-log.ts";

export class ValidatorNode implements Actor {
  readonly id: ActorId;
  readonly leaves = new LeafTracker();
  readonly view: ImplicitView;
  readonly prospectiveParachains: ProspectiveParachains;
  readonly availabilityStore = new AvailabilityStore();
  readonly availability: AvailabilityDistribution;
  readonly backing: CandidateBacking;
  readonly collatorProtocol: CollatorProtocol;
  readonly bitfieldSigning: BitfieldSigning;
  readonly provisioner: Provisioner;
  private readonly signatures: SignatureChecks;
  private readonly log: ActorLog;

  constructor(private readonly env: ValidatorEnv) {
    this.id = env.id;
    this.log = subsystemLog(env.log, "validator");
    this.signatures = new SignatureChecks(env);
    this.view = new ImplicitView((hash) => env.relayChain.header(hash));
    this.prospectiveParachains = new ProspectiveParachains(
      env.relayChain,
      subsystemLog(env.log, "prospective-parachains"),
    );
    this.availability = new AvailabilityDistribution(
      env,
      subsystemLog(env.log, "availability-distribution"),
      this.availabilityStore,
    );
    this.backing = new CandidateBacking(
      env,
      subsystemLog(env.log, "backing"),
      this.prospectiveParachains,
      this.view,
      this.availabilityStore,
      this.signatures,
    );
    this.collatorProtocol = new CollatorProtocol(
      env,
      subsystemLog(env.log, "collator-protocol"),
      this.view,
      this.prospectiveParachains,
      this.backing,
    );
    this.provisioner = new Provisioner(
      env,
      subsystemLog(env.log, "provisioner"),
      this.view,
      this.prospectiveParachains,
      this.backing,
      new SignatureChecks(env, "bitfield-distribution"),
    );
    this.bitfieldSigning = new BitfieldSigning(
      env,
      subsystemLog(env.log, "bitfield-signing"),
      this.availabilityStore,
      (relayParent, bitfield) => this.provisioner.noteBitfield(relayParent, bitfield),
    );
    const backing = this.backing;
    this.prospectiveParachains.setReadHook((para) => backing.syncAnnouncements(para));
    const collatorProtocol = this.collatorProtocol;
    this.backing.setEvents({
      collationSeconded: (rp, hash) => collatorProtocol.collationSeconded(rp, hash),
      collationNotSeconded: (rp, hash) => collatorProtocol.collationNotSeconded(rp, hash),
      candidateBacked: (para, paraHead) => collatorProtocol.candidateBacked(para, paraHead),
    });
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
        this.backing.onStatement(from, msg);
        return;
      case "BackedCandidate":
        this.backing.onBackedCandidate(from, msg);
        return;
      case "PovFetchRequest":
        this.availability.onPovFetchRequest(from, msg);
        return;
      case "PovFetchResponse":
        this.backing.onPovFetchResponse(from, msg);
        return;
      case "ChunkFetchRequest":
        this.availability.onChunkFetchRequest(from, msg);
        return;
      case "ChunkFetchResponse":
        this.availability.onChunkFetchResponse(from, msg);
        return;
      case "Bitfield":
        this.provisioner.onBitfield(from, msg);
        return;
      case "CollationFetchRequest":
      case "CollationSeconded":
      case "ParaBlockAnnounce":
        // Collator-side messages: a validator has nothing to do with them.
        return;
      default:
        assertNever(msg, "protocol message");
    }
  }

  /** The parachains inherent of the relay block this validator authors on top of `parent`. */
  provideInherentData(parent: RelayHeader): ParachainsInherentData {
    return this.provisioner.provideInherentData(parent);
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
    this.backing.activeLeavesUpdate(fresh);
    this.collatorProtocol.activeLeavesUpdate(fresh);
    const api = this.env.relayChain.api(leaf);
    if (api !== null) this.availability.onActiveLeaf(BlockContext.of(api));
    this.bitfieldSigning.activeLeavesUpdate(leaf, update.deactivated);
    this.provisioner.activeLeavesUpdate(leaf);
    if (this.log.enabled("debug")) {
      this.log.debug("Imported relay block", {
        hash: leaf,
        number: header.number,
        allowedRelayParents: fresh.length,
      });
    }
  }
}
