/**
 * Availability bitfields as lazily materialised gossip (`env.bitfieldGossip`).
 *
 * Protocol: every validator gossips its signed bitfield for a leaf to every other validator;
 * the author of the leaf's child puts the ones it received (and checked) into its block.
 *
 * Performance model, not protocol: the board keeps one entry per published bitfield instead of
 * one message per copy. The sender's uplink pays for every copy when it publishes
 * (`Network.lazyBroadcast`, copies in validator order); the copies delivered to a validator, their
 * latency and loss, are computed only when it asks (`delivered`), which its provisioner does when
 * it authors a block: the only time it reads them. At 600 validators that is ~359,000 copies per
 * relay block that cost nothing. Lazy copies do not queue with other traffic on the receiver's
 * download link (docs/simulator.md "Performance model").
 *
 * Invariants:
 * - A receiver's copies of one relay parent's bitfields draw from its own stream,
 *   `rng.fork("bitfield-gossip/<relay parent>/<receiver index>")` on the world's root stream, in
 *   publication order: the answer is the same whoever asked before, however often.
 * - A board is read by the author of its relay parent's child: `prune(number)` drops the boards
 *   of relay parents more than `BITFIELD_RETAIN_BLOCKS` (2) below `number`.
 *
 * Ref: polkadot/node/network/bitfield-distribution/src/lib.rs (gossip to the validators of the
 *      session), docs/simulator.md "Performance model".
 */

import type { BitfieldMessage, LazyDelivery } from "../actors/env.ts";
import { type ActorId, messageSizeBytes } from "../actors/protocol.ts";
import { assert } from "../lib/assert.ts";
import type { Hash } from "../lib/hex.ts";
import { getOrInsertComputed } from "../lib/memo.ts";
import type { Prng } from "../lib/prng.ts";
import type { ValidatorIndex } from "../primitives/codecs.ts";
import type { LazyBroadcast, Network } from "./network.ts";

/** Relay blocks a relay parent's bitfields are kept (its child's author reads them). */
export const BITFIELD_RETAIN_BLOCKS = 2;

/** The bitfields gossiped for one relay parent. */
interface Board {
  readonly number: number;
  readonly published: {
    readonly id: number;
    readonly fromIndex: number;
    readonly from: ActorId;
    readonly msg: BitfieldMessage;
    readonly lazy: LazyBroadcast;
  }[];
}

export class BitfieldBoard {
  private readonly boards = new Map<Hash, Board>();
  /** Per validator index: every other validator, in index order (a bitfield's recipients). */
  private readonly peersOf: (readonly ActorId[])[] = [];

  constructor(
    private readonly network: Network,
    /** The world's root stream (see the header for the label each receiver forks). */
    private readonly rng: Prng,
    private readonly validatorActors: readonly ActorId[],
    /** The relay block number of a relay parent (0 if unknown). */
    private readonly numberOf: (relayParent: Hash) => number,
  ) {}

  /**
   * Validator `index` sends its signed bitfield to every other validator (`notTo` must be
   * `[index]`: bitfields go to everyone else).
   */
  publish(index: ValidatorIndex, msg: BitfieldMessage, notTo: readonly ValidatorIndex[]): void {
    assert(
      notTo.length === 1 && notTo[0] === index,
      () => `bitfield gossip: a bitfield goes to every other validator (notTo ${notTo})`,
    );
    const board = getOrInsertComputed(this.boards, msg.relayParent, (relayParent) => ({
      number: this.numberOf(relayParent),
      published: [],
    }));
    const from = this.validatorActors[index]!;
    const lazy = this.network.lazyBroadcast(from, this.peers(index), messageSizeBytes(msg));
    board.published.push({ id: board.published.length, fromIndex: index, from, msg, lazy });
  }

  /**
   * The copies of the bitfields for `relayParent` delivered to validator `index`, in delivery
   * order (then publication order).
   */
  delivered(index: ValidatorIndex, relayParent: Hash): LazyDelivery<BitfieldMessage>[] {
    const board = this.boards.get(relayParent);
    if (board === undefined) return [];
    const rng = this.rng.fork(`bitfield-gossip/${relayParent}/${index}`);
    const out: LazyDelivery<BitfieldMessage>[] = [];
    for (const p of board.published) {
      if (p.fromIndex === index) continue;
      const copy = index < p.fromIndex ? index : index - 1;
      const at = this.network.lazyDelivery(p.lazy, copy, rng);
      if (at !== null) out.push({ id: p.id, from: p.from, msg: p.msg, deliveredAtUs: at });
    }
    return out.sort((a, b) => a.deliveredAtUs - b.deliveredAtUs);
  }

  /**
   * Drops the boards of relay parents more than `BITFIELD_RETAIN_BLOCKS` below `number`: their
   * readers (the authors of their children) have authored.
   */
  prune(number: number): void {
    for (const [hash, board] of this.boards) {
      if (board.number < number - BITFIELD_RETAIN_BLOCKS) this.boards.delete(hash);
    }
  }

  private peers(index: number): readonly ActorId[] {
    let peers = this.peersOf[index];
    if (peers === undefined) {
      peers = this.validatorActors.filter((_, v) => v !== index);
      this.peersOf[index] = peers;
    }
    return peers;
  }
}
