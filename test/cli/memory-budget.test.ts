/**
 * Issue 21 item 4: a run whose records alone cannot fit in this process's memory is refused up
 * front (exit 2, naming `relayBlocks`, the most that fits and what was given); any other runs.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memoryLimitBytes, memoryProblem } from "../../src/cli/memory-budget.ts";
import { retainedBytes, retainedBytesPerRelayBlock } from "../../src/sim/memory-estimate.ts";
import { scenario } from "../sim/helpers.ts";

const BIN = join(import.meta.dirname, "../../bin/parapipe.js");
const MIB = 1024 * 1024;

describe("the memory a run keeps", () => {
  it("grows with relay blocks and with the cores in use, not with validators", () => {
    const async = scenario({ preset: "async", relayBlocks: 1000 });
    const e12 = scenario({ preset: "elastic-12", relayBlocks: 1000 });
    expect(retainedBytesPerRelayBlock(async)).toBe(2 * 1024);
    expect(retainedBytesPerRelayBlock(e12)).toBe(13 * 1024);
    expect(retainedBytes(async)).toBe(2 * 1024 * 1005);
    const more = scenario({ preset: "async", relayBlocks: 1000, relay: { validators: 300 } });
    expect(retainedBytes(more)).toBe(retainedBytes(async));
  });

  it("refuses only a run whose records exceed the limit, naming the most that fits", () => {
    const s = scenario({ preset: "elastic-12", relayBlocks: 100_000 });
    expect(memoryProblem(s, 2000 * MIB)).toBeNull(); // 100,005 x 13 KiB = 1270 MiB
    const problem = memoryProblem(s, 1000 * MIB);
    expect(problem).toMatch(/^relayBlocks: expected at most 78764 for this network /);
    expect(problem).toContain("13 KiB per relay block");
    expect(problem).toContain("12 cores in use");
    expect(problem).toContain("1000 MiB");
    expect(problem).toMatch(/, got 100000$/);
    // What it names fits; one more block does not.
    const most = scenario({ preset: "elastic-12", relayBlocks: 78_764 });
    expect(memoryProblem(most, 1000 * MIB)).toBeNull();
    expect(
      memoryProblem(scenario({ preset: "elastic-12", relayBlocks: 78_765 }), 1000 * MIB),
    ).not.toBeNull();
    expect(memoryLimitBytes()).toBeGreaterThan(100 * MIB);
  });

  it("makes `run` exit 2 before simulating anything", () => {
    // 1,000,005 x 13 KiB is about 12.4 GiB: more than V8's default heap limit anywhere.
    const refused = spawnSync(
      "node",
      [BIN, "run", "--preset", "elastic-12", "--relay-blocks", "1000000", "--no-progress"],
      { encoding: "utf8" },
    );
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(
      /preset elastic-12: relayBlocks: expected at most \d+ for this network .*, got 1000000/,
    );
    expect(refused.stdout).toBe("");
  });
});
