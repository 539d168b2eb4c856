/**
 * What teams ask (issue 16), on real runs: `compare`'s table and advantage, the `expect:` checks,
 * and timing by block number. Everything below is measured by the simulator; the tests check that
 * the answers are the runs' own figures.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { PARA_PATHS, parseExpectation, REPORT_PATHS } from "../../src/config/expectations.ts";
import { compareRuns, formatComparison } from "../../src/report/compare.ts";
import { judge } from "../../src/report/expect.ts";
import type { RunOutcome } from "../../src/report/run.ts";
import { seedTableRatios } from "../../src/report/seed-table.ts";
import { timing } from "../../src/report/timing.ts";
import { run } from "../sim/helpers.ts";

let sync: RunOutcome;
let asyncRun: RunOutcome;
beforeAll(() => {
  sync = run({ preset: "sync", crypto: "none" });
  asyncRun = run({ preset: "async", crypto: "none" });
}, 120_000);

describe("compare", () => {
  it("prints the seed table measured, its advantage the ratios of the columns' own reports", () => {
    const c = compareRuns([
      { report: sync.report, cores: 1 },
      { report: asyncRun.report, cores: 1 },
    ]);
    const [s, a] = c.columns;
    expect(s!.parablockIntervalMs).toBe(sync.report.paras["2000"]!.inclusionIntervalMs);
    expect(s!.maxExecutionMs).toBe(500); // configured
    expect(a!.executionMsPerBlock).toBe(asyncRun.report.paras["2000"]!.executionMsPerBlock!.mean);
    expect(c.advantage).toEqual(
      seedTableRatios(asyncRun.report.paras["2000"]!, sync.report.paras["2000"]!),
    );
    expect(c.advantage.parablockRate).toBeCloseTo(2, 1);
    expect(c.advantage.executionTime).toBeCloseTo(4, 1);
    expect(c.advantage.computeThroughput).toBeCloseTo(8, 1);
    const text = formatComparison(c, "text");
    expect(text).toMatch(/parablocks included every\s+12\.00 s\s+6\.00 s/);
    expect(text).toMatch(/vs sync: compute throughput per core\s+1\.00x\s+8\.00x/);
    expect(formatComparison(c, "markdown").split("\n")[1]).toBe("| --- | ---: | ---: |");
  });

  it("divides the compute throughput by the para's cores", () => {
    const c = compareRuns([
      { report: asyncRun.report, cores: 1 },
      { report: asyncRun.report, cores: 2 },
    ]);
    expect(c.columns[1]!.computeMsPerRelayBlock).toBeCloseTo(
      asyncRun.report.paras["2000"]!.executionMsPerRelayBlock / 2,
      2,
    );
    expect(c.advantage.computeThroughput).toBe(0.5);
  });
});

describe("expect: checks", () => {
  it("reads the grammar, and refuses what it does not know", () => {
    expect(parseExpectation("para 2000 blockTimeMs.mean < 7000", [2000]).ok).toBe(true);
    expect(parseExpectation("  no   forks ", [2000]).ok).toBe(true);
    expect(parseExpectation("safety.coreConflictDrops == 0", [2000]).ok).toBe(true);
    const bad = (t: string) => {
      const r = parseExpectation(t, [2000]);
      return r.ok ? "accepted" : r.error;
    };
    expect(bad("para 2001 backed > 1")).toMatch(/ID one of 2000/);
    expect(bad("para 2000 blocktime < 1")).toMatch(/"blocktime": unknown para path/);
    expect(bad("para 2000 backed ~ 1")).toMatch(/expected an operator/);
    expect(bad("para 2000 backed > many")).toMatch(/expected a number/);
    expect(bad("no forks at all")).toMatch(/expected "para ID PATH OP NUMBER"/);
    expect(bad("backed > 1")).toMatch(/unknown report path/);
  });

  it("every path it accepts is a number in a real report (a txPerSecond load fills the latency)", () => {
    const o = run({
      preset: "async",
      crypto: "none",
      relayBlocks: 30,
      parachains: [{ id: 2000, load: { txPerSecond: 200 } }],
    });
    for (const path of PARA_PATHS) {
      const e = parseExpectation(`para 2000 ${path} >= 0`, [2000]);
      if (!e.ok) throw new Error(e.error);
      expect(judge(e.value, o.report).measured, path).not.toBeNull();
    }
    for (const path of REPORT_PATHS) {
      const e = parseExpectation(`${path} >= 0`, [2000]);
      if (!e.ok) throw new Error(e.error);
      expect(judge(e.value, o.report).measured, path).not.toBeNull();
    }
  });

  it("judges against the measured figures", () => {
    const check = (t: string) => {
      const e = parseExpectation(t, [2000]);
      if (!e.ok) throw new Error(e.error);
      return judge(e.value, asyncRun.report);
    };
    expect(check("para 2000 blockTimeMs.mean < 7000")).toEqual({
      check: "para 2000 blockTimeMs.mean < 7000",
      pass: true,
      measured: 6000,
    });
    expect(check("para 2000 blockTimeMs.mean < 5000").pass).toBe(false);
    expect(check("para 2000 backedPer15RelayBlocks.min >= 11").pass).toBe(true);
    expect(check("no forks")).toMatchObject({ pass: true, measured: 0 });
    expect(check("no safety violations").pass).toBe(true);
    expect(check("para 2000 txLatencyMs.mean < 1")).toMatchObject({ pass: false, measured: null });
  });
});

describe("timing by block number", () => {
  it("turns a 7-day period of 50,400 blocks at 12 s into 100,800 blocks at 6 s, and halves the issuance per block", () => {
    const t = timing(sync.report, asyncRun.report, 6000, [{ name: "week", blocks: 50_400 }], 10);
    expect(t.before.blockTimeMs).toBe(12_000);
    expect(t.after.blockTimeMs).toBe(6_000);
    expect(t.periods[0]).toEqual({
      name: "week",
      blocks: 50_400,
      beforeMs: 7 * 24 * 3600 * 1000,
      afterMs: 3.5 * 24 * 3600 * 1000,
      blocksKeepingRealTime: 100_800,
      relayBlocks: 100_800,
    });
    expect(t.issuance?.perBlockKeepingYearly).toBe(5);
    expect(t.issuance?.yearlyAfterUnchanged).toBe(2 * t.issuance!.yearlyBefore);
  });
});
