/**
 * Relay-block production: at the start of slot S the slot's author builds the next block on the
 * tip (its provisioner offers bitfields and backed candidates; `applyBlock` runs `paras_inherent::
 * enter`), the block joins the relay chain store, is recorded (the relay block records, the
 * inclusion events, the trace), shown to the safety checker, and announced to every actor. A
 * slot whose author is down (a `crash` fault, src/sim/crash-faults.ts) stays empty: no block, and
 * the next slot's author builds on the last block, so block numbers stay consecutive while the
 * header's `slot` skips (without empty slots, block N has slot N).
 *
 * Invariants:
 * - Blocks are produced in number order, each on the tip (asserted): at most one block per slot,
 *   its header's `slot` the slot it was authored in.
 * - The author order and the gossip graph come from the world's root stream, forks `babe` and
 *   `block-gossip`: fixed for the run, independent of everything else drawn.
 * - It observes, never steers: the records and the checker see what `applyBlock` returned, and
 *   nothing here reads them back.
 *
 * Modelled, not protocol (docs/simulator.md "What is modelled"): no forks (the author of a slot
 * always builds on the last block, as BABE's secondary slots give every slot an author; only a
 * crashed author leaves its slot empty); the author
 * order is a seeded round-robin permutation standing in for BABE's VRF lottery; the author's
 * proposal and first gossip hop take `relay.blockArrivalDelayMs` (0 by default: at the slot
 * start); the announcement and the block request are one message carrying the
 * block (its body 1200 bytes per backed candidate and 100 per bitfield), forwarded by every actor
 * that receives it for the first time over a fixed seeded graph (`blockGossipPeers`).
 *
 * Ref: polkadot/runtime/parachains/src/paras_inherent/mod.rs (enter),
 *      polkadot/node/core/provisioner/src/lib.rs (the author's inherent data),
 *      substrate/client/consensus/babe/src/authorship.rs (slot claims, modelled),
 *      substrate/client/network/sync (block announcements and requests, modelled).
 */

import type { Actor } from "../actors/env.ts";
import { type ActorId, messageSizeBytes, type ProtocolMessage } from "../actors/protocol.ts";
import { assert } from "../lib/assert.ts";
import { fromHex } from "../lib/hex.ts";
import type { Prng } from "../lib/prng.ts";
import { hashHex } from "../primitives/hashing.ts";
import type { ParachainsInherentData } from "../primitives/inherent.ts";
import type { RelayHeader } from "../primitives/runtime-api.ts";
import { type ApplyBlockContext, applyBlock } from "../relay/apply-block.ts";
import { runtimeApi } from "../relay/runtime-api.ts";
import type { RelayState } from "../relay/state.ts";
import type { SafetyChecker } from "./checkers.ts";
import type { Network } from "./network.ts";
import type { InclusionEventRecord, RelayBlockRecord } from "./records.ts";
import { relayBlockTraceDetail } from "./relay-block-trace.ts";
import type { RelayChainStore } from "./relay-chain.ts";
import type { Scheduler } from "./scheduler.ts";
import type { SessionChanges } from "./session-changes.ts";
import type { Trace } from "./trace.ts";

/** Modelled bytes of one backed candidate in a relay block body (receipt, votes, framing). */
export const BACKED_CANDIDATE_BODY_BYTES = 1200;
/** Modelled bytes of one signed bitfield in a relay block body. */
export const BITFIELD_BODY_BYTES = 100;

/** How many peers a node forwards a new relay block to. */
export const BLOCK_GOSSIP_FANOUT = 8;

/**
 * Relay-block propagation (modelled): Substrate announces a block and its peers request it; here
 * the two are folded into one message carrying the block, and each actor forwards a block it
 * receives for the first time to `BLOCK_GOSSIP_FANOUT` peers of a fixed graph drawn from the
 * seed (its ring successor, so the graph is connected, and random others). In a small network
 * that is nearly everyone; in a 600-validator one a block reaches everybody in a few hops instead
 * of the author uploading it 800 times.
 */
export function blockGossipPeers(actors: readonly ActorId[], rng: Prng): Map<ActorId, ActorId[]> {
  const out = new Map<ActorId, ActorId[]>();
  const n = actors.length;
  actors.forEach((id, i) => {
    const peers = new Set<ActorId>();
    if (n > 1) peers.add(actors[(i + 1) % n]!);
    const want = Math.min(BLOCK_GOSSIP_FANOUT, n - 1);
    while (peers.size < want) {
      const j = rng.int(n);
      if (j !== i) peers.add(actors[j]!);
    }
    out.set(id, [...peers]);
  });
  return out;
}

/** What block production needs of a slot author (a validator node). */
export interface BlockAuthor extends Actor {
  /** The provisioner's inherent data for the child of `parent`. */
  provideInherentData(parent: RelayHeader): ParachainsInherentData;
  readonly provisioner: { readonly lastDecision: RelayBlockRecord["decision"] };
  /**
   * What it seals instead of the inherent its `create_inherent` kept (a `malicious-author`), or
   * undefined (an honest author seals what it sanitized).
   */
  tamperInherent?(sanitized: ParachainsInherentData): ParachainsInherentData | undefined;
}

/**
 * A block its author sealed that `paras_inherent::enter` fails (the importers reject it; its slot
 * stays empty): `CandidatesFilteredDuringExecution`, a backed candidate the sanitising dropped
 * (under-backed, unchained, ...), with the first one's reason.
 */
export interface RejectedBlock {
  readonly slot: number;
  readonly number: number;
  readonly error: "CandidatesFilteredDuringExecution";
  readonly reasons: readonly string[];
}

export interface RelayBlockProductionParams {
  readonly scheduler: Scheduler;
  readonly network: Network;
  readonly chain: RelayChainStore<RelayState>;
  readonly trace: Trace;
  readonly checker: SafetyChecker;
  /** The validators, by validator index: the slot authors. */
  readonly authors: readonly BlockAuthor[];
  /** Every actor (the gossip graph is drawn over them in this map's order). */
  readonly actors: ReadonlyMap<ActorId, Actor>;
  /** The world's root stream (forks `babe` and `block-gossip`). */
  readonly rng: Prng;
  readonly slotUs: number;
  /**
   * From the slot start to the author announcing its block (`relay.blockArrivalDelayMs`,
   * SEMANTICS.md §7 C7: BABE authoring and the first hop of gossip), µs. The author takes its
   * inherent data at the slot start; nobody, the author included, imports the block earlier.
   */
  readonly arrivalDelayUs: number;
  /** The signature check `applyBlock` uses. */
  readonly verify: ApplyBlockContext["verify"];
  /** The scenario's session changes (`session-change` faults); absent: one session. */
  readonly sessionChanges?: SessionChanges;
  /** A planted bug handed to the runtime (`WorldOptions.buggify`). */
  readonly buggify?: ApplyBlockContext["buggify"];
  /** Called at the start of every slot, before its author is chosen (fault transitions). */
  readonly beforeSlot?: (slot: number) => void;
  /** Whether slot author `validator` is down in `slot` (its slot stays empty); default never. */
  readonly authorDown?: (validator: number, slot: number) => boolean;
  /** Whether an actor is down now: it neither receives nor forwards relay blocks. */
  readonly actorDown?: (actor: ActorId) => boolean;
  /** Called at the start of a slot, before block `number` is built. */
  readonly beforeBlock?: (number: number) => void;
  /** Called when an author's block fails `enter` (the slot stays empty). */
  readonly onRejected?: (rejected: RejectedBlock) => void;
  /** Called once block N is produced and announced. */
  readonly afterBlock?: (number: number) => void;
}

export class RelayBlockProduction {
  /** The blocks produced from `firstKept` on, in order (`forget` drops older ones). */
  private readonly kept: RelayBlockRecord[] = [];
  /** The number of `kept[0]` (blocks are numbered from 1). */
  private firstKept = 1;
  /** The inclusion events of every block produced, in order. */
  readonly events: InclusionEventRecord[] = [];
  /** The highest block number `beforeBlock` ran for. */
  private preparedNumber = 0;
  /** A seeded slot-author order (BABE's VRF lottery, modelled as a round-robin permutation). */
  private readonly authorOrder: readonly number[];
  /** Who each actor forwards a new relay block to (a fixed seeded graph, see `blockGossipPeers`). */
  private readonly blockPeers: ReadonlyMap<ActorId, readonly ActorId[]>;
  /** The slot of each block produced, by number (index 0: genesis, slot 0). */
  private readonly slotByNumber: number[] = [0];

  constructor(private readonly p: RelayBlockProductionParams) {
    const n = p.authors.length;
    this.authorOrder = p.rng.fork("babe").shuffle(Array.from({ length: n }, (_, i) => i));
    this.blockPeers = blockGossipPeers([...p.actors.keys()], p.rng.fork("block-gossip"));
  }

  /** The blocks produced, in order, from the oldest not forgotten (`forget`). */
  get records(): readonly RelayBlockRecord[] {
    return this.kept;
  }

  /** Block `number` as produced, unless not yet produced or forgotten. */
  record(number: number): RelayBlockRecord | undefined {
    return number >= this.firstKept ? this.kept[number - this.firstKept] : undefined;
  }

  /**
   * Drop the records of the blocks below `number` (a long run's memory: a record holds the
   * block's whole inherent); the inclusion events stay (the run report reads them).
   */
  forget(number: number): void {
    const drop = Math.min(number - this.firstKept, this.kept.length);
    if (drop <= 0) return;
    this.kept.splice(0, drop);
    this.firstKept += drop;
  }

  /** The slot block `number` was authored in (undefined: not produced). */
  slotOf(number: number): number | undefined {
    return this.slotByNumber[number];
  }

  /** Schedules slots 1..`count`, each at its start (slot S starts at S x slotUs). */
  schedule(count: number): void {
    for (let b = 1; b <= count; b++) {
      this.p.scheduler.at(b * this.p.slotUs, () => this.produce(b), `relay block ${b}`);
    }
  }

  /** Slot S: its author builds the next block on the tip and announces it to everyone. */
  private produce(slot: number): void {
    const p = this.p;
    p.beforeSlot?.(slot);
    const authorIndex = this.authorOrder[slot % this.authorOrder.length]!;
    const author = p.authors[authorIndex]!;
    if (p.authorDown?.(authorIndex, slot)) {
      p.trace.record(p.scheduler.now, author.id, "EmptySlot", { slot });
      return;
    }
    const number = p.chain.tip.header.number + 1;
    // Once per block number: a rejected block's number is built again in a later slot.
    if (number > this.preparedNumber) {
      this.preparedNumber = number;
      p.beforeBlock?.(number);
    }
    const parent = p.chain.tip;
    assert(
      parent.header.number === number - 1,
      () => `block ${number}: the tip is ${parent.header.number}`,
    );
    const offered = author.provideInherentData(parent.header);
    const newSession = p.sessionChanges?.at(slot, parent.state);
    const blockHeader = {
      number,
      parentHash: parent.header.hash,
      parentStateRoot: parent.header.stateRoot,
      slot,
      ...(newSession === undefined ? {} : { newSession }),
    };
    const ctx =
      p.buggify === undefined ? { verify: p.verify } : { verify: p.verify, buggify: p.buggify };
    // The honest offer, sanitized as `create_inherent` does (what it drops is recorded for the
    // node/runtime agreement check), is what an honest author seals and `enter` accepts as is.
    let result = applyBlock(parent.state, blockHeader, offered, ctx);
    // A malicious author seals something else: every importer runs `enter` on it, which drops
    // bad bitfields silently (`sanitize_bitfields`) but fails the block when a backed candidate
    // is filtered (`CandidatesFilteredDuringExecution`; `process_candidates`' own errors fail
    // it as well): such a block is rejected and its slot stays empty.
    const sealed = author.tamperInherent?.(result.accepted);
    if (sealed !== undefined) {
      const entered = applyBlock(parent.state, blockHeader, sealed, ctx);
      if (entered.dropped.candidates.length > 0) {
        const reasons = entered.dropped.candidates.map((d) => d.reason.code);
        p.trace.record(p.scheduler.now, author.id, "RejectedBlock", { slot, number, reasons });
        p.onRejected?.({ slot, number, error: "CandidatesFilteredDuringExecution", reasons });
        return;
      }
      result = entered;
    }
    const header = result.header;
    p.chain.add({ header, state: result.post, api: runtimeApi(result.post, header) });
    this.slotByNumber[number] = slot;
    for (const e of result.events) {
      if (e.kind === "UpwardMessagesReceived") continue;
      this.events.push({
        relayBlock: number,
        type: e.kind,
        paraId: e.paraId,
        candidateHash: e.candidateHash,
        core: e.core,
        headHash: hashHex(e.headData),
      });
    }
    const record: RelayBlockRecord = {
      header,
      author: author.id,
      events: result.events,
      offered: sealed ?? offered,
      accepted: result.accepted,
      dropped: result.dropped.candidates,
      decision: author.provisioner.lastDecision,
      ...(sealed === undefined ? {} : { tampered: true }),
    };
    this.kept.push(record);
    p.checker.onBlock(record);
    if (newSession !== undefined) {
      // The block ran in the old session; from its child on, the new one (relay/session-change.ts).
      // The checker gets the validator list in the session's (shuffled) order and splits the
      // groups itself: nothing of the runtime's groups.
      const shared = result.post.shared;
      p.checker.onNewSession({
        startBlock: result.post.scheduler.sessionStartBlock,
        sessionIndex: shared.currentSessionIndex,
        validatorKeys: newSession.shuffle.map((j) => fromHex(shared.activeValidatorKeys[j]!)),
      });
      p.trace.record(p.scheduler.now, author.id, "NewSession", {
        session: shared.currentSessionIndex,
        groups: result.post.scheduler.validatorGroups,
      });
    }
    p.trace.record(p.scheduler.now, author.id, "RelayBlock", relayBlockTraceDetail(record));

    if (p.arrivalDelayUs > 0) {
      p.scheduler.after(
        p.arrivalDelayUs,
        () => this.announce(author, result),
        `relay block ${number} announced`,
      );
    } else {
      this.announce(author, result);
    }
    p.afterBlock?.(number);
  }

  /** The author imports its block and gossips it; the body carries candidates and bitfields. */
  private announce(author: BlockAuthor, result: ReturnType<typeof applyBlock>): void {
    const p = this.p;
    const header = result.header;
    const bodyBytes =
      result.accepted.backedCandidates.length * BACKED_CANDIDATE_BODY_BYTES +
      result.accepted.bitfields.length * BITFIELD_BODY_BYTES;
    const msg: ProtocolMessage = { type: "RelayBlock", header, bodyBytes };
    author.onMessage(author.id, msg);
    const down = p.actorDown;
    p.network.gossip(
      author.id,
      messageSizeBytes(msg),
      down === undefined
        ? (node) => this.blockPeers.get(node) ?? []
        : (node) => (down(node) ? [] : (this.blockPeers.get(node) ?? [])),
      down === undefined
        ? (node, from) => p.actors.get(node)!.onMessage(from, msg)
        : (node, from) => {
            if (!down(node)) p.actors.get(node)!.onMessage(from, msg);
          },
      "RelayBlock",
      false, // relay blocks reach every node whatever the faults (forks are not modelled)
    );
  }
}
