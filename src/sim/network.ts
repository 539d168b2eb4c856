/**
 * The network model of SCENARIO.md's `network` block: per-message one-way latency (mean ± jitter,
 * seeded), per-node bandwidth (so PoV and chunk sizes cost transfer time) and message loss.
 *
 * A message of `s` bytes sent from A to B at `now`:
 * 1. Upload: A's uplink is a FIFO queue at A's `upMbps`; the message starts leaving at
 *    `upStart = max(now, A.upFree)` and its last bit leaves at `upEnd = upStart + s*8/upMbps`.
 * 2. Latency: one draw per message from the network's own stream (`rng.fork("network")`):
 *    `uniform` (default) in [mean - jitter, mean + jitter], or `normal` with sd = jitter / 2
 *    truncated (by redrawing) to the same range; clamped at 0, rounded to the µs.
 * 3. Download: the first bit reaches B at `upStart + latency`; B's downlink is a FIFO queue at B's
 *    `downMbps`, taken in order of first-bit arrival: `downStart = max(arrival, B.downFree)`, and
 *    the message is delivered at `max(downStart + s*8/downMbps, upEnd + latency)`.
 * The transfer is pipelined (cut-through): a lone 5 MB message between two idle 100 Mbit/s nodes
 * takes 0.4 s + latency, not 0.8 s, because the bits stream through both links at once; the
 * slower link sets the pace, and either queue adds waiting time when busy.
 * 4. Loss: one Bernoulli(`loss`) draw per message; a lost message has used A's uplink (it is lost
 *    in transit) but never reaches B. Both draws (latency, loss) are made for every message, so
 *    changing `loss` does not reshuffle the latencies.
 *
 * Simplifications (a model, not a packet simulator): no TCP (no handshake, slow start, ACKs or
 * retransmission: a lost message is simply gone), no congestion anywhere but the two per-node
 * queues (the core network has infinite capacity), uplink and downlink are independent (full
 * duplex), queues are FIFO without fair sharing between flows, and latency is i.i.d. per message
 * with no topology or regions. Each ordered pair (A, B) is one ordered connection, as a libp2p
 * substream is: a message never overtakes an earlier one on the same link (its arrival is pushed
 * back to the previous one's if its latency draw was smaller). A message from a node to itself
 * is delivered at the current time (after the running handler, through the scheduler), costs no
 * bandwidth and is never lost.
 *
 * Faults (`setFaults`, src/sim/net-faults.ts): every copy of every path below (`send`,
 * `multicast`, `gossip` unless it carries relay blocks, `lazyDelivery`, `lazyCopy`) asks the
 * faults about its (sender, receiver, send time): a partition-cut copy is dropped after its draws
 * (like a lost one), a link's extra loss is folded into the copy's one loss draw (no new draw), its
 * extra delay is added to the latency. Without faults nothing is consulted or drawn.
 *
 * Broadcasts at network scale (modelled, for speed; stated in docs/simulator.md). Sending one
 * message to hundreds of peers costs two scheduler events per copy with `send`; two cheaper forms
 * keep every copy's cost in the model:
 * - `multicast`: each copy is uploaded in list order and draws its latency and loss exactly as
 *   `send` would (same draws, same order, same per-link ordering), but its arrival and delivery
 *   events are coalesced in `BROADCAST_BUCKET_US` buckets (`Coalescer`): a copy enters the
 *   receiver's downlink at the end of the bucket holding its first-bit arrival (with its exact
 *   arrival time, so it may queue behind traffic that arrived up to one bucket after it) and is
 *   delivered then if its computed delivery time has passed, else at the end of the bucket
 *   holding that time. So a copy arrives at most ~2 buckets (2 ms) late, and a 600-peer
 *   broadcast costs a few dozen events, not 1,200.
 * - `lazyBroadcast`: for messages only some receivers ever read (availability bitfields: only
 *   the next block author's provisioner uses them). The sender's uplink is charged at once for
 *   every copy (in list order, as `broadcast` does); a copy's delivery time is computed only when
 *   a receiver asks for it (`lazyDelivery`), from its upload slot, a latency and a loss draw from
 *   a stream the receiver supplies, and the receiver's serialisation time. A lazy copy neither
 *   waits for nor delays other traffic on the receiver's downlink (a bitfield is ~120 bytes: 600
 *   of them take ~6 ms of a 100 Mbit/s downlink per 6 s slot), is not ordered with the other
 *   messages of its link (it travels on its own notification substream), and is counted in the
 *   sender's traffic only.
 *
 * Ref: SCENARIO.md `network`; Polkadot's peer-to-peer layer is libp2p over TCP (sc-network).
 */
import { assert } from "../lib/assert.ts";
import type { Prng } from "../lib/prng.ts";
import { CLEAN, combinedLoss, type LinkFate, type NetFaults } from "./net-faults.ts";
import { type CoalescedEvent, Coalescer, msToUs, type Scheduler, type Time } from "./scheduler.ts";

/** Width of the buckets `multicast` coalesces arrivals and deliveries into, µs. */
export const BROADCAST_BUCKET_US = 1000;

export type NodeId = string;

/** The scenario's `network` block (SCENARIO.md), plus the jitter distribution. */
export interface NetworkConfig {
  readonly latencyMs: { readonly mean: number; readonly jitter: number };
  readonly bandwidthMbps: number;
  readonly loss: number;
  /** Default `uniform`. */
  readonly jitterDistribution?: "uniform" | "normal";
}

/** A broadcast whose copies are materialised on demand (see the header and `lazyDelivery`). */
export interface LazyBroadcast {
  readonly from: NodeId;
  /** The recipients, in upload order. */
  readonly to: readonly NodeId[];
  readonly sizeBytes: number;
  /** When it was sent (the faults in force are those of this time). */
  readonly sentAtUs: Time;
  /** When the first copy started uploading; copy k uploads in [start + k c, start + (k+1) c). */
  readonly upStartUs: Time;
  /** Upload time of one copy (c). */
  readonly copyUs: Time;
}

/**
 * One copy of a `multicast` in flight: one object from its arrival bucket to its delivery (the
 * network's coalesced event for both steps).
 */
class MulticastCopy implements CoalescedEvent {
  /** First-bit arrival, then (once `arrived`) the delivery time. */
  time: Time;
  arrived = false;

  /** The receiver's state, once looked up at arrival. */
  dst: NodeState | undefined;

  constructor(
    private readonly network: Network,
    readonly peer: NodeId,
    /** The peer's position in the multicast's list. */
    readonly index: number,
    readonly sizeBytes: number,
    arrival: Time,
    readonly lastBit: Time,
    readonly deliver: (peer: NodeId, index: number) => void,
  ) {
    this.time = arrival;
  }

  run(): void {
    if (this.arrived) this.network.receiveCopy(this);
    else this.network.arriveCopy(this);
  }
}

/** Counters for one node. */
export interface NodeTraffic {
  /** Bytes put on the node's uplink (lost messages included, self-messages excluded). */
  bytesSent: number;
  /** Bytes delivered to the node. */
  bytesReceived: number;
  messagesSent: number;
  messagesReceived: number;
  /** Messages this node sent that were lost. */
  messagesDropped: number;
}

/** What `send` decided for one message. */
export interface SendResult {
  readonly dropped: boolean;
  /** When the message's last bit leaves the sender. */
  readonly uploadEndUs: Time;
  /** The latency drawn for it (0 for a self-message). */
  readonly latencyUs: Time;
}

export type Deliver = () => void;

/** Who a gossiping node forwards to, given who it got the message from (undefined at the origin). */
export type GossipTopology = (node: NodeId, from: NodeId | undefined) => readonly NodeId[];

/**
 * A node's link state as `Network.endpoint` hands it out: an opaque handle (the same object for
 * the node's whole life, bandwidth changes included) that the lazy methods accept instead of the
 * node's id, for callers that address the same nodes ~100,000 times a relay block.
 */
export interface Endpoint {
  readonly [endpointBrand]: true;
}
declare const endpointBrand: unique symbol;

interface NodeState {
  readonly id: NodeId;
  upMbps: number;
  downMbps: number;
  upFree: Time;
  downFree: Time;
  /** Per destination: the last first-bit arrival time, to keep each link ordered. */
  lastArrival: Map<NodeId, Time>;
  traffic: NodeTraffic;
}

/** Serialisation time of `sizeBytes` at `mbps` megabit/s, in whole µs (1 Mbit/s = 1 bit/µs). */
export function serialisationUs(sizeBytes: number, mbps: number): Time {
  return Math.ceil((sizeBytes * 8) / mbps);
}

export class Network {
  private readonly rng: Prng;
  private readonly nodes = new Map<NodeId, NodeState>();
  private readonly meanUs: Time;
  private readonly jitterUs: Time;
  private readonly normalJitter: boolean;
  private readonly loss: number;
  private readonly bandwidthMbps: number;
  private dropped = 0;
  private readonly coalescer: Coalescer;
  /** The run's partition and link faults (`setFaults`); null: none, nothing consulted. */
  private faults: NetFaults | null = null;

  /** `rng` is the run's stream; the network forks its own (`network`) from it. */
  constructor(
    private readonly scheduler: Scheduler,
    rng: Prng,
    config: NetworkConfig,
  ) {
    const { mean, jitter } = config.latencyMs;
    assert(mean >= 0 && Number.isFinite(mean), () => `network.latencyMs.mean: got ${mean}`);
    assert(jitter >= 0 && Number.isFinite(jitter), () => `network.latencyMs.jitter: got ${jitter}`);
    assert(config.bandwidthMbps > 0, () => `network.bandwidthMbps: got ${config.bandwidthMbps}`);
    assert(config.loss >= 0 && config.loss <= 1, () => `network.loss: got ${config.loss}`);
    this.rng = rng.fork("network");
    this.meanUs = msToUs(mean);
    this.jitterUs = msToUs(jitter);
    this.normalJitter = config.jitterDistribution === "normal";
    this.loss = config.loss;
    this.bandwidthMbps = config.bandwidthMbps;
    this.coalescer = new Coalescer(scheduler, BROADCAST_BUCKET_US, "net multicast");
  }

  /**
   * The partition and link faults every copy honours from now on (see net-faults.ts): a cut copy
   * is dropped after its draws (as a lost one), extra loss is folded into the copy's one loss
   * draw (`combinedLoss`), extra delay is added to its latency. Relay blocks' `gossip` is exempt.
   */
  setFaults(faults: NetFaults | null): void {
    this.faults = faults?.affectsLinks ? faults : null;
  }

  /** What the faults do to a copy from `from` to `to` sent at `sentAtUs`. */
  private fate(from: NodeId, to: NodeId, sentAtUs: Time): LinkFate {
    return this.faults === null ? CLEAN : this.faults.fate(from, to, sentAtUs);
  }

  /** Overrides a node's bandwidth (Mbit/s; Infinity = no serialisation cost). */
  setBandwidth(node: NodeId, bandwidth: { upMbps?: number; downMbps?: number }): void {
    const st = this.node(node);
    if (bandwidth.upMbps !== undefined) {
      assert(bandwidth.upMbps > 0, () => `setBandwidth(${node}): upMbps ${bandwidth.upMbps}`);
      st.upMbps = bandwidth.upMbps;
    }
    if (bandwidth.downMbps !== undefined) {
      assert(bandwidth.downMbps > 0, () => `setBandwidth(${node}): downMbps ${bandwidth.downMbps}`);
      st.downMbps = bandwidth.downMbps;
    }
  }

  /** Sends one message; `deliver` runs at the receiver's delivery time unless it is lost. */
  send(from: NodeId, to: NodeId, sizeBytes: number, deliver: Deliver, label = "net"): SendResult {
    return this.sendCopy(from, to, sizeBytes, deliver, label, true);
  }

  /** `send`; `faulted` false: the faults do not apply (relay blocks' `gossip`). */
  private sendCopy(
    from: NodeId,
    to: NodeId,
    sizeBytes: number,
    deliver: Deliver,
    label: string,
    faulted: boolean,
  ): SendResult {
    assert(
      Number.isSafeInteger(sizeBytes) && sizeBytes >= 0,
      () => `Network.send ${from}->${to}: size must be an integer >= 0 bytes, got ${sizeBytes}`,
    );
    const sched = this.scheduler;
    if (from === to) {
      sched.after(0, deliver, label);
      return { dropped: false, uploadEndUs: sched.now, latencyUs: 0 };
    }
    const src = this.node(from);
    const { upEnd, latency, arrival } = this.uploadCopy(
      src,
      to,
      sizeBytes,
      serialisationUs(sizeBytes, src.upMbps),
      faulted ? this.fate(from, to, sched.now) : CLEAN,
    );
    if (arrival === null) return { dropped: true, uploadEndUs: upEnd, latencyUs: latency };
    const lastBit = upEnd + latency;
    sched.at(arrival, () => this.arrive(to, sizeBytes, lastBit, deliver, label), label);
    return { dropped: false, uploadEndUs: upEnd, latencyUs: latency };
  }

  /**
   * One copy on `src`'s uplink: reserves its upload slot, draws its latency then its loss (always
   * in that order, so `send` and `multicast` consume the stream alike) and keeps the per-pair
   * order. `arrival` is null when the copy is lost (it still cost the upload); `fate` is what the
   * faults do to it (dropped after its draws if cut; its extra delay is in `latency`).
   */
  private uploadCopy(
    src: NodeState,
    to: NodeId,
    sizeBytes: number,
    uploadUs: Time,
    fate: LinkFate,
  ): { upEnd: Time; latency: Time; arrival: Time | null } {
    const upStart = Math.max(this.scheduler.now, src.upFree);
    const upEnd = upStart + uploadUs;
    src.upFree = upEnd;
    src.traffic.bytesSent += sizeBytes;
    src.traffic.messagesSent++;
    const latency = this.drawLatency(this.rng) + fate.delayUs;
    if (this.rng.bernoulli(combinedLoss(this.loss, fate.loss)) || fate.cut) {
      this.dropped++;
      src.traffic.messagesDropped++;
      return { upEnd, latency, arrival: null };
    }
    let arrival = upStart + latency;
    const prev = src.lastArrival.get(to);
    if (prev !== undefined && prev > arrival) arrival = prev;
    src.lastArrival.set(to, arrival);
    return { upEnd, latency, arrival };
  }

  /**
   * Sends the same message to each of `to`, in list order: each copy is a separate upload, so the
   * last peer waits for all the copies before it. `deliver(peer)` runs at each delivery.
   */
  broadcast(
    from: NodeId,
    to: readonly NodeId[],
    sizeBytes: number,
    deliver: (peer: NodeId) => void,
    label = "net",
  ): void {
    for (const peer of to) this.send(from, peer, sizeBytes, () => deliver(peer), label);
  }

  /**
   * `broadcast` with coalesced events (see the header): the same uploads and draws as one `send`
   * per peer in list order; each copy is delivered (`deliver(peer, index in the list)`) at most ~2
   * `BROADCAST_BUCKET_US` after the time `send` would give, in one event per bucket.
   */
  multicast(
    from: NodeId,
    to: readonly NodeId[],
    sizeBytes: number,
    deliver: (peer: NodeId, index: number) => void,
    label = "net",
  ): void {
    assert(
      Number.isSafeInteger(sizeBytes) && sizeBytes >= 0,
      () => `Network.multicast ${from}: size must be an integer >= 0 bytes, got ${sizeBytes}`,
    );
    const sched = this.scheduler;
    const src = this.node(from);
    const copyUs = serialisationUs(sizeBytes, src.upMbps);
    for (let index = 0; index < to.length; index++) {
      const peer = to[index]!;
      if (peer === from) {
        sched.after(0, () => deliver(peer, index), label);
        continue;
      }
      const fate = this.fate(from, peer, sched.now);
      const { upEnd, latency, arrival } = this.uploadCopy(src, peer, sizeBytes, copyUs, fate);
      if (arrival === null) continue;
      this.coalescer.add(
        new MulticastCopy(this, peer, index, sizeBytes, arrival, upEnd + latency, deliver),
      );
    }
  }

  /** @internal A multicast copy reached the end of its arrival bucket (`MulticastCopy`). */
  arriveCopy(copy: MulticastCopy): void {
    const dst = this.node(copy.peer);
    copy.dst = dst;
    const downStart = Math.max(copy.time, dst.downFree);
    const done = Math.max(downStart + serialisationUs(copy.sizeBytes, dst.downMbps), copy.lastBit);
    dst.downFree = done;
    // Already fully received by the end of this bucket: delivered now, in arrival order.
    if (done <= this.scheduler.now) this.receiveCopy(copy);
    else {
      copy.time = done;
      copy.arrived = true;
      this.coalescer.add(copy);
    }
  }

  /** @internal A multicast copy is delivered. */
  receiveCopy(copy: MulticastCopy): void {
    const traffic = (copy.dst ?? this.node(copy.peer)).traffic;
    traffic.bytesReceived += copy.sizeBytes;
    traffic.messagesReceived++;
    copy.deliver(copy.peer, copy.index);
  }

  /**
   * Starts a lazy broadcast (see the header): charges `from`'s uplink for one copy per recipient
   * now; `lazyDelivery` computes a copy's delivery when it is needed.
   */
  lazyBroadcast(from: NodeId, to: readonly NodeId[], sizeBytes: number): LazyBroadcast {
    assert(!to.includes(from), () => `Network.lazyBroadcast ${from}: sends to itself`);
    const { upStartUs, copyUs } = this.lazyUpload(from, to.length, sizeBytes);
    return { from, to, sizeBytes, sentAtUs: this.scheduler.now, upStartUs, copyUs };
  }

  /**
   * Charges `from`'s uplink now for `copies` copies of `sizeBytes` leaving one after the other
   * (and its traffic); returns when they were sent, when the first starts and how long each
   * takes, for `lazyCopy`.
   */
  lazyUpload(
    from: NodeId,
    copies: number,
    sizeBytes: number,
  ): { readonly sentAtUs: Time; readonly upStartUs: Time; readonly copyUs: Time } {
    assert(
      Number.isSafeInteger(sizeBytes) && sizeBytes >= 0,
      () => `Network.lazyUpload ${from}: size must be an integer >= 0 bytes, got ${sizeBytes}`,
    );
    const src = this.node(from);
    const copyUs = serialisationUs(sizeBytes, src.upMbps);
    const upStartUs = Math.max(this.scheduler.now, src.upFree);
    src.upFree = upStartUs + copyUs * copies;
    src.traffic.bytesSent += sizeBytes * copies;
    src.traffic.messagesSent += copies;
    return { sentAtUs: this.scheduler.now, upStartUs, copyUs };
  }

  /**
   * When copy `index` of `b` is delivered to `b.to[index]`, or null if it is lost: its latency
   * and then its loss are drawn from `rng` (one latency draw and one Bernoulli draw, as `send`
   * makes), so a receiver that materialises its copies in a fixed order gets a seeded,
   * reproducible answer whoever else asks.
   */
  lazyDelivery(b: LazyBroadcast, index: number, rng: Prng): Time | null {
    const peer = b.to[index];
    assert(peer !== undefined, () => `Network.lazyDelivery: no recipient ${index}`);
    return this.lazyCopy(
      b.from,
      peer,
      b.sizeBytes,
      b.sentAtUs,
      b.upStartUs + index * b.copyUs,
      b.copyUs,
      rng,
    );
  }

  /**
   * When a lazily computed copy of `sizeBytes` sent by `from` at `sentAtUs` is delivered to `to`,
   * or null if it is lost: its first bit leaves the sender at `upStartUs` and its upload takes
   * `copyUs` (the caller keeps the sender's queue); latency, then loss, are drawn from `rng`; the
   * receiver's download serialisation is added, without queueing behind its other traffic. The
   * faults of `sentAtUs` apply as in `send` (cut after the draws, loss folded in, delay added).
   */
  lazyCopy(
    from: NodeId | Endpoint,
    to: NodeId | Endpoint,
    sizeBytes: number,
    sentAtUs: Time,
    upStartUs: Time,
    copyUs: Time,
    rng: Prng,
  ): Time | null {
    const dst = this.state(to);
    const fate = this.faults === null ? CLEAN : this.fate(this.state(from).id, dst.id, sentAtUs);
    const latency = this.drawLatency(rng) + fate.delayUs;
    if (rng.bernoulli(combinedLoss(this.loss, fate.loss)) || fate.cut) return null;
    const arrival = upStartUs + latency;
    const lastBit = upStartUs + copyUs + latency;
    return Math.max(arrival + serialisationUs(sizeBytes, dst.downMbps), lastBit);
  }

  /** The handle of a node's link state (see `Endpoint`). */
  endpoint(node: NodeId): Endpoint {
    return this.node(node) as unknown as Endpoint;
  }

  /** A node's upload bandwidth, Mbit/s. */
  uplinkMbps(node: NodeId | Endpoint): number {
    return this.state(node).upMbps;
  }

  /** Counts a lazily computed copy in the sender's traffic. */
  countLazySend(from: NodeId | Endpoint, sizeBytes: number): void {
    const t = this.state(from).traffic;
    t.bytesSent += sizeBytes;
    t.messagesSent++;
  }

  private state(node: NodeId | Endpoint): NodeState {
    return typeof node === "string" ? this.node(node) : (node as unknown as NodeState);
  }

  /**
   * Floods one message over a topology: the origin sends to `topology(origin, undefined)`, and each
   * node, on its FIRST receipt, gets `deliver(node, from)` and forwards to `topology(node, from)`
   * (a Polkadot grid topology forwards along the other dimension; see grid_topology.rs). Every
   * copy costs bandwidth, duplicates included; a node never forwards twice and the origin never
   * delivers to itself. `faulted` false exempts it from the faults (relay blocks: forks are not
   * modelled, every node gets every block).
   */
  gossip(
    origin: NodeId,
    sizeBytes: number,
    topology: GossipTopology,
    deliver: (node: NodeId, from: NodeId) => void,
    label = "gossip",
    faulted = true,
  ): void {
    const seen = new Set<NodeId>([origin]);
    const forward = (node: NodeId, from: NodeId | undefined): void => {
      for (const peer of topology(node, from)) {
        if (peer === node) continue;
        this.sendCopy(
          node,
          peer,
          sizeBytes,
          () => {
            if (seen.has(peer)) return;
            seen.add(peer);
            deliver(peer, node);
            forward(peer, node);
          },
          label,
          faulted,
        );
      }
    };
    forward(origin, undefined);
  }

  /** A copy of a node's counters. */
  traffic(node: NodeId): NodeTraffic {
    return { ...(this.nodes.get(node)?.traffic ?? emptyTraffic()) };
  }

  /** Messages lost so far, all nodes. */
  get messagesDropped(): number {
    return this.dropped;
  }

  private arrive(to: NodeId, sizeBytes: number, lastBit: Time, deliver: Deliver, label: string) {
    const dst = this.node(to);
    const downStart = Math.max(this.scheduler.now, dst.downFree);
    const done = Math.max(downStart + serialisationUs(sizeBytes, dst.downMbps), lastBit);
    dst.downFree = done;
    this.scheduler.at(
      done,
      () => {
        dst.traffic.bytesReceived += sizeBytes;
        dst.traffic.messagesReceived++;
        deliver();
      },
      label,
    );
  }

  private drawLatency(rng: Prng): Time {
    const mean = this.meanUs;
    const jitter = this.jitterUs;
    let latency: number;
    if (this.normalJitter) {
      let z = rng.normal();
      while (z > 2 || z < -2) z = rng.normal();
      latency = Math.round(mean + (z * jitter) / 2);
    } else {
      latency = mean - jitter + rng.int(2 * jitter + 1);
    }
    return Math.max(latency, 0);
  }

  private node(id: NodeId): NodeState {
    let st = this.nodes.get(id);
    if (st === undefined) {
      st = {
        id,
        upMbps: this.bandwidthMbps,
        downMbps: this.bandwidthMbps,
        upFree: 0,
        downFree: 0,
        lastArrival: new Map(),
        traffic: emptyTraffic(),
      };
      this.nodes.set(id, st);
    }
    return st;
  }
}

function emptyTraffic(): NodeTraffic {
  return {
    bytesSent: 0,
    bytesReceived: 0,
    messagesSent: 0,
    messagesReceived: 0,
    messagesDropped: 0,
  };
}
