/**
 * Issue 18, items 2 and 4: nothing silently ignored, and output a team can trust (through the
 * command line, as a user meets them).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { progressText } from "../../src/cli/progress.ts";
import { parseScenarioText, resolveScenario } from "../../src/config/scenario.ts";
import { printable } from "../../src/report/table.ts";

const BIN = join(import.meta.dirname, "../../bin/parapipe.js");
const cli = (...args: string[]) => spawnSync("node", [BIN, ...args], { encoding: "utf8" });
const dir = mkdtempSync(join(tmpdir(), "parapipe-io-"));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const errorsOf = (input: unknown) => {
  const r = resolveScenario(input);
  return r.ok ? [] : r.error;
};

describe("nothing silently ignored", () => {
  it("refuses a fault or adversary entry it cannot check, naming the key", () => {
    expect(errorsOf({ faults: [{ at: 3, kind: "crash" }] })).toEqual([
      "faults[0].for: missing (crash needs kind, at, for, validators, loseStore)",
      "faults[0].validators: missing (crash needs kind, at, for, validators, loseStore)",
    ]);
    expect(errorsOf({ adversaries: [{ kind: "x" }] })[0]).toMatch(
      /^adversaries\[0\]\.kind: expected one of "invalid-pov", /,
    );
    expect(errorsOf({ faultPlan: [{}] })[0]).toMatch(/^faultPlan: expected an object, got a list/);
    expect(errorsOf({ faults: [], adversaries: [], faultPlan: null })).toEqual([]);
    const r = cli("run", file("faults.yaml", "preset: async\nfaults: [{at: 3, kind: crash}]\n"));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("faults[0].validators: missing");
  });

  it("--approval-views: checked, refused for a run with faults, named in the report", () => {
    const bad = cli("run", "--preset", "sync", "--approval-views", "bogus");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(
      '--approval-views: expected one of per-validator, shared, got "bogus"',
    );
    const crash = file(
      "crash.yaml",
      "preset: async\nfaults: [{at: 3, kind: crash, for: 2, validators: [1], loseStore: false}]\n",
    );
    const refused = cli("run", crash, "--approval-views", "shared");
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("has faults or adversaries");
    const views = (...extra: string[]) => {
      const r = cli("run", "--preset", "sync", "--relay-blocks", "2", "--json", ...extra);
      expect(r.status).toBe(0);
      return (JSON.parse(r.stdout) as { approvalViews: string }).approvalViews;
    };
    // 10 validators: per-validator by default; shared when asked.
    expect(views()).toBe("per-validator");
    expect(views("--approval-views", "shared")).toBe("shared");
  }, 60_000);

  it("refuses an empty scenario file", () => {
    expect(parseScenarioText("").ok).toBe(false);
    expect(parseScenarioText("# only a comment\n").ok).toBe(false);
    const r = cli("run", file("empty.yaml", "\n"));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("the scenario is empty");
  });

  it("refuses keys named like built-in object properties, at every level", () => {
    expect(errorsOf({ toString: 1 })[0]).toMatch(/^toString: unknown key/);
    expect(errorsOf({ relay: { constructor: 1 } })[0]).toMatch(/^relay\.constructor: unknown key/);
    const parsed = parseScenarioText('{"__proto__": {"seed": 3}}');
    expect(parsed.ok && errorsOf(parsed.value)[0]).toMatch(/^__proto__: unknown key/);
  });

  it("refuses duplicate keys in JSON as in YAML, and says where a syntax error is", () => {
    expect(parseScenarioText('{"seed": 1, "seed": 2}').ok).toBe(false);
    expect(parseScenarioText("seed: 1\nseed: 2\n").ok).toBe(false);
    const bad = parseScenarioText("relay: {validators: 3\n");
    expect(bad.ok).toBe(false);
    // No dangling "...column 1:": the message ends with the offending line.
    expect(bad.ok ? "" : bad.error[0]).not.toMatch(/:\s*$/);
  });

  it("approval keys change the run: needed_approvals 0 approves at import, without a warning", () => {
    const run = (needed: number) => {
      const r = cli(
        "run",
        file(
          `approvals-${needed}.yaml`,
          `preset: async\nrelayBlocks: 6\ncrypto: none\nrelay: {hostConfiguration: {neededApprovals: ${needed}}}\n`,
        ),
        "--json",
        "--no-progress",
      );
      expect(r.status).toBe(0);
      expect(r.stderr).not.toContain("warning");
      return JSON.parse(r.stdout).paras["2000"].approvalMs;
    };
    // Insta-approved when the block is imported (its arrival after the slot start); with 3
    // needed, after checkers recovered and re-executed the candidate.
    expect(run(0).p95).toBeLessThan(500);
    expect(run(3).mean).toBeGreaterThan(1000);
  });
});

describe("output a team can trust", () => {
  it("names a file's column after the file when it has no name, and gives each column its own footer", () => {
    const a = file("short.yaml", "preset: async\nrelayBlocks: 15\n");
    const r = cli("run", a, "--preset", "sync", "--no-progress");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/para 2000\s+short \(current\)\s+sync \(current\)/);
    expect(r.stdout).toContain("measured (short): relay blocks 6..20");
    expect(r.stdout).toContain("measured (sync): relay blocks 6..65");
  });

  it("escapes terminal control characters in names", () => {
    expect(printable("evil\u001b[2Jname\u0007")).toBe("evil\\x1b[2Jname\\x07");
    const r = cli(
      "run",
      file("ctl.json", '{"name": "x\\u001b[31my", "preset": "sync", "relayBlocks": 2}'),
      "--no-progress",
    );
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain("\u001b");
    expect(r.stdout).toContain("x\\x1b[31my");
  });

  it("gives an ETA on the progress line", () => {
    expect(progressText(20, 65, 4000, "async")).toBe("async 20/65 relay blocks, 4.0 s, ETA 9.0 s");
    expect(progressText(65, 65, 13_000, "async")).toBe("async 65/65 relay blocks, 13.0 s");
  });
});

describe("per-target log levels", () => {
  it("reads LEVEL and TARGET=LEVEL, refusing unknown levels and targets", async () => {
    const { parseLogSpec } = await import("../../src/sim/log.ts");
    const spec = parseLogSpec("info,backing=trace,collator=error", ["backing", "collator"]);
    expect(spec.default).toBe("info");
    expect([...spec.byTarget]).toEqual([
      ["backing", "trace"],
      ["collator", "error"],
    ]);
    expect(() => parseLogSpec("backing=loud", ["backing"])).toThrow(/expected a level/);
    expect(() => parseLogSpec("bakcing=info", ["backing"])).toThrow(/unknown target/);
  });

  it("emits a target's lines at its own level: collator info lines, nothing from the validators", () => {
    const r = cli(
      "run",
      file(
        "upgrade.yaml",
        "preset: async\nrelayBlocks: 40\nparachains: [{runtime: {unincludedSegmentCapacity: 1}}]\nupgrades: [{at: 10, runtime: {unincludedSegmentCapacity: 3}}]\n",
      ),
      "--no-progress",
      "--log",
      "warn,collator=info",
    );
    expect(r.status).toBe(0);
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("rb#"));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => / c2000-\d collator: /.test(l))).toBe(true);
  });
});

describe("short runs", () => {
  it("say why more candidates are included than backed", async () => {
    const { formatSummary } = await import("../../src/report/summary.ts");
    const { runScenario } = await import("../../src/report/run.ts");
    const { resolveScenario } = await import("../../src/config/scenario.ts");
    const r = resolveScenario({ preset: "sync", relayBlocks: 3, crypto: "none" });
    if (!r.ok) throw new Error(r.error.join());
    const { report } = runScenario(r.value);
    expect(report.paras["2000"]!.included).toBeGreaterThan(report.paras["2000"]!.backed);
    expect(formatSummary([report])).toContain(
      "more included than backed: a candidate backed in the last warm-up blocks",
    );
  });
});

describe("summary wording", () => {
  it("explains a median block time of 0 and says '1 window'", async () => {
    const { formatSummary } = await import("../../src/report/summary.ts");
    const { runScenario } = await import("../../src/report/run.ts");
    const { resolveScenario } = await import("../../src/config/scenario.ts");
    const r = resolveScenario({ preset: "elastic-3", relayBlocks: 15, crypto: "none" });
    if (!r.ok) throw new Error(r.error.join());
    const { report } = runScenario(r.value);
    expect(report.paras["2000"]!.blockTimeMs!.p50).toBe(0);
    const text = formatSummary([report]);
    expect(text).toMatch(/0\.00 s\* \//);
    expect(text).toContain("* a median block time of 0: several blocks share one Aura slot");
    expect(text).toMatch(/\(1 window\)/);
  });
});
