/**
 * Throughput of the simulation engine: `npx tsx bench/engine.ts [runs]`.
 *
 * Prints the median over `runs` (default 5) of:
 * - scheduler "hold" model: 1,000 actors, each event reschedules its actor after a random delay
 *   (the classic event-queue benchmark; queue size stays at 1,000), 1,000,000 events;
 * - the same with 10,000 pending events (a bigger heap);
 * - timers: each event schedules a timeout and cancels the previous one (lazy cancellation);
 * - network: small messages between 100 nodes (2 scheduler events per message);
 * - multicast: the same, one message to 99 peers at a time (coalesced events);
 * - trace: entries hashed per second (blake2b-256 over canonical JSON).
 */
import { Prng } from "../src/lib/prng.ts";
import { Network } from "../src/sim/network.ts";
import { type ScheduledEvent, Scheduler } from "../src/sim/scheduler.ts";
import { Trace } from "../src/sim/trace.ts";

function hold(actors: number, events: number): number {
  const sched = new Scheduler();
  const rng = Prng.fromSeed(1).fork("bench");
  const tick = (): void => {
    sched.after(1 + rng.int(10_000), tick);
  };
  for (let i = 0; i < actors; i++) sched.at(rng.int(10_000), tick);
  const t0 = performance.now();
  sched.run(events);
  return events / ((performance.now() - t0) / 1000);
}

function timers(events: number): number {
  const sched = new Scheduler();
  const rng = Prng.fromSeed(1).fork("bench");
  const timeouts: (ScheduledEvent | undefined)[] = new Array(1000);
  const tick = (i: number) => (): void => {
    timeouts[i]?.cancel();
    timeouts[i] = sched.after(50_000 + rng.int(10_000), () => {});
    sched.after(1 + rng.int(10_000), tick(i));
  };
  for (let i = 0; i < 1000; i++) sched.at(rng.int(10_000), tick(i));
  const t0 = performance.now();
  sched.run(events);
  return events / ((performance.now() - t0) / 1000);
}

function network(messages: number): number {
  const sched = new Scheduler();
  const root = Prng.fromSeed(1);
  const rng = root.fork("bench");
  const net = new Network(sched, root, {
    latencyMs: { mean: 50, jitter: 20 },
    bandwidthMbps: 100,
    loss: 0,
  });
  const nodes = Array.from({ length: 100 }, (_, i) => `v${i}`);
  let delivered = 0;
  const t0 = performance.now();
  // Send in batches of 10,000 per virtual second to keep the queues realistic.
  for (let sent = 0; sent < messages; ) {
    for (let k = 0; k < 10_000; k++, sent++) {
      net.send(rng.pick(nodes), rng.pick(nodes), 200, () => {
        delivered++;
      });
    }
    sched.runUntil(sched.now + 1_000_000);
  }
  sched.run();
  if (delivered !== messages) throw new Error(`lost messages: ${delivered}/${messages}`);
  return messages / ((performance.now() - t0) / 1000);
}

/** `Network.multicast`: 1,000-byte messages from each of 100 nodes to the 99 others. */
function multicast(copies: number): number {
  const sched = new Scheduler();
  const net = new Network(sched, Prng.fromSeed(1), {
    latencyMs: { mean: 50, jitter: 20 },
    bandwidthMbps: 100,
    loss: 0,
  });
  const nodes = Array.from({ length: 100 }, (_, i) => `v${i}`);
  const peers = nodes.map((n) => nodes.filter((p) => p !== n));
  let delivered = 0;
  const t0 = performance.now();
  for (let sent = 0; sent < copies; ) {
    for (let i = 0; i < nodes.length; i++, sent += 99) {
      net.multicast(nodes[i]!, peers[i]!, 1_000, () => {
        delivered++;
      });
    }
    sched.runUntil(sched.now + 1_000_000);
  }
  sched.run();
  return delivered / ((performance.now() - t0) / 1000);
}

function trace(entries: number): number {
  const t = new Trace();
  const t0 = performance.now();
  for (let i = 0; i < entries; i++) {
    t.record(i * 10, "v3", "statement", { candidateHash: "0xabcdef0123456789", paraId: 2000, i });
  }
  void t.hash;
  return entries / ((performance.now() - t0) / 1000);
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const runs = Number(process.argv[2] ?? 5);
const cases: [string, string, () => number][] = [
  ["scheduler hold, 1k pending", "events/s", () => hold(1_000, 1_000_000)],
  ["scheduler hold, 10k pending", "events/s", () => hold(10_000, 1_000_000)],
  ["scheduler timers + cancel", "events/s", () => timers(500_000)],
  ["network send+deliver", "messages/s", () => network(300_000)],
  ["network multicast (99 peers)", "copies/s", () => multicast(1_000_000)],
  ["trace record+hash", "entries/s", () => trace(200_000)],
];
hold(1_000, 200_000); // warm up the JIT
for (const [name, unit, fn] of cases) {
  const xs = Array.from({ length: runs }, fn);
  const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
  console.log(
    `${name.padEnd(30)} ${fmt(median(xs)).padStart(12)} ${unit}  (median of ${runs}; min ${fmt(Math.min(...xs))}, max ${fmt(Math.max(...xs))})`,
  );
}
