/**
 * Backed-candidate announcements as lazily materialised gossip (`env.announcementGossip`).
 *
 * A backer announces a candidate its table attested to the validators outside the backing group.
 * Those with a stake in the para (the groups of the para's other cores) get an ordinary copy; the
 * others (at Polkadot scale, ~595 per candidate) get a lazy one: the sender's uplink pays for every
 * copy when it publishes (`Network.lazyUpload`, copies in validator order), and a copy's delivery
 * (latency and loss, `Network.lazyCopy`) is computed only when its receiver asks (`delivered`),
 * the first time, then remembered.
 *
 * Invariants:
 * - A copy's fate comes from its own stream, `rng.derive(announcement id, receiver index)` on the
 *   relay parent's stream: the same whoever asks first, however often, in whatever order.
 * - Announcement ids count up per relay parent in publication order (deterministic: the
 *   scheduler is).
 * - Boards older than `retainBlocks` relay blocks are dropped (`prune`); their relay parents
 *   have left every validator's view by then.
 *
 * Ref: polkadot/node/network/statement-distribution/src/v2 (manifests and statement requests to
 *      the validators outside the group), docs/simulator.md "Performance model".
 */

import type { BackedCandidateMessage, LazyDelivery } from "../actors/env.ts";
import { type ActorId, messageSizeBytes } from "../actors/protocol.ts";
import type { Hash } from "../lib/hex.ts";
import { getOrInsertComputed } from "../lib/memo.ts";
import type { Prng } from "../lib/prng.ts";
import type { ParaId, ValidatorIndex } from "../primitives/codecs.ts";
import type { Network } from "./network.ts";
import type { Time } from "./scheduler.ts";

interface Published {
  readonly id: number;
  readonly from: ActorId;
  readonly msg: BackedCandidateMessage;
  readonly sizeBytes: number;
  /** The validators it is NOT sent to, ascending; copy i goes to the i-th other validator. */
  readonly notTo: Int32Array;
  /** When it was sent, when the first copy starts leaving the sender, and how long each copy takes, µs. */
  readonly sentAtUs: Time;
  readonly upStartUs: Time;
  readonly copyUs: Time;
  /** Delivery time per receiver once materialised: NaN not yet, -1 lost. */
  arrivals: Float64Array | null;
}

interface Board {
  readonly number: number;
  readonly rng: Prng;
  readonly byPara: Map<ParaId, Published[]>;
  count: number;
}

export class AnnouncementBoard {
  private readonly boards = new Map<Hash, Board>();

  constructor(
    private readonly network: Network,
    private readonly rng: Prng,
    private readonly validatorActors: readonly ActorId[],
    /** The relay block number of a relay parent (0 if unknown). */
    private readonly numberOf: (relayParent: Hash) => number,
  ) {}

  /** Sends `msg` from `fromIndex` to every validator but those in `notTo` (ascending). */
  publish(fromIndex: ValidatorIndex, msg: BackedCandidateMessage, notTo: readonly number[]): void {
    const copies = this.validatorActors.length - notTo.length;
    if (copies <= 0) return;
    const board = getOrInsertComputed(this.boards, msg.relayParent, (relayParent) => ({
      number: this.numberOf(relayParent),
      rng: this.rng.fork(`announcements/${relayParent}`),
      byPara: new Map(),
      count: 0,
    }));
    const from = this.validatorActors[fromIndex]!;
    const sizeBytes = messageSizeBytes(msg);
    const { sentAtUs, upStartUs, copyUs } = this.network.lazyUpload(from, copies, sizeBytes);
    const para = msg.receipt.descriptor.paraId;
    const list = board.byPara.get(para) ?? [];
    list.push({
      id: board.count++,
      from,
      msg,
      sizeBytes,
      notTo: Int32Array.from(notTo),
      sentAtUs,
      upStartUs,
      copyUs,
      arrivals: null,
    });
    board.byPara.set(para, list);
  }

  /** The copies of `paraId`'s announcements at `relayParent` delivered to validator `index`. */
  delivered(
    index: ValidatorIndex,
    relayParent: Hash,
    paraId: ParaId,
  ): LazyDelivery<BackedCandidateMessage>[] {
    const board = this.boards.get(relayParent);
    const list = board?.byPara.get(paraId);
    if (board === undefined || list === undefined) return [];
    const out: LazyDelivery<BackedCandidateMessage>[] = [];
    for (const p of list) {
      const copy = copyIndex(p.notTo, index);
      if (copy < 0) continue;
      if (p.arrivals === null) {
        p.arrivals = new Float64Array(this.validatorActors.length).fill(Number.NaN);
      }
      let at = p.arrivals[index]!;
      if (Number.isNaN(at)) {
        at =
          this.network.lazyCopy(
            p.from,
            this.validatorActors[index]!,
            p.sizeBytes,
            p.sentAtUs,
            p.upStartUs + copy * p.copyUs,
            p.copyUs,
            board.rng.derive(p.id, index),
          ) ?? -1;
        p.arrivals[index] = at;
      }
      if (at >= 0) out.push({ id: p.id, from: p.from, msg: p.msg, deliveredAtUs: at });
    }
    return out;
  }

  /** Drops the boards of relay parents more than `retainBlocks` below `number`. */
  prune(number: number, retainBlocks: number): void {
    for (const [hash, board] of this.boards) {
      if (board.number < number - retainBlocks) this.boards.delete(hash);
    }
  }
}

/**
 * The copy number of validator `v` when every validator but those in `notTo` (ascending) gets a
 * copy in index order; -1 if `v` gets none.
 */
function copyIndex(notTo: Int32Array, v: number): number {
  let below = 0;
  for (const x of notTo) {
    if (x === v) return -1;
    if (x > v) break;
    below++;
  }
  return v - below;
}
