/**
 * `parapipe check` through the command line: exit 0 without findings, 1 with, 2 on bad input
 * (the same validation and error lines as `run`), and SCENARIO.md's `{"findings": [...]}`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const cli = (...args: string[]) =>
  spawnSync("node", [join(ROOT, "bin/parapipe.js"), ...args], { encoding: "utf8", cwd: ROOT });

describe("parapipe check (command line)", () => {
  const dir = mkdtempSync(join(tmpdir(), "parapipe-check-"));

  it("a preset: no findings, exit 0", () => {
    const r = cli("check", "--preset", "elastic-12", "--generation", "2024");
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe("preset elastic-12 (generation 2024): no findings");
    expect(JSON.parse(cli("check", "--preset", "sync", "--json").stdout)).toEqual({
      findings: [],
    });
  });

  it("bad input: exit 2 with run's error lines, nothing checked", () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "preset: async\nparachains:\n  - id: 2000\n    runtime: {velocity: 3}\n");
    const r = cli("check", file, "--json");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}: parachains[0].runtime.velocity`);
    expect(r.stdout).toBe("");
    expect(cli("check", "--preset", "turbo").status).toBe(2);
    expect(cli("check", "--preset", "async", "--generation", "2025").status).toBe(2);
    expect(cli("check").status).toBe(2);
    expect(cli("check", "--preset", "sync", "--preset", "async").status).toBe(2);
  });

  it("a bad scenario: its finding as JSON, exit 1", () => {
    const r = cli("check", "examples/async-capacity-1.yaml", "--json");
    expect(r.status).toBe(1);
    const { findings } = JSON.parse(r.stdout);
    expect(findings.map((f: { id: string; severity: string }) => [f.id, f.severity])).toEqual([
      ["capacity-one-6s-slots", "error"],
    ]);
    expect(findings[0].evidence.given.blockTimeMsMean).toBe(12000);
    expect(findings[0].evidence.fixed.blockTimeMsMean).toBe(6000);
  });
});
