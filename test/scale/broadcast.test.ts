/**
 * The network's two broadcast forms for large networks: `multicast` (the same uploads and
 * latency/loss draws as one `send` per peer, delivered in 1 ms buckets) and `lazyBroadcast`
 * (the sender's uplink charged at once, each copy's delivery computed on demand).
 */
import { describe, expect, it } from "vitest";
import { Prng } from "../../src/lib/prng.ts";
import {
  BROADCAST_BUCKET_US,
  Network,
  type NetworkConfig,
  serialisationUs,
} from "../../src/sim/network.ts";
import { Scheduler } from "../../src/sim/scheduler.ts";

function setup(overrides: Partial<NetworkConfig> = {}) {
  const sched = new Scheduler();
  const config: NetworkConfig = {
    latencyMs: { mean: 50, jitter: 20 },
    bandwidthMbps: 100,
    loss: 0,
    ...overrides,
  };
  return { sched, net: new Network(sched, Prng.fromSeed(7), config) };
}

const peers = Array.from({ length: 300 }, (_, i) => `p${i}`);

/** Delivery times of one broadcast of `size` bytes from `a` to `peers`, by either form. */
function deliveries(kind: "broadcast" | "multicast", loss: number, size = 2_000) {
  const { sched, net } = setup({ loss });
  const at = new Map<string, number>();
  const record = (peer: string) => {
    expect(at.has(peer)).toBe(false);
    at.set(peer, sched.now);
  };
  if (kind === "broadcast") net.broadcast("a", peers, size, record);
  else net.multicast("a", peers, size, record);
  sched.run();
  // The stream is where `send` would leave it: the next message draws the same latency.
  const next = net.send("a", "z", 0, () => {});
  return { at, events: sched.eventsExecuted, next, traffic: net.traffic("a"), net };
}

describe("Network.multicast", () => {
  it("delivers every copy at most two buckets after `send` would, never before", () => {
    const exact = deliveries("broadcast", 0);
    const grouped = deliveries("multicast", 0);
    expect([...grouped.at.keys()].sort()).toEqual([...exact.at.keys()].sort());
    for (const [peer, t] of exact.at) {
      const late = grouped.at.get(peer)! - t;
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(2 * BROADCAST_BUCKET_US);
    }
    // Far fewer events: one per bucket instead of two per copy.
    expect(grouped.events).toBeLessThan(exact.events / 4);
  });

  it("makes the same uploads and latency and loss draws as one send per peer", () => {
    const exact = deliveries("broadcast", 0.3);
    const grouped = deliveries("multicast", 0.3);
    expect([...grouped.at.keys()].sort()).toEqual([...exact.at.keys()].sort());
    expect(grouped.at.size).toBeLessThan(peers.length); // some were lost, the same ones
    expect(grouped.traffic).toEqual(exact.traffic);
    // (The runs end at different times, so only the draws are comparable.)
    expect(grouped.next.latencyUs).toBe(exact.next.latencyUs);
    expect(grouped.next.dropped).toBe(exact.next.dropped);
  });
});

describe("Network.lazyBroadcast", () => {
  it("charges the sender's uplink for every copy at once", () => {
    const { net } = setup({ latencyMs: { mean: 10, jitter: 0 } });
    const b = net.lazyBroadcast("a", peers, 1_000);
    const copyUs = serialisationUs(1_000, 100);
    expect(b).toMatchObject({ upStartUs: 0, copyUs });
    // A message sent afterwards waits for all the copies.
    expect(net.send("a", "z", 1_000, () => {}).uploadEndUs).toBe((peers.length + 1) * copyUs);
    expect(net.traffic("a")).toMatchObject({
      messagesSent: peers.length + 1,
      bytesSent: 1_000 * (peers.length + 1),
    });
  });

  it("computes a copy's delivery from its upload slot, the receiver's stream and its downlink", () => {
    const { net } = setup();
    const b = net.lazyBroadcast("a", peers, 1_000);
    const copyUs = serialisationUs(1_000, 100);
    const at = (k: number, seed: string) => net.lazyDelivery(b, k, Prng.fromSeed(seed));
    // Same stream, same answer, whoever asks and how often.
    expect(at(42, "r")).toBe(at(42, "r"));
    // Copy k: uploaded in [k c, (k+1) c), then latency (30..70 ms), then the receiver's link.
    const latency = at(42, "r")! - 43 * copyUs;
    expect(latency).toBeGreaterThanOrEqual(30_000);
    expect(latency).toBeLessThanOrEqual(70_000);
    // The draw is the same latency draw `send` makes from that stream.
    const ref = setup();
    const refStream = Prng.fromSeed("r");
    expect(ref.net.lazyDelivery(ref.net.lazyBroadcast("a", ["x"], 1_000), 0, refStream)).toBe(
      latency + copyUs,
    );
  });

  it("loses copies with the configured probability and never sends to the sender itself", () => {
    const { net } = setup({ loss: 1 });
    const b = net.lazyBroadcast("a", peers, 100);
    expect(net.lazyDelivery(b, 0, Prng.fromSeed(1))).toBeNull();
    expect(() => net.lazyBroadcast("a", ["a", "b"], 100)).toThrow(/itself/);
  });
});
