import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = join(import.meta.dirname, "../../bin/parapipe.js");
const cli = (...args: string[]) => spawnSync("node", [BIN, ...args], { encoding: "utf8" });

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
    // bin/parapipe.js re-ran itself with a larger young generation.
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
