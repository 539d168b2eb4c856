/**
 * `parapipe run`'s exit codes (SCENARIO.md "Faults and adversaries"): 4 an internal error (the
 * stack trace written to `parapipe-crash-<seed>.txt`, the replay printed), else 1 safety or a
 * failed check, else 3 liveness, else 0. The internal error is planted by making the run throw
 * (run-job.ts's `runJob`, mocked for the scenario named "crash" only).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("../../src/cli/run-job.ts", async (orig) => {
  const actual = await orig<typeof import("../../src/cli/run-job.ts")>();
  return {
    ...actual,
    runJob: (
      job: Parameters<typeof actual.runJob>[0],
      hooks: Parameters<typeof actual.runJob>[1],
    ) => {
      if (job.scenario.name === "crash") throw new Error("planted: an invariant of the simulator");
      return actual.runJob(job, hooks);
    },
  };
});

import { runExitCode } from "../../src/cli/crash.ts";
import { runCommand } from "../../src/cli/run.ts";

const dir = mkdtempSync(join(tmpdir(), "parapipe-exit-"));
const scenarioFile = (name: string, body: string) => {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\n${body}`);
  return file;
};

afterEach(() => vi.restoreAllMocks());

describe("run's exit code", () => {
  it("orders the findings: internal error, then safety or checks, then liveness", () => {
    expect(runExitCode({ crashed: false, safetyOrChecks: 0, livenessFailures: 0 })).toBe(0);
    expect(runExitCode({ crashed: false, safetyOrChecks: 0, livenessFailures: 2 })).toBe(3);
    expect(runExitCode({ crashed: false, safetyOrChecks: 1, livenessFailures: 2 })).toBe(1);
    expect(runExitCode({ crashed: true, safetyOrChecks: 1, livenessFailures: 2 })).toBe(4);
  });

  it("4 on an exception inside a run: the stack trace in parapipe-crash-<seed>.txt, the replay printed", async () => {
    vi.spyOn(process, "cwd").mockReturnValue(dir);
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: string) => errors.push(line));
    const file = scenarioFile("crash", "preset: sync\nrelayBlocks: 2\nseed: 77\n");
    const code = await runCommand([file], { progress: false, jobs: "1" });
    expect(code).toBe(4);
    const crashFile = join(dir, "parapipe-crash-77.txt");
    expect(errors).toEqual([
      "INTERNAL ERROR crash: planted: an invariant of the simulator",
      `  a bug in parapipe; the stack trace is in ${crashFile}`,
      `  replay: parapipe run ${file} --seed 77 --relay-blocks 2 --generation current`,
    ]);
    const written = readFileSync(crashFile, "utf8");
    expect(written).toContain("Error: planted: an invariant of the simulator");
    expect(written).toContain("run-exit-codes.test.ts");
  });

  it("3 when a para includes nothing in the measured blocks (every block too slow for backers)", async () => {
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: string) => errors.push(line));
    vi.spyOn(console, "log").mockImplementation(() => {});
    const file = scenarioFile(
      "stall",
      "preset: async\nrelayBlocks: 6\ncrypto: none\n" +
        "relay: {hostConfiguration: {executorParams: {pvfExecTimeoutBackingMs: 1}}}\n",
    );
    expect(await runCommand([file], { progress: false, jobs: "1" })).toBe(3);
    expect(errors.join("\n")).toContain(
      "stall: para 2000 included nothing in relay slots 6..11\n" +
        `  replay: parapipe run ${file} --seed 1 --relay-blocks 6 --generation current`,
    );
    // With a failing check too: 1 wins over liveness.
    expect(
      await runCommand([file], {
        progress: false,
        jobs: "1",
        expect: ["no safety violations", "para 2000 included > 0"],
      }),
    ).toBe(1);
  }, 120_000);

  it("0 for a healthy run", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(console, "log").mockImplementation(() => {});
    const file = scenarioFile("healthy", "preset: sync\nrelayBlocks: 6\ncrypto: none\n");
    expect(await runCommand([file], { progress: false, jobs: "1" })).toBe(0);
  }, 120_000);
});
