/**
 * Approval distribution's gossip of assignments and approval votes as lazily materialised gossip
 * (the `ApprovalGossip` of src/actors/env.ts).
 *
 * Protocol (simplified as the bitfield board is): a validator that triggers an assignment or
 * signs an approval for candidates of relay block B sends it to every other validator; each
 * receiver records it with the time it arrived. Approval voting stores an assignment with the
 * tick it was received LOCALLY, so receivers legitimately differ: the board answers per receiver.
 * A lost copy is never delivered: no retransmission and no re-gossip from other peers, as with
 * the bitfield board (the real protocol's grid topology would route around a lost copy).
 *
 * Performance model, not protocol: one entry per published item instead of one message per copy.
 * The sender's uplink pays for every copy when it publishes (`Network.lazyBroadcast`, copies in
 * validator order, `bytes` given by the caller); a receiver's copies (latency, loss) are computed
 * only when it asks (`arrivals`). Each (block, receiver) keeps the prefix of items already
 * materialised, sorted by arrival, so a receiver asking every 500 ms tick pays only for the items
 * published since it last asked (plus a binary search). Lazy copies do not queue with other
 * traffic on the receiver's download link (docs/simulator.md "Performance model").
 *
 * Invariants:
 * - Receiver `v`'s copy of item `k` (k-th published about block B) in sending round `r` (0: its
 *   publication, r: the r-th `resend` of the block) draws from
 *   `rng.fork("approval-gossip/<B>/<v>").derive(k, r)` on the world's root stream: the same
 *   whoever asked before, however often, whether or not items before it were asked for. A copy of
 *   an item the receiver already has is a duplicate: dropped, with no draw.
 * - A sender's own item counts as received by it at its publication time, never lost.
 * - `arrivals` lists arrivals in arrival order, ties in sending order; a later answer keeps the
 *   earlier one's arrivals up to the time it was asked (a copy's arrival never changes once
 *   computed, and a later sending arrives after it was made).
 * - Blocks more than `keepBlocks` below `number` are dropped by `prune(number, keepBlocks)`.
 * - Crash faults (`downAt`): a copy arriving while its receiver is down is lost (a later sending
 *   may bring it); a restarted receiver is sent every item of the blocks in its view again
 *   (`resendTo`, approval-distribution's `unify_with_peer`), one sending round addressed to it.
 *
 * Ref: polkadot/node/network/approval-distribution/src/lib.rs (assignments and approvals sent to
 *      the validators of the session), polkadot/node/core/approval-voting/src/lib.rs (an
 *      assignment imported with the local tick of its arrival), docs/simulator.md
 *      "Performance model".
 */

import type { ApprovalInbox, ApprovalItem } from "../actors/env.ts";
import type { ActorId } from "../actors/protocol.ts";
import { assert } from "../lib/assert.ts";
import type { Hash } from "../lib/hex.ts";
import { getOrInsertComputed } from "../lib/memo.ts";
import type { Prng } from "../lib/prng.ts";
import { upperBound } from "../lib/sorted.ts";
import type { ValidatorIndex } from "../primitives/codecs.ts";
import type { Endpoint, LazyBroadcast, Network } from "./network.ts";
import type { Time } from "./scheduler.ts";

interface Published {
  readonly fromIndex: ValidatorIndex;
  readonly item: ApprovalItem;
  readonly atUs: Time;
  /** One copy's size on the wire. */
  readonly bytes: number;
}

/**
 * One sending of an item to every other validator: its publication (round 0) or a resend; or to
 * one validator (`only`: a restarted node's catch-up, `resendTo`).
 */
interface Sending {
  /** The item's index in `published`. */
  readonly item: number;
  readonly round: number;
  readonly lazy: LazyBroadcast;
  readonly only?: ValidatorIndex;
}

/** One receiver's view of one block: the items materialised so far. */
interface Inbox {
  readonly rng: Prng;
  /** The stream of the copy being computed (`rng.rederive`d for each). */
  copyRng: Prng | null;
  /** Sendings `0..materialised` of the board have been computed for this receiver. */
  materialised: number;
  /** The items already delivered, one byte per item (a later copy of one is a duplicate). */
  got: Uint8Array;
  /**
   * The delivered ones, sorted by arrival time; ties in the order their sendings were made
   * (publication order within a sending round).
   */
  readonly arrivals: { readonly atUs: number[]; readonly items: ApprovalItem[] };
}

/** The items gossiped about one relay block. */
interface Board {
  readonly number: number;
  readonly published: Published[];
  /** Every sending, in time order: publications and resends. */
  readonly sendings: Sending[];
  /** Per item (publication index), its sendings in time order (`copyArrival`). */
  readonly sendingsOf: Sending[][];
  /** Resends so far. */
  rounds: number;
  /** Assignments published per candidate index. */
  readonly assignments: number[];
  /** Per receiver index, created when it first asks. */
  readonly inboxes: (Inbox | undefined)[];
  /** Every item in publication order with its publication time (`publishedInbox`). */
  readonly inPublicationOrder: { readonly atUs: number[]; readonly items: ApprovalItem[] };
  /** Per receiver index, the per-receiver stream (created when first needed). */
  readonly streams: (Prng | undefined)[];
}

export class ApprovalBoard {
  private readonly boards = new Map<Hash, Board>();
  /** Per validator index: every other validator, in index order (an item's recipients). */
  private readonly peersOf: (readonly ActorId[])[] = [];
  /** Per validator index: its link state's handle (looked up once, not per copy). */
  private readonly endpoints: Endpoint[];

  constructor(
    private readonly network: Network,
    /** The world's root stream (see the header for the label each receiver forks). */
    private readonly rng: Prng,
    private readonly validatorActors: readonly ActorId[],
    /** The relay block number of a relay block (0 if unknown). */
    private readonly numberOf: (relayBlock: Hash) => number,
    /**
     * Whether a copy arriving at `to` at `atUs` is lost because `to` is down (a crash fault):
     * lost like a dropped copy, so a later sending may bring it. Default: never.
     */
    private readonly downAt?: (to: ValidatorIndex, atUs: Time) => boolean,
  ) {
    this.endpoints = validatorActors.map((a) => network.endpoint(a));
  }

  /**
   * Validator `from` sends `item` about relay block `block` to every other validator, now
   * (`atUs` is the current time: its uplink starts the copies no earlier); `bytes` is the size of
   * one copy on the wire.
   */
  publish(from: ValidatorIndex, block: Hash, item: ApprovalItem, bytes: number, atUs: Time): void {
    this.checkIndex(from);
    assert(
      item.validator === from,
      () => `approval gossip: validator ${from} publishes an ${item.kind} of ${item.validator}`,
    );
    const board = getOrInsertComputed(this.boards, block, (hash) => ({
      number: this.numberOf(hash),
      published: [],
      sendings: [],
      sendingsOf: [],
      rounds: 0,
      assignments: [],
      inboxes: [],
      inPublicationOrder: { atUs: [], items: [] },
      streams: [],
    }));
    const lazy = this.network.lazyBroadcast(this.validatorActors[from]!, this.peers(from), bytes);
    assert(
      atUs <= lazy.upStartUs,
      () =>
        `approval gossip: published at ${atUs} µs, after the upload started (${lazy.upStartUs})`,
    );
    const sending: Sending = { item: board.published.length, round: 0, lazy };
    board.sendings.push(sending);
    board.sendingsOf.push([sending]);
    board.published.push({ fromIndex: from, item, atUs, bytes });
    board.inPublicationOrder.atUs.push(atUs);
    board.inPublicationOrder.items.push(item);
    if (item.kind === "assignment") {
      for (const c of item.candidateIndices) {
        board.assignments[c] = (board.assignments[c] ?? 0) + 1;
      }
    }
  }

  /** Assignments published about `block` that name candidate index `candidateIndex`. */
  assignmentsSent(block: Hash, candidateIndex: number): number {
    return this.boards.get(block)?.assignments[candidateIndex] ?? 0;
  }

  /**
   * Approval distribution's resend (`enable_aggression` with `Resend::Yes` on a block whose age is
   * a multiple of `resend_unfinalized_period`): every item published about `block` so far is
   * sent again by its publisher to every other validator, now; a receiver that lost every earlier
   * copy may get this one (its own draws), one that has it drops the duplicate.
   */
  resend(block: Hash): void {
    const board = this.boards.get(block);
    if (board === undefined) return;
    board.rounds++;
    const count = board.published.length;
    for (let k = 0; k < count; k++) {
      const { fromIndex: from, bytes } = board.published[k]!;
      const lazy = this.network.lazyBroadcast(this.validatorActors[from]!, this.peers(from), bytes);
      const sending: Sending = { item: k, round: board.rounds, lazy };
      board.sendings.push(sending);
      board.sendingsOf[k]!.push(sending);
    }
  }

  /**
   * A restarted validator's catch-up (approval-distribution's `unify_with_peer`: a peer whose
   * view gains a block is sent every assignment and approval known for it): every item
   * published about `block` so far is sent again to `to` only, by its publisher, now.
   */
  resendTo(block: Hash, to: ValidatorIndex): void {
    this.checkIndex(to);
    const board = this.boards.get(block);
    if (board === undefined) return;
    board.rounds++;
    const toActor = this.validatorActors[to]!;
    board.published.forEach(({ fromIndex: from, bytes }, k) => {
      if (from === to) return;
      const lazy = this.network.lazyBroadcast(this.validatorActors[from]!, [toActor], bytes);
      const sending: Sending = { item: k, round: board.rounds, lazy, only: to };
      board.sendings.push(sending);
      board.sendingsOf[k]!.push(sending);
    });
  }

  /**
   * Everything validator `to` receives of what was sent about `block` so far, in arrival order
   * (ties by publication order), including arrivals after now (the reader takes those up to its now). The
   * array is the inbox itself: later sendings insert after every arrival up to their sending time.
   */
  arrivals(to: ValidatorIndex, block: Hash): ApprovalInbox {
    this.checkIndex(to);
    const board = this.boards.get(block);
    if (board === undefined) return NOTHING;
    let inbox = board.inboxes[to];
    if (inbox === undefined) {
      inbox = {
        rng: this.streamOf(board, block, to),
        copyRng: null,
        materialised: 0,
        got: new Uint8Array(Math.max(16, board.published.length)),
        arrivals: { atUs: [], items: [] },
      };
      board.inboxes[to] = inbox;
    }
    this.materialise(board, to, inbox);
    return inbox.arrivals;
  }

  /**
   * Every item published about `block` with its publication time, in publication order: what a
   * receiver that got every copy at once would have (the shared view of approval voting,
   * docs/simulator.md "Approval views"). The arrays grow as items are published.
   */
  publishedInbox(block: Hash): ApprovalInbox {
    return this.boards.get(block)?.inPublicationOrder ?? NOTHING;
  }

  /**
   * When validator `to` first receives item `k` (publication index) about `block`: its copy in
   * the first sending round that reaches it, each drawn exactly as `arrivals` draws it (the same
   * stream, so the same answer); the publisher's own item at its publication. Null if no round
   * so far reaches it.
   */
  copyArrival(to: ValidatorIndex, block: Hash, k: number): Time | null {
    this.checkIndex(to);
    const board = this.boards.get(block);
    const p = board?.published[k];
    if (board === undefined || p === undefined) return null;
    if (p.fromIndex === to) return p.atUs;
    const rng = this.streamOf(board, block, to);
    for (const sending of board.sendingsOf[k]!) {
      if (sending.only !== undefined && sending.only !== to) continue;
      const at = this.drawCopy(p, sending, to, rng.derive(k, sending.round));
      if (at !== null) return at;
    }
    return null;
  }

  /** Every item published about `block`, in publication order (the checkers read them). */
  published(block: Hash): readonly ApprovalItem[] {
    return this.boards.get(block)?.inPublicationOrder.items ?? [];
  }

  /**
   * Receiver `to` will not ask about `block` again: its inbox is dropped (memory; asking again
   * would start over from the first sending, with the same draws).
   */
  forget(to: ValidatorIndex, block: Hash): void {
    const board = this.boards.get(block);
    if (board !== undefined) board.inboxes[to] = undefined;
  }

  /** Forgets the blocks numbered more than `keepBlocks` below `number`. */
  prune(number: number, keepBlocks: number): void {
    for (const [hash, board] of this.boards) {
      if (board.number < number - keepBlocks) this.boards.delete(hash);
    }
  }

  /** Computes `to`'s copies of the sendings made since it last asked. */
  private materialise(board: Board, to: ValidatorIndex, inbox: Inbox): void {
    const { published, sendings } = board;
    if (inbox.materialised === sendings.length) return;
    const freshAt: number[] = [];
    const freshItems: ApprovalItem[] = [];
    for (let s = inbox.materialised; s < sendings.length; s++) {
      const sending = sendings[s]!;
      const { item: k, round, only } = sending;
      if (only !== undefined && only !== to) continue; // sent to another validator
      if (k < inbox.got.length && inbox.got[k] === 1) continue; // a duplicate: dropped
      const p = published[k]!;
      let at: Time | null;
      if (p.fromIndex === to) {
        at = p.atUs;
      } else {
        const rng =
          inbox.copyRng === null
            ? inbox.rng.derive(k, round)
            : inbox.rng.rederive(inbox.copyRng, k, round);
        inbox.copyRng = rng;
        at = this.drawCopy(p, sending, to, rng);
      }
      if (at === null) continue; // lost (a resend may bring it)
      if (k >= inbox.got.length) {
        const grown = new Uint8Array(Math.max(k + 1, 2 * inbox.got.length));
        grown.set(inbox.got);
        inbox.got = grown;
      }
      inbox.got[k] = 1;
      freshAt.push(at);
      freshItems.push(p.item);
    }
    inbox.materialised = sendings.length;
    mergeByArrival(inbox.arrivals, freshAt, freshItems);
  }

  /**
   * Receiver `to`'s copy of `p` in `sending`, drawn from `rng` (the copy's own stream, see the
   * header): when it arrives, or null if it is lost or `to` is down then. `Network.lazyDelivery`
   * with the endpoints looked up once; the one draw both `arrivals` and `copyArrival` make.
   */
  private drawCopy(p: Published, sending: Sending, to: ValidatorIndex, rng: Prng): Time | null {
    const { lazy, only } = sending;
    const copy = only !== undefined ? 0 : to < p.fromIndex ? to : to - 1;
    const at = this.network.lazyCopy(
      this.endpoints[p.fromIndex]!,
      this.endpoints[to]!,
      lazy.sizeBytes,
      lazy.sentAtUs,
      lazy.upStartUs + copy * lazy.copyUs,
      lazy.copyUs,
      rng,
    );
    return at !== null && this.downAt?.(to, at) ? null : at;
  }

  /** Receiver `to`'s stream for `block` (see the header), forked once. */
  private streamOf(board: Board, block: Hash, to: ValidatorIndex): Prng {
    let rng = board.streams[to];
    if (rng === undefined) {
      rng = this.rng.fork(`approval-gossip/${block}/${to}`);
      board.streams[to] = rng;
    }
    return rng;
  }

  private checkIndex(index: ValidatorIndex): void {
    assert(
      Number.isInteger(index) && index >= 0 && index < this.validatorActors.length,
      () => `approval gossip: no validator ${index} (${this.validatorActors.length} validators)`,
    );
  }

  private peers(index: ValidatorIndex): readonly ActorId[] {
    let peers = this.peersOf[index];
    if (peers === undefined) {
      peers = this.validatorActors.filter((_, v) => v !== index);
      this.peersOf[index] = peers;
    }
    return peers;
  }
}

const NOTHING: ApprovalInbox = { atUs: [], items: [] };

/**
 * `sorted` (by arrival) with the fresh arrivals (in sending order) merged in, each after every
 * arrival at or before it: the order of inserting them one by one (a stable sort of both). In
 * place: only the arrivals after the first fresh one move.
 */
function mergeByArrival(
  sorted: { readonly atUs: number[]; readonly items: ApprovalItem[] },
  freshAt: readonly number[],
  freshItems: readonly ApprovalItem[],
): void {
  const n = freshAt.length;
  if (n === 0) return;
  // The fresh ones in arrival order, ties in sending order (a stable sort of their indices).
  const order = Array.from({ length: n }, (_, j) => j);
  order.sort((a, b) => freshAt[a]! - freshAt[b]! || a - b);
  const last = sorted.atUs.length - 1;
  if (last < 0 || sorted.atUs[last]! <= freshAt[order[0]!]!) {
    // All after the arrivals already there (the usual case): appended, nothing moves.
    for (const j of order) {
      sorted.atUs.push(freshAt[j]!);
      sorted.items.push(freshItems[j]!);
    }
    return;
  }
  const from = upperBound(sorted.atUs, freshAt[order[0]!]!);
  const tailAt = sorted.atUs.splice(from);
  const tailItems = sorted.items.splice(from);
  let i = 0;
  let j = 0;
  while (i < tailAt.length || j < n) {
    if (j === n || (i < tailAt.length && tailAt[i]! <= freshAt[order[j]!]!)) {
      sorted.atUs.push(tailAt[i]!);
      sorted.items.push(tailItems[i++]!);
    } else {
      sorted.atUs.push(freshAt[order[j]!]!);
      sorted.items.push(freshItems[order[j++]!]!);
    }
  }
}
