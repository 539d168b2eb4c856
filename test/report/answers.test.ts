/**
 * What teams ask (issue 16), on real runs: `compare`'s table and advantage, the `expect:` checks,
 * and timing by block number. Everything below is measured by the simulator; the tests check that
 * the answers are the runs' own figures.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { PARA_PATHS, parseExpectation, REPORT_PATHS } from "../../src/config/expectations.ts";
import { compareRuns, formatComparison } from "../../src/report/compare.ts";
import { type CheckedReport, judge } from "../../src/report/expect.ts";
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
    // A run that recorded no approval or finality (the world's records of issue 20) has no value
    // for these; once it records them, they must be numbers too.
    const noApprovals = o.report.paras["2000"]!.approval.candidates.length === 0;
    const unset = (path: string) =>
      (noApprovals && /^(approvalMs|approval\.tranchesNeeded)\./.test(path)) ||
      (o.report.finality === null && path.startsWith("finality."));
    for (const path of PARA_PATHS) {
      const e = parseExpectation(`para 2000 ${path} >= 0`, [2000]);
      if (!e.ok) throw new Error(e.error);
      expect(judge(e.value, o.report).measured === null, path).toBe(unset(path));
    }
    for (const path of REPORT_PATHS) {
      const e = parseExpectation(`${path} >= 0`, [2000]);
      if (!e.ok) throw new Error(e.error);
      expect(judge(e.value, o.report).measured === null, path).toBe(unset(path));
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

  it("judges approval and finality figures, and fails them without a value", () => {
    const para = asyncRun.report.paras["2000"]!;
    const approval = {
      tranchesNeeded: { mean: 0.5, max: 2 },
      noShows: 3,
      unapproved: 1,
      candidates: [],
    };
    const measured: CheckedReport = {
      ...asyncRun.report,
      finality: { lagBlocks: { mean: 2.25, max: 4 }, lagMs: { mean: 13_500, max: 24_000 } },
      paras: { "2000": { ...para, approvalMs: { mean: 7250, p95: 11_000 }, approval } },
    };
    const unmeasured: CheckedReport = {
      ...asyncRun.report,
      finality: null,
      paras: {
        "2000": {
          ...para,
          approvalMs: null,
          approval: { ...approval, tranchesNeeded: null, noShows: 0, unapproved: 0 },
        },
      },
    };
    const check = (t: string, report: CheckedReport) => {
      const e = parseExpectation(t, [2000]);
      if (!e.ok) throw new Error(e.error);
      return judge(e.value, report);
    };
    const cases: [string, number, boolean][] = [
      ["para 2000 approvalMs.mean < 8000", 7250, true],
      ["para 2000 approvalMs.p95 <= 10000", 11_000, false],
      ["para 2000 approval.tranchesNeeded.mean == 0.5", 0.5, true],
      ["para 2000 approval.tranchesNeeded.max < 2", 2, false],
      ["para 2000 approval.noShows == 3", 3, true],
      ["para 2000 approval.unapproved == 0", 1, false],
      ["finality.lagBlocks.mean < 3", 2.25, true],
      ["finality.lagBlocks.max <= 3", 4, false],
      ["finality.lagMs.mean > 13000", 13_500, true],
      ["finality.lagMs.max < 20000", 24_000, false],
    ];
    for (const [t, value, pass] of cases) {
      expect(check(t, measured), t).toEqual({ check: t, pass, measured: value });
    }
    for (const t of [
      "para 2000 approvalMs.mean < 8000",
      "para 2000 approvalMs.p95 < 8000",
      "para 2000 approval.tranchesNeeded.mean >= 0",
      "para 2000 approval.tranchesNeeded.max >= 0",
      "finality.lagBlocks.mean >= 0",
      "finality.lagBlocks.max >= 0",
      "finality.lagMs.mean >= 0",
      "finality.lagMs.max >= 0",
    ]) {
      expect(check(t, unmeasured), t).toEqual({
        check: t,
        pass: false,
        measured: null,
        note: "no value in this run",
      });
    }
    // The counts are numbers even when nothing was recorded.
    expect(check("para 2000 approval.noShows == 0", unmeasured).pass).toBe(true);
    expect(check("para 2000 approval.unapproved == 0", unmeasured).pass).toBe(true);
    // Not a numeric path: the per-candidate list.
    expect(parseExpectation("para 2000 approval.candidates >= 0", [2000]).ok).toBe(false);
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
