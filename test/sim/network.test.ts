import { describe, expect, it } from "vitest";
import { Prng } from "../../src/lib/prng.ts";
import { Network, type NetworkConfig, serialisationUs } from "../../src/sim/network.ts";
import { Scheduler } from "../../src/sim/scheduler.ts";

const MB5 = 5_000_000;

function setup(overrides: Partial<NetworkConfig> = {}, seed = 1) {
  const sched = new Scheduler();
  const config: NetworkConfig = {
    latencyMs: { mean: 50, jitter: 20 },
    bandwidthMbps: 100,
    loss: 0,
    ...overrides,
  };
  const net = new Network(sched, Prng.fromSeed(seed), config);
  return { sched, net };
}

/** Sends and records the delivery time relative to the send time. */
function timed(sched: Scheduler, net: Network, from: string, to: string, size: number) {
  const sentAt = sched.now;
  const out = { deliveredAfterUs: -1 };
  net.send(from, to, size, () => {
    out.deliveredAfterUs = sched.now - sentAt;
  });
  return out;
}

describe("Network latency", () => {
  for (const jitterDistribution of ["uniform", "normal"] as const) {
    it(`${jitterDistribution}: small messages arrive within mean ± jitter and span the range`, () => {
      const { sched, net } = setup({ jitterDistribution });
      const results = [];
      for (let i = 0; i < 2000; i++) {
        // One message per distinct link, one every second: no queueing, no ordering constraint.
        results.push(timed(sched, net, `a${i}`, `b${i}`, 0));
        sched.runUntil(sched.now + 1_000_000);
      }
      const lat = results.map((r) => r.deliveredAfterUs);
      expect(Math.min(...lat)).toBeGreaterThanOrEqual(30_000);
      expect(Math.max(...lat)).toBeLessThanOrEqual(70_000);
      const mean = lat.reduce((a, b) => a + b, 0) / lat.length;
      expect(Math.abs(mean - 50_000)).toBeLessThan(1_000);
      // uniform spreads to the edges; the truncated normal (sd = jitter/2) reaches 2 sd rarely
      expect(Math.min(...lat)).toBeLessThan(jitterDistribution === "uniform" ? 30_500 : 34_000);
      expect(Math.max(...lat)).toBeGreaterThan(jitterDistribution === "uniform" ? 69_500 : 66_000);
    });
  }

  it("latency is never negative when jitter exceeds the mean", () => {
    const { sched, net } = setup({ latencyMs: { mean: 5, jitter: 20 } });
    const rs = Array.from({ length: 500 }, (_, i) => timed(sched, net, `a${i}`, `b${i}`, 0));
    sched.run();
    const lat = rs.map((r) => r.deliveredAfterUs);
    expect(Math.min(...lat)).toBe(0);
    expect(Math.max(...lat)).toBeLessThanOrEqual(25_000);
  });

  it("a message to oneself is delivered now, after the running handler, for free", () => {
    const { sched, net } = setup();
    const log: string[] = [];
    sched.at(1000, () => {
      net.send("a", "a", MB5, () => log.push(`self@${sched.now}`));
      log.push("handler");
    });
    sched.run();
    expect(log).toEqual(["handler", "self@1000"]);
    expect(net.traffic("a").bytesSent).toBe(0);
  });

  it("messages on one link are delivered in send order despite jitter", () => {
    const { sched, net } = setup({ latencyMs: { mean: 50, jitter: 50 } });
    const got: number[] = [];
    for (let i = 0; i < 200; i++) net.send("a", "b", 100, () => got.push(i));
    sched.run();
    expect(got).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });
});

describe("Network bandwidth", () => {
  it("5 MB at 100 Mbit/s takes 0.4 s plus latency (pipelined through both links)", () => {
    expect(serialisationUs(MB5, 100)).toBe(400_000);
    const { sched, net } = setup({ latencyMs: { mean: 50, jitter: 0 } });
    const r = timed(sched, net, "a", "b", MB5);
    sched.run();
    expect(r.deliveredAfterUs).toBe(450_000);
  });

  it("the slower side sets the pace", () => {
    const { sched, net } = setup({ latencyMs: { mean: 0, jitter: 0 } });
    net.setBandwidth("slow", { downMbps: 10 });
    net.setBandwidth("slowUp", { upMbps: 20 });
    const down = timed(sched, net, "a", "slow", MB5);
    const up = timed(sched, net, "slowUp", "b", MB5);
    sched.run();
    expect(down.deliveredAfterUs).toBe(4_000_000);
    expect(up.deliveredAfterUs).toBe(2_000_000);
  });

  it("the sender's upload queue delays the second of two big messages", () => {
    const { sched, net } = setup({ latencyMs: { mean: 50, jitter: 0 } });
    const first = timed(sched, net, "a", "b", MB5);
    const second = timed(sched, net, "a", "c", MB5);
    sched.run();
    expect(first.deliveredAfterUs).toBe(450_000);
    expect(second.deliveredAfterUs).toBe(850_000);
  });

  it("the receiver's download queue delays the second of two big messages", () => {
    const { sched, net } = setup({ latencyMs: { mean: 50, jitter: 0 } });
    const first = timed(sched, net, "a", "c", MB5);
    const second = timed(sched, net, "b", "c", MB5);
    sched.run();
    expect(first.deliveredAfterUs).toBe(450_000);
    expect(second.deliveredAfterUs).toBe(850_000);
  });

  it("broadcast uploads each copy in turn", () => {
    const { sched, net } = setup({ latencyMs: { mean: 10, jitter: 0 } });
    const at: Record<string, number> = {};
    net.broadcast("a", ["p1", "p2", "p3"], 1_000_000, (peer) => {
      at[peer] = sched.now;
    });
    sched.run();
    expect(at).toEqual({ p1: 90_000, p2: 170_000, p3: 250_000 });
    expect(net.traffic("a")).toMatchObject({ bytesSent: 3_000_000, messagesSent: 3 });
    expect(net.traffic("p2")).toMatchObject({ bytesReceived: 1_000_000, messagesReceived: 1 });
  });

  it("gossip floods a topology, delivering once per node and paying for duplicates", () => {
    const { sched, net } = setup({ latencyMs: { mean: 10, jitter: 5 } });
    // A ring of 8 nodes where each forwards to both neighbours: every node has 2 in-links.
    const n = 8;
    const name = (i: number) => `v${(i + n) % n}`;
    const idx = (v: string) => Number(v.slice(1));
    const delivered: string[] = [];
    net.gossip(
      "v0",
      1000,
      (node) => [name(idx(node) - 1), name(idx(node) + 1)],
      (node) => delivered.push(node),
    );
    sched.run();
    expect(delivered.slice().sort()).toEqual(["v1", "v2", "v3", "v4", "v5", "v6", "v7"]);
    let received = 0;
    for (let i = 0; i < n; i++) received += net.traffic(name(i)).messagesReceived;
    // origin sends 2; each of the 7 others forwards 2 once: 16 copies, all delivered
    expect(received).toBe(16);
  });
});

describe("Network loss", () => {
  it("loss 0 drops nothing, loss 1 drops everything (but the upload is paid)", () => {
    for (const loss of [0, 1]) {
      const { sched, net } = setup({ loss });
      let delivered = 0;
      for (let i = 0; i < 500; i++) net.send("a", `b${i % 7}`, 100, () => delivered++);
      sched.run();
      expect(delivered).toBe(loss === 0 ? 500 : 0);
      expect(net.messagesDropped).toBe(loss === 0 ? 0 : 500);
      expect(net.traffic("a").bytesSent).toBe(50_000);
    }
  });

  it("loss p drops about p of the messages, and changing loss does not change latencies", () => {
    const latencies = (loss: number) => {
      const { sched, net } = setup({ loss });
      const out: number[] = [];
      let dropped = 0;
      for (let i = 0; i < 4000; i++) {
        const r = net.send(`a${i}`, "b", 0, () => {});
        out.push(r.latencyUs);
        if (r.dropped) dropped++;
      }
      sched.run();
      return { out, dropped };
    };
    const a = latencies(0);
    const b = latencies(0.3);
    expect(b.out).toEqual(a.out);
    expect(b.dropped / 4000).toBeGreaterThan(0.27);
    expect(b.dropped / 4000).toBeLessThan(0.33);
  });

  it("rejects invalid configuration and sizes", () => {
    expect(() => setup({ loss: 1.5 })).toThrow(/loss/);
    expect(() => setup({ bandwidthMbps: 0 })).toThrow(/bandwidth/);
    expect(() => setup({ latencyMs: { mean: -1, jitter: 0 } })).toThrow(/mean/);
    const { net } = setup();
    expect(() => net.send("a", "b", 1.5, () => {})).toThrow(/size/);
  });
});
