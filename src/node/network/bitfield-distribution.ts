/**
 * Bitfield distribution: my signed availability bitfield goes to my provisioner and to every
 * other validator; a peer's bitfield for one of my active leaves has its signature checked (CPU
 * on this subsystem's own `bitfield-distribution` pool: Polkadot's subsystems are separate tasks,
 * so bitfield checks do not queue behind statement checks) and then goes to my provisioner
 * (`ProvisionableData::Bitfield`).
 *
 * Performance model (docs/simulator.md "Performance model"; the protocol is unchanged): with
 * lazily materialised gossip (`env.bitfieldGossip`, the simulator's), my bitfield is published
 * once (my uplink pays for every copy) and the copies that reached me wait in my lazy inbox until
 * my provisioner needs them, which is only when I author: `catchUp(relayParent)` then takes in
 * what `onBitfield` would have kept by now, with the same checks and CPU cost. At 600 validators
 * the ~360,000 copies per relay block cost nothing until one validator reads its 599.
 *
 * Ref: polkadot/node/network/bitfield-distribution/src/lib.rs (handle_bitfield_distribution,
 *      process_incoming_peer_message, relay_message to the local provisioner).
 */
import type { ActorLog, ValidatorEnv } from "../../actors/env.ts";
import type { ActorId, ProtocolMessage } from "../../actors/protocol.ts";
import type { Hash } from "../../lib/hex.ts";
import type { SignedAvailabilityBitfield } from "../../primitives/inherent.ts";
import { bitfieldSigningPayload } from "../../primitives/statements.ts";
import type { BitfieldDistributionMessage, ProvisionerMessage } from "../subsystem-types.ts";
import type { ImplicitView } from "../util/backing-implicit-view.ts";
import type { BlockContext, BlockContexts } from "../util/block-context.ts";
import type { SignatureChecks } from "../util/signature-checks.ts";

/**
 * What bitfield distribution computes once for every validator (performance, not protocol): the
 * signing payload of a gossiped bitfield, per bits object (every receiver gets the same one).
 * Owned by whoever runs the nodes.
 */
export class BitfieldDistributionShared {
  private readonly payloads = new WeakMap<
    readonly boolean[],
    { readonly parent: Hash; readonly payload: Uint8Array }
  >();

  /** The signing payload of received bits at `ctx`. */
  payload(bits: readonly boolean[], ctx: BlockContext): Uint8Array {
    const memo = this.payloads.get(bits);
    if (memo !== undefined && memo.parent === ctx.hash) return memo.payload;
    const payload = bitfieldSigningPayload(bits, ctx.signingContext);
    this.payloads.set(bits, { parent: ctx.hash, payload });
    return payload;
  }
}

export class BitfieldDistribution implements BitfieldDistributionMessage {
  /** When each active leaf became one (lazily materialised copies delivered earlier are dropped). */
  private readonly activatedAtUs = new Map<Hash, number>();

  constructor(
    private readonly env: ValidatorEnv,
    private readonly log: ActorLog,
    private readonly view: ImplicitView,
    private readonly provisioner: ProvisionerMessage,
    private readonly signatures: SignatureChecks,
    private readonly contexts: BlockContexts,
    private readonly shared: BitfieldDistributionShared,
  ) {}

  /** Notes when `activated` became an active leaf; forgets leaves that are no longer active. */
  activeLeavesUpdate(activated: Hash | null = null): void {
    for (const leaf of [...this.activatedAtUs.keys()]) {
      if (!this.view.isActiveLeaf(leaf)) this.activatedAtUs.delete(leaf);
    }
    if (activated !== null && !this.activatedAtUs.has(activated)) {
      this.activatedAtUs.set(activated, this.env.now());
    }
  }

  /** `DistributeBitfield`: mine, to my provisioner, then to every other validator. */
  distributeBitfield(relayParent: Hash, bitfield: SignedAvailabilityBitfield): void {
    this.provisioner.noteBitfield(relayParent, bitfield);
    // One immutable message object for every recipient.
    const msg: ProtocolMessage = {
      type: "Bitfield",
      relayParent,
      validatorIndex: bitfield.validatorIndex,
      bits: bitfield.payload,
      signature: bitfield.signature,
    };
    const gossip = this.env.bitfieldGossip;
    if (gossip !== undefined) {
      gossip.publish(msg, [bitfield.validatorIndex]);
      return;
    }
    const actors = this.env.validatorActors;
    for (let v = 0; v < actors.length; v++) {
      if (v !== bitfield.validatorIndex) this.env.send(actors[v]!, msg);
    }
  }

  /** A peer's `Bitfield`: for an active leaf, signature checked, then to my provisioner. */
  onBitfield(from: ActorId, msg: Extract<ProtocolMessage, { type: "Bitfield" }>): void {
    if (!this.view.isActiveLeaf(msg.relayParent)) {
      this.log.trace("Bitfield for a relay parent that is not an active leaf", {
        relayParent: msg.relayParent,
        from,
      });
      return;
    }
    const api = this.env.relayChain.api(msg.relayParent);
    if (api === null) return;
    const ctx = this.contexts.of(api);
    const key = ctx.validatorKeys[msg.validatorIndex];
    if (key === undefined) return;
    this.signatures.charge(1, () => {
      if (this.view.isActiveLeaf(msg.relayParent)) this.checkAndHandOver(ctx, msg, key, from);
    });
  }

  /** A bitfield whose check has been charged: if its signature is valid, to my provisioner. */
  private checkAndHandOver(
    ctx: BlockContext,
    msg: Extract<ProtocolMessage, { type: "Bitfield" }>,
    key: Uint8Array,
    from: ActorId,
  ): void {
    if (!this.env.verify(this.shared.payload(msg.bits, ctx), msg.signature, key)) {
      this.log.debug("Bitfield with an invalid signature dropped", {
        validatorIndex: msg.validatorIndex,
        from,
      });
      return;
    }
    this.provisioner.noteBitfield(msg.relayParent, {
      validatorIndex: msg.validatorIndex,
      payload: msg.bits,
      signature: msg.signature,
    });
  }

  /**
   * The lazy inbox (`env.bitfieldGossip`): hands my provisioner what `onBitfield` would have
   * given it by now for `relayParent`. The copies delivered to me after it became my active leaf
   * are checked one after another on my `bitfield-distribution` pool (first come, first served,
   * `verifyCostUs` each: exactly one job per check); those whose check ended before now, with a
   * valid signature, are handed over. Modelled: the pool is taken as idle before the leaf's first
   * bitfield arrives (the previous leaf's checks ended seconds earlier).
   */
  catchUp(relayParent: Hash): void {
    const gossip = this.env.bitfieldGossip;
    const activatedAt = this.activatedAtUs.get(relayParent);
    if (gossip === undefined || activatedAt === undefined) return;
    if (!this.view.isActiveLeaf(relayParent)) return;
    const api = this.env.relayChain.api(relayParent);
    if (api === null) return;
    const ctx = this.contexts.of(api);
    const now = this.env.now();
    const cost = this.env.verifyCostUs;
    let free = 0;
    for (const d of gossip.delivered(relayParent)) {
      if (d.deliveredAtUs < activatedAt) continue; // not an active leaf yet: dropped on receipt
      const msg = d.msg;
      const key = ctx.validatorKeys[msg.validatorIndex];
      if (key === undefined) continue;
      free = Math.max(free, d.deliveredAtUs) + cost;
      // Deliveries come in order, so every later check ends later too.
      if (free >= now) break;
      this.checkAndHandOver(ctx, msg, key, d.from);
    }
  }
}
