/**
 * Issue 21, item 3: `--jobs N` runs a command's simulations in worker threads with the output of
 * a sequential run (`--jobs 1`), the costliest runs first. Through the command line, as a user
 * meets it (the workers load what the command loads: the sources through tsx, or dist/ when it is
 * current), and the pieces that decide the order and cross the threads, in process.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { handOutOrder } from "../../src/cli/parallel.ts";
import { runCost } from "../../src/cli/run-job.ts";
import { PRESET_NAMES } from "../../src/config/presets.ts";
import { resolveScenario, type Scenario } from "../../src/config/scenario.ts";

const ROOT = join(import.meta.dirname, "../..");
// Executed as a user's shell does, so the shebang's Node flags apply (and reach the workers).
const cli = (...args: string[]) =>
  spawnSync(join(ROOT, "bin/parapipe.js"), args, { encoding: "utf8", cwd: ROOT });

function scenario(input: Record<string, unknown>): Scenario {
  const r = resolveScenario(input);
  if (!r.ok) throw new Error(r.error.join("; "));
  return r.value;
}

/** A report without what differs between runs of the same seed: the host facts. */
function withoutHost(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutHost);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "host")
      .map(([key, v]) => [key, withoutHost(v)]),
  );
}

/** `run`'s text without its wall times (`..., 3.2 s wall`). */
const maskWall = (text: string) => text.replace(/\d+(\.\d+)? s wall/g, "X s wall");

describe("--jobs: the order runs are handed out in, and what crosses threads", () => {
  it("hands the costliest runs out first: elastic-12, elastic-3, async, sync", () => {
    const jobs = ["sync", "async", "elastic-3", "elastic-12"].map((preset) => ({
      scenario: scenario({ preset }),
    }));
    expect(handOutOrder(jobs)).toEqual([3, 2, 1, 0]);
    // Ties keep the given order; more relay blocks cost more.
    const twice = [{ scenario: scenario({ preset: "async" }) }, ...jobs.slice(1, 2)];
    expect(handOutOrder(twice)).toEqual([0, 1]);
    expect(runCost(scenario({ preset: "async", relayBlocks: 120 }))).toBeGreaterThan(
      runCost(scenario({ preset: "async" })),
    );
  });

  it("a resolved scenario survives the structured clone a worker receives", () => {
    for (const preset of PRESET_NAMES) {
      const s = scenario({
        preset,
        expect: ["no forks", "para 2000 height > 3 within 60 s"],
        upgrades: [{ at: 10, runtime: { unincludedSegmentCapacity: 2 } }],
      });
      const clone = structuredClone(s);
      expect(clone).toEqual(s);
      expect(JSON.stringify(clone)).toBe(JSON.stringify(s));
    }
  });
});

describe("--jobs through the command line", () => {
  it("compare: the same stdout with --jobs 1 and --jobs 2, text and JSON (host aside)", () => {
    const args = ["compare", "--preset", "sync", "--preset", "async", "--relay-blocks", "4"];
    const one = cli(...args, "--jobs", "1");
    const two = cli(...args, "--jobs", "2");
    expect(one.status).toBe(0);
    expect(two.status).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    const json = (jobs: string) => {
      const r = cli(...args, "--json", "--jobs", jobs);
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout);
    };
    const [a, b] = [json("1"), json("2")];
    expect(a.columns).toHaveLength(2);
    expect(withoutHost(b)).toEqual(withoutHost(a));
  });

  it("run: the same summary, checks (timed ones too) and log lines, in the same order", () => {
    const args = [
      "run",
      "--preset",
      "sync",
      "--preset",
      "elastic-3",
      "--relay-blocks",
      "3",
      "--expect",
      "no forks",
      "--expect",
      "para 2000 height >= 1 within 60 s",
      "--log",
      "info",
      "--no-progress",
    ];
    const one = cli(...args, "--jobs", "1");
    const two = cli(...args, "--jobs", "2");
    expect(one.status).toBe(0);
    expect(two.status).toBe(0);
    expect(maskWall(two.stdout)).toBe(maskWall(one.stdout));
    expect(one.stdout).toContain("PASS elastic-3: para 2000 height >= 1 within 60 s");
    // elastic-3 costs more, so it is handed out first and ends last: sync's lines, which come
    // first, were held until then and still come first.
    expect(two.stderr).toBe(one.stderr);
    expect(one.stderr).toMatch(/backing: Candidate seconded/);
    const json = (jobs: string) => JSON.parse(cli(...args, "--json", "--jobs", jobs).stdout);
    const [a, b] = [json("1"), json("2")];
    expect(a.runs[1].expect).toHaveLength(2);
    expect(withoutHost(b)).toEqual(withoutHost(a));
    // The workers run with the command's Node flags.
    expect(b.runs[0].host.nodeFlags).toEqual(["--max-semi-space-size=64"]);
  });

  it("check: the same findings with --jobs 1 and --jobs 2 (the evidence runs in workers)", () => {
    const args = ["check", "examples/async-capacity-1.yaml", "--json"];
    const one = cli(...args, "--jobs", "1");
    const two = cli(...args, "--jobs", "2");
    expect(one.status).toBe(1);
    expect(two.status).toBe(1);
    expect(two.stdout).toBe(one.stdout);
    expect(JSON.parse(two.stdout).findings[0].evidence.fixed.blockTimeMsMean).toBe(6000);
  });

  it("refuses --jobs 0 and non-integers with exit 2, nothing run; --help documents it", () => {
    for (const [command, bad] of [
      ["compare", "0"],
      ["run", "1.5"],
      ["check", "two"],
      ["timing", "-1"],
    ] as const) {
      const extra = command === "timing" ? ["--period", "week=50400"] : ["--preset", "async"];
      const r = cli(command, ...extra, `--jobs=${bad}`);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`--jobs: expected an integer >= 1, got "${bad}"`);
      expect(r.stdout).toBe("");
    }
    for (const command of ["run", "compare", "check", "timing"]) {
      const help = cli(command, "--help").stdout;
      expect(help).toContain("--jobs <n>");
      expect(help).toMatch(/default: the machine's\s+cores/);
    }
  });
});
