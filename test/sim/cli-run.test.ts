import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = join(import.meta.dirname, "../../bin/parapipe.js");
// Executed as a user's shell does (`parapipe ...`), so its shebang's Node flags apply.
const cli = (...args: string[]) => spawnSync(BIN, args, { encoding: "utf8" });

describe("parapipe run (command line)", () => {
  const dir = mkdtempSync(join(tmpdir(), "parapipe-"));

  it("refuses a bad scenario naming the key, with exit 2 and nothing run", () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(
      file,
      "preset: async\nparachains:\n  - id: 2000\n    runtime: {blockProcessingVelocity: fast}\n",
    );
    const r = cli("run", file, "--json");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'parachains[0].runtime.blockProcessingVelocity: expected an integer from 0 to 10000, got "fast"',
    );
    expect(r.stdout).toBe("");
  });

  it("refuses unknown keys, unknown presets and bad options with exit 2", () => {
    const file = join(dir, "unknown.json");
    writeFileSync(file, JSON.stringify({ relay: { validatorz: 3 } }));
    expect(cli("run", file).status).toBe(2);
    expect(cli("run", "--preset", "turbo").status).toBe(2);
    expect(cli("run", "--preset", "async", "--seed", "-1").status).toBe(2);
    expect(cli("run").status).toBe(2);
    expect(cli("run", "--preset", "async", "--generation", "2025").status).toBe(2);
  });

  it("runs a preset and prints the report as JSON", () => {
    const r = cli("run", "--preset", "sync", "--relay-blocks", "15", "--json");
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.name).toBe("sync");
    expect(report.relayBlocks).toBe(15);
    expect(report.paras["2000"].included).toBeGreaterThan(5);
    expect(report.host.parapipeVersion).toBe("0.1.0");
    // bin/parapipe.js's shebang starts Node with a larger young generation (no re-spawn).
    expect(report.host.nodeFlags).toEqual(["--max-semi-space-size=64"]);
    expect(report.generation).toBe("current");
  });

  it("prints several runs as {runs: [...]}, each with its generation", () => {
    const r = cli(
      "run",
      "--preset",
      "sync",
      "--preset",
      "async",
      "--relay-blocks",
      "15",
      "--generation",
      "2024",
      "--json",
    );
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(
      out.runs.map((x: { name: string; generation: string }) => [x.name, x.generation]),
    ).toEqual([
      ["sync", "2024"],
      ["async", "2024"],
    ]);
  });
});

describe("parapipe compare, timing and expect (command line)", () => {
  it("compare --json: columns and the advantage of the last over the first", () => {
    const r = cli("compare", "--relay-blocks", "30", "--json");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.columns.map((c: { name: string }) => c.name)).toEqual(["sync", "async"]);
    const [s, a] = out.columns;
    expect(out.advantage.parablockRate).toBeCloseTo(
      s.parablockIntervalMs / a.parablockIntervalMs,
      3,
    );
    expect(out.advantage.computeThroughput).toBeCloseTo(
      a.computeMsPerRelayBlock / s.computeMsPerRelayBlock,
      3,
    );
    expect(s.report.paras["2000"].inclusionIntervalMs).toBe(s.parablockIntervalMs);
  });

  it("a failing expect exits 1 and names it; a passing one exits 0", () => {
    const dir = mkdtempSync(join(tmpdir(), "parapipe-"));
    const file = join(dir, "gate.yaml");
    writeFileSync(
      file,
      'preset: async\nrelayBlocks: 15\nexpect: ["para 2000 blockTimeMs.mean < 5000", "no forks"]\n',
    );
    const failing = cli("run", file, "--no-progress");
    expect(failing.status).toBe(1);
    expect(failing.stdout).toContain(
      "FAIL gate: para 2000 blockTimeMs.mean < 5000 (measured 6000)",
    );
    expect(failing.stdout).toContain("PASS gate: no forks (measured 0)");
    const passing = cli("run", "--preset", "async", "--relay-blocks", "15", "--expect", "no forks");
    expect(passing.status).toBe(0);
    expect(cli("run", "--preset", "async", "--expect", "para 9 backed > 1").status).toBe(2);
  });

  it("timing: a 7-day period of 50,400 blocks at 12 s becomes 100,800 blocks at 6 s", () => {
    const r = cli("timing", "--period", "week=50400", "--relay-blocks", "30", "--json");
    expect(r.status).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(t.periods[0].blocksKeepingRealTime).toBe(100800);
    expect(cli("timing").status).toBe(2);
    expect(cli("timing", "--period", "week").status).toBe(2);
  });
});

describe("parapipe upgrade (command line)", () => {
  it("--order 3,1,2 --json: phases in the order run, the stall and the panic; exit 1", () => {
    const r = cli("upgrade", "--order", "3,1,2", "--json");
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.phases.map((p: { name: string }) => p.name)).toEqual([
      "sync",
      "phase-3",
      "phase-1",
      "phase-2",
    ]);
    expect(out.stalls.length).toBeGreaterThan(0);
    expect(out.panics[0].message).toBe("Slot must increase");
    expect(cli("upgrade", "--order", "3,1").status).toBe(2);
  });
});
