import { describe, expect, it } from "vitest";
import { Prng } from "../../src/lib/prng.ts";
import { Network } from "../../src/sim/network.ts";
import { Cpu, Scheduler } from "../../src/sim/scheduler.ts";
import { Trace } from "../../src/sim/trace.ts";

/**
 * A random workload exercising every engine part: nodes wake at random times, send messages of
 * random sizes (some PoV-sized) to random peers over a lossy jittery network, verify what they
 * receive on their CPU and sometimes reply or gossip. Everything observable goes to the trace.
 */
function runWorkload(seed: number, opts: { extraDrawsIn?: string } = {}) {
  const sched = new Scheduler();
  const root = Prng.fromSeed(seed);
  const net = new Network(sched, root, {
    latencyMs: { mean: 50, jitter: 20 },
    bandwidthMbps: 100,
    loss: 0.05,
    jitterDistribution: "normal",
  });
  const cpu = new Cpu(sched);
  const trace = new Trace();
  const nodes = Array.from({ length: 12 }, (_, i) => `v${i}`);
  const rngs = new Map(nodes.map((n) => [n, root.fork(n)]));
  cpu.setCores("v0", 2);

  const wake = (node: string): void => {
    const rng = rngs.get(node)!;
    if (node === opts.extraDrawsIn) rng.uint32();
    const peer = rng.pick(nodes);
    const size = rng.bernoulli(0.1) ? rng.intBetween(1_000_000, 5_000_000) : rng.int(2000);
    trace.record(sched.now, node, "send", { peer, size });
    net.send(node, peer, size, () => {
      trace.record(sched.now, peer, "recv", { from: node, size });
      const job = cpu.submit(peer, 100 + Math.floor(size / 1000), () => {
        trace.record(sched.now, peer, "verified", { from: node });
        const prng = rngs.get(peer)!;
        if (prng.bernoulli(0.2))
          net.send(peer, node, 64, () => trace.record(sched.now, node, "ack"));
      });
      if (rng.bernoulli(0.01)) job.handle.cancel();
    });
    if (rng.bernoulli(0.02)) {
      net.gossip(
        node,
        300,
        (n) => nodes.filter((m) => m !== n).slice(0, 3),
        (n, from) => trace.record(sched.now, n, "gossip", { from }),
      );
    }
    sched.after(rng.intBetween(1_000, 400_000), () => wake(node), "wake");
  };
  for (const n of nodes) sched.at(rngs.get(n)!.int(1_000_000), () => wake(n), "wake");
  sched.runUntil(30_000_000);
  return { hash: trace.hash, entries: trace.count, dropped: net.messagesDropped, sched };
}

describe("determinism of a whole random workload", () => {
  it("same seed => same trace hash; another seed => another hash", () => {
    const a = runWorkload(1);
    const b = runWorkload(1);
    expect(a.entries).toBeGreaterThan(2000);
    expect(a.dropped).toBeGreaterThan(0);
    expect(b.hash).toBe(a.hash);
    expect(b.sched.eventsExecuted).toBe(a.sched.eventsExecuted);
    expect(runWorkload(2).hash).not.toBe(a.hash);
  });

  it("an extra draw in one node's stream changes the run (the trace does see it)", () => {
    // Guards the test above: the trace is sensitive to a single extra random draw.
    expect(runWorkload(1, { extraDrawsIn: "v5" }).hash).not.toBe(runWorkload(1).hash);
  });

  it("pins the trace hash of seed 1, so a platform or engine change is noticed", () => {
    // Update deliberately (and say why in the commit) when the engine's semantics change.
    expect(runWorkload(1).hash).toMatchInlineSnapshot(
      `"0x675fbf1cf4a2883c4a0796acb390367c431d2c76c75d660351e53599191a8ded"`,
    );
  });
});
