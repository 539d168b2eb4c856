/**
 * A long run holds a window, not its history: the paras' transaction pools, block trees and
 * post-states start at the included head of an old enough relay block, and only the unfinalized
 * relay blocks' records are kept (src/sim/para-pruning.ts, `World.afterRelayBlock`). Dropping
 * never changes a run: the same report and trace hash as a run that keeps everything
 * (`keepHistory`), on a lossy network whose finality lags (the states' window waits for it) and
 * under a txPerSecond load (the report reads the included transactions' arrival times after the
 * run, when the pool no longer holds them).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { runScenario } from "../../src/report/run.ts";
import { POOL_BEHIND_BLOCKS } from "../../src/sim/para-pruning.ts";
import { scenario } from "../sim/helpers.ts";

const RELAY_BLOCKS = 120;

const lossy = scenario({
  preset: "async",
  seed: 3,
  crypto: "none",
  relayBlocks: RELAY_BLOCKS,
  network: { loss: 0.1 },
  parachains: [{ id: 2000, load: { txPerSecond: 1000 } }],
});

let pruned: ReturnType<typeof runScenario>;
let kept: ReturnType<typeof runScenario>;

beforeAll(() => {
  pruned = runScenario(lossy);
  kept = runScenario(lossy, { keepHistory: true });
}, 120_000);

describe("a long run's memory", () => {
  it("drops only what nothing reads again: the same report and trace as keeping everything", () => {
    expect(JSON.stringify(pruned.report)).toBe(JSON.stringify(kept.report));
    const para = pruned.report.paras["2000"]!;
    expect(para.txLatencyMs).not.toBeNull();
    expect(para.included).toBeGreaterThan(RELAY_BLOCKS / 2);
    // Finality lagged (a lossy network): the states' window waited for it.
    expect(pruned.report.finality!.lagBlocks.max).toBeGreaterThan(5);
  });

  it("holds a window of each para's pool, blocks and states, and the unfinalized relay blocks", () => {
    const total = lossy.warmupRelayBlocks + RELAY_BLOCKS;
    const authored = [...pruned.world.blocks.values()].length;
    expect(authored).toBeGreaterThan(RELAY_BLOCKS / 2);
    const window = (w: typeof pruned.world) => {
      const para = w.paras[0]!;
      return {
        poolFrom: para.pool.kept,
        states: para.store.size,
        trees: w.collators.map((c) => c.blocks.size),
        relayBlocks: w.relayBlocks.length,
      };
    };
    const p = window(pruned.world);
    const k = window(kept.world);
    // Kept: from genesis, every block.
    expect(k.poolFrom).toBe(0);
    expect(k.states).toBeGreaterThan(authored);
    // (A collator that lost an announcement on this network stops importing: its tree is short.)
    expect(Math.max(...k.trees)).toBeGreaterThan(authored / 2);
    expect(k.relayBlocks).toBe(total);
    // Pruned: the pool starts at the cursor of a head included at least POOL_BEHIND_BLOCKS ago,
    // the trees and states hold a few dozen blocks, the records the blocks since finality.
    expect(p.poolFrom).toBeGreaterThan(0);
    const head = pruned.world.events
      .filter((e) => e.type === "CandidateIncluded" && e.relayBlock <= total - POOL_BEHIND_BLOCKS)
      .at(-1)!;
    expect(p.poolFrom).toBe(pruned.world.blocks.get(head.headHash)!.poolCursor);
    expect(p.states).toBeLessThan(authored / 2);
    expect(Math.max(...p.trees)).toBeLessThan(authored / 2);
    const finalized = pruned.world.finality.finalized;
    expect(p.relayBlocks).toBe(total - finalized + 1);
  });
});
