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
        '--only: expected presets, polkadot, erasure-coding or crypto, got "foo"',
      ],
      [["--modes", "none,ed"], '--modes: expected modes among sr25519,ed25519,none, got "ed"'],
      [["--runs", "0"], '--runs: expected an integer >= 1, got "0"'],
      [["--runs"], "--runs: expected a value"],
    ] as const) {
      const r = bench(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`error: ${message}`);
      expect(r.stdout).toBe("");
    }
  });
});
