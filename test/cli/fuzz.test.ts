/**
 * Issue 22, items 4 and 5: `parapipe fuzz` draws scenarios within the budget, runs them, prints
 * its table and JSON, writes each failure as a scenario that `parapipe run` replays with the same
 * trace hash, shrinks it, and refuses bad input (exit 2). Through the command line where a user
 * meets it; the draw, the failure path (a planted bug on a lossy network) and the shrinker in
 * process.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  exitCode,
  failureOf,
  fuzzCommand,
  INVARIANTS_CHECKED,
  runVerdict,
  shrinkScenario,
} from "../../src/cli/fuzz.ts";
import { ALL_KINDS, type DrawnKind, drawnKinds, drawScenario } from "../../src/cli/fuzz-draw.ts";
import { runEach } from "../../src/cli/parallel.ts";
import { runJob } from "../../src/cli/run-job.ts";
import {
  ADVERSARY_KINDS,
  budgetErrors,
  FAULT_KINDS,
  faultTargetErrors,
  MODELLED_KINDS,
  parseAdversaries,
  parseFaults,
} from "../../src/config/faults.ts";
import { faultContext, livenessRelayBlocks, resolveScenario } from "../../src/config/scenario.ts";

const ROOT = join(import.meta.dirname, "../..");
const cli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(join(ROOT, "bin/parapipe.js"), args, {
    encoding: "utf8",
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
const tmp = () => mkdtempSync(join(tmpdir(), "parapipe-fuzz-"));

describe("the draw", () => {
  it("is a function of the seed", () => {
    expect(drawScenario(7)).toEqual(drawScenario(7));
    expect(drawScenario(7)).not.toEqual(drawScenario(8));
    expect(drawScenario(7, new Set(ALL_KINDS))).toEqual(drawScenario(7, new Set(ALL_KINDS)));
  });

  it("draws only modelled kinds, and every draw resolves like a scenario file", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const input = drawScenario(seed);
      for (const k of drawnKinds(input)) expect(MODELLED_KINDS.has(k)).toBe(true);
      const r = resolveScenario(input);
      expect(r.ok ? [] : r.error).toEqual([]);
      if (r.ok) expect(r.value.seed).toBe(seed);
    }
  });

  it("with every kind modelled: each kind drawn, each entry within the budget and targets, faults healed with room to recover", () => {
    const seen = new Set<DrawnKind>();
    let entries = 0;
    for (let seed = 1; seed <= 80; seed++) {
      const input = drawScenario(seed, new Set(ALL_KINDS));
      for (const k of drawnKinds(input)) seen.add(k);
      const { faults: f, adversaries: a, ...base } = input;
      const resolved = resolveScenario(base);
      if (!resolved.ok) throw new Error(resolved.error.join("; "));
      const errors: string[] = [];
      const faults = parseFaults(f ?? [], errors);
      const adversaries = parseAdversaries(a ?? [], errors);
      expect(errors).toEqual([]);
      const ctx = faultContext(resolved.value);
      expect(faultTargetErrors(faults, adversaries, ctx)).toEqual([]);
      expect(budgetErrors(faults, adversaries, ctx)).toEqual([]);
      const end = ctx.slots - livenessRelayBlocks(resolved.value) - 1;
      for (const fault of faults) {
        expect(fault.at).toBeGreaterThan(resolved.value.warmupRelayBlocks);
        expect(fault.at + fault.for).toBeLessThanOrEqual(end);
      }
      entries += faults.length + adversaries.length;
    }
    expect([...seen].sort()).toEqual([...FAULT_KINDS, ...ADVERSARY_KINDS].sort());
    expect(entries).toBeGreaterThan(80);
  });
});

describe("the verdict and the exit code", () => {
  it("4 internal, else 1 safety, else 3 liveness, else 0", () => {
    const f = (kind: "safety" | "liveness" | "internal") => ({
      seed: 1,
      kind,
      invariant: null,
      replay: "",
    });
    expect(exitCode([])).toBe(0);
    expect(exitCode([f("liveness")])).toBe(3);
    expect(exitCode([f("liveness"), f("safety")])).toBe(1);
    expect(exitCode([f("safety"), f("internal"), f("liveness")])).toBe(4);
    expect(failureOf({ safety: ["available", "heads-chain"], liveness: true })).toEqual({
      kind: "safety",
      invariant: "available",
    });
    expect(failureOf({ safety: [], liveness: true })).toEqual({
      kind: "liveness",
      invariant: null,
    });
    expect(failureOf({ safety: [], liveness: false })).toBeNull();
  });
});

/** elastic-3 on a 10 % lossy network: some candidates get exactly 2/3 of the bitfields. */
const LOSSY = {
  preset: "elastic-3",
  relayBlocks: 8,
  warmupRelayBlocks: 2,
  crypto: "none",
  relay: { validators: 8 },
  network: { loss: 0.1 },
};
const BUG = { PARAPIPE_BUGGIFY: "availability-threshold-minus-one" };

describe("a failure: written, replayed with the same trace hash, shrunk", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("a planted bug trips `available` under loss; the replay line reproduces the run", async () => {
    const out = tmp();
    let stdout = "";
    let stderr = "";
    vi.spyOn(process.stdout, "write").mockImplementation((s) => {
      stdout += String(s);
      return true;
    });
    vi.spyOn(console, "error").mockImplementation((s) => {
      stderr += `${String(s)}\n`;
    });
    const code = await fuzzCommand(
      { seeds: "1", from: "5", jobs: "1", out, json: true, progress: false },
      { draw: (seed) => ({ ...LOSSY, name: `fuzz-seed-${seed}`, seed }), env: BUG },
    );
    vi.restoreAllMocks();
    expect(code).toBe(1);
    const file = join(out, "seed-5.yaml");
    const replay = `PARAPIPE_BUGGIFY=availability-threshold-minus-one parapipe run ${file}`;
    expect(stderr).toContain(`FAIL seed 5: available: ${replay}`);
    expect(JSON.parse(stdout)).toMatchObject({
      runs: 1,
      failures: [{ seed: 5, kind: "safety", invariant: "available", replay }],
    });
    const text = readFileSync(file, "utf8");
    const hash = /trace (0x[0-9a-f]+)/.exec(text)?.[1];
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/);

    const r = cli(["run", file, "--json", "--no-progress"], BUG);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.traceHash).toBe(hash);
    expect(report.safety.violations[0].invariant).toBe("available");
    // Without the bug the same file runs clean.
    const clean = cli(["run", file, "--json", "--no-progress"]);
    expect(clean.status).toBe(0);
    expect(JSON.parse(clean.stdout).traceHash).not.toBe(hash);
  }, 120_000);

  it("--shrink keeps a smaller scenario that fails the same way", () => {
    const r = resolveScenario({ ...LOSSY, name: "s", seed: 5 });
    if (!r.ok) throw new Error(r.error.join("; "));
    const bug = "availability-threshold-minus-one" as const;
    const shrunk = shrinkScenario(r.value, { kind: "safety", invariant: "available" }, bug, 3);
    expect(shrunk.tried).toBeGreaterThan(0);
    expect(shrunk.tried).toBeLessThanOrEqual(3);
    const s = shrunk.scenario;
    expect(s.relayBlocks + s.relay.validators).toBeLessThan(
      r.value.relayBlocks + r.value.relay.validators,
    );
    const again = runJob({ scenario: s, buggify: bug });
    expect(failureOf(runVerdict(s, again.report))).toEqual({
      kind: "safety",
      invariant: "available",
    });
  }, 120_000);
});

describe("runEach: stop early, exceptions as findings", () => {
  it("starts no run once `more` says no, and hands a run's exception to `failed`", async () => {
    const r = resolveScenario({ ...LOSSY, network: { loss: 0 }, relayBlocks: 2 });
    if (!r.ok) throw new Error(r.error.join("; "));
    const broken = { ...r.value, relay: null } as unknown as typeof r.value;
    const errors: number[] = [];
    const finished: number[] = [];
    const results = await runEach(
      [{ scenario: r.value }, { scenario: broken }, { scenario: r.value }, { scenario: r.value }],
      {
        jobs: 1,
        progress: false,
        label: () => "",
        inOrder: true,
        more: () => finished.length + errors.length < 3,
        finished: (_, i) => finished.push(i),
        failed: (_, i) => errors.push(i),
      },
    );
    expect(finished).toEqual([0, 2]);
    expect(errors).toEqual([1]);
    expect(results.map((x) => x !== undefined)).toEqual([true, false, true, false]);
  }, 60_000);

  it("in worker threads too: the exception comes back as data, the other runs go on", async () => {
    const r = resolveScenario({ ...LOSSY, network: { loss: 0 }, relayBlocks: 2 });
    if (!r.ok) throw new Error(r.error.join("; "));
    const broken = { ...r.value, relay: null } as unknown as typeof r.value;
    const errors: [number, string][] = [];
    const finished: number[] = [];
    const results = await runEach(
      [{ scenario: r.value }, { scenario: broken }, { scenario: r.value }],
      {
        jobs: 2,
        progress: false,
        label: () => "",
        inOrder: true,
        finished: (_, i) => finished.push(i),
        failed: (e, i) => errors.push([i, e.stack]),
      },
    );
    expect(finished).toEqual([0, 2]);
    expect(errors.map(([i]) => i)).toEqual([1]);
    expect(errors[0]![1]).toMatch(/TypeError/);
    expect(results.map((x) => x !== undefined)).toEqual([true, false, true]);
    // Without `failed`, a run's exception fails the whole call, as before.
    await expect(
      runEach([{ scenario: broken }, { scenario: r.value }], {
        jobs: 2,
        progress: false,
        label: () => "",
        inOrder: true,
      }),
    ).rejects.toThrow(/a run failed in a --jobs worker thread: TypeError/);
  }, 120_000);
});

describe("parapipe fuzz on the command line", () => {
  it("a few seeds: exit 0, the table, and --json's shape", () => {
    const out = tmp();
    const text = cli(["fuzz", "--seeds", "2", "--jobs", "2", "--out", out, "--no-progress"]);
    expect(text.stderr).toBe("");
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^fuzz: 2 runs \(seeds 1\.\.2\)/);
    for (const k of ALL_KINDS) expect(text.stdout).toContain(k);
    expect(text.stdout).toContain(`invariants checked: ${INVARIANTS_CHECKED.join(", ")}`);
    expect(text.stdout).toContain("failures: 0 (safety 0, liveness 0, internal 0)");
    expect(existsSync(join(out, "seed-1.yaml"))).toBe(false);

    const json = cli(["fuzz", "--seeds", "1", "--from", "3", "--jobs", "1", "--json"]);
    expect(json.status).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed).toEqual({
      runs: 1,
      failures: [],
      exercised: Object.fromEntries(ALL_KINDS.map((k) => [k, expect.any(Number)])),
    });
  }, 180_000);

  it("bad input: exit 2, nothing run", () => {
    for (const args of [
      ["fuzz"],
      ["fuzz", "--seeds", "0"],
      ["fuzz", "--seeds", "x"],
      ["fuzz", "--seeds", "2", "--minutes", "-1"],
      ["fuzz", "--seeds", "2", "--jobs", "0"],
    ]) {
      const r = cli(args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
    }
    const r = cli(["fuzz", "--seeds", "2"], { PARAPIPE_BUGGIFY: "off-by-two" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      "PARAPIPE_BUGGIFY: expected one of backing-votes-minus-one, availability-threshold-minus-one, skip-bitfield-signature, enact-out-of-order, never-time-out",
    );
    expect(cli(["run", "--preset", "sync"], { PARAPIPE_BUGGIFY: "x" }).status).toBe(2);
  }, 60_000);
});
