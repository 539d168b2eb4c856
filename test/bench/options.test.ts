import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const MAIN = join(import.meta.dirname, "../../bench/main.ts");
const bench = (...args: string[]) =>
  spawnSync("node", ["--import", "tsx", MAIN, ...args], { encoding: "utf8" });

describe("npm run bench (options)", () => {
  it("explains itself with --help, running nothing", () => {
    const r = bench("--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("--polkadot-blocks N");
    expect(r.stderr).not.toContain("running");
  });

  it("refuses an unknown option or a bad value with exit 2, running nothing", () => {
    for (const [args, message] of [
      [["--polkadot-run", "5"], "unknown option --polkadot-run"],
      [
        ["--only", "foo"],
        '--only: expected presets, polkadot, erasure-coding, crypto or memory, got "foo"',
      ],
      [
        ["--only", "memory", "--memory-blocks", "1800,x"],
        '--memory-blocks: expected integers >= 1, got "x"',
      ],
      [
        ["--only", "memory", "--memory-preset", "fast"],
        '--memory-preset: expected one of sync, async, elastic-3, elastic-12, got "fast"',
      ],
      [["--modes", "none,ed"], '--modes: expected modes among sr25519,ed25519,none, got "ed"'],
      [["--runs", "0"], '--runs: expected an integer >= 1, got "0"'],
      [["--runs"], "--runs: expected a value"],
      [
        ["--polkadot-tx-per-block", "-1"],
        '--polkadot-tx-per-block: expected an integer >= 0, got "-1"',
      ],
      [
        ["--polkadot-tx-per-block", "x"],
        '--polkadot-tx-per-block: expected an integer >= 0, got "x"',
      ],
    ] as const) {
      const r = bench(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`error: ${message}`);
      expect(r.stdout).toBe("");
    }
  });

  it("--json: one object per row on stdout, the heading on stderr", () => {
    const r = bench("--only", "presets", "--modes", "none", "--runs", "1", "--json");
    expect(r.status).toBe(0);
    const rows = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((x) => x.scenario)).toEqual(["sync", "async", "elastic-3", "elastic-12"]);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual([
        "scenario",
        "crypto",
        "runs",
        "relayBlocks",
        "speedup",
        "wallMsMedian",
        "peakRssMiB",
        "backed",
        "included",
        "violations",
      ]);
      expect(row.crypto).toBe("none");
      expect(row.relayBlocks).toBe(65);
      expect(row.violations).toBe(0);
      expect(row.speedup as number).toBeGreaterThan(0);
    }
    expect(rows.map((x) => x.included)).toEqual([30, 60, 180, 600]);
    expect(r.stderr).toContain("parapipe bench:");
  }, 180_000);
});
