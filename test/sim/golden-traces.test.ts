/**
 * Golden trace hashes: the four presets, each with all its own parameters (seed 1, 5 warm-up and
 * 60 measured relay blocks), run in fresh Node processes (`golden-traces.ts`, started with
 * `node --import tsx`, so nothing a test or an earlier run left in this process takes part), must
 * end with the trace hashes pinned in `golden-traces.json`. Any change of behaviour that reaches
 * the trace (a relay block's hash or time, what it carries and drops: backed candidates with their
 * cores and vote bits, bitfields with their bits, the author's offer and provisioner decision,
 * src/sim/relay-block-trace.ts; a para block authored at another time or on another parent) shows
 * as a diff of that file; an intended one is recorded by regenerating it:
 *
 *   UPDATE_GOLDEN=1 npx vitest run test/sim/golden-traces.test.ts
 *
 * then the diff of `golden-traces.json` is reviewed and committed with the change that explains it.
 *
 * Crypto mode: `none` (signatures modelled as hashes), the cheapest. Every mode charges the same
 * modelled CPU for a signature check (`VERIFY_COST_US`) and nothing traced carries a signature,
 * but since approval checking (issue 20) the mode picks the assignment VRF (real sr25519, or the
 * keyed PRF for `none` and `ed25519`), whose outputs choose which validators check which
 * candidate; their recoveries load the backers' uplinks, so a preset whose checkers are not all
 * in tranche 0 traces differently per mode (measured: `elastic-3` gives another hash with its own
 * `sr25519`; `sync` too, since its 2 validator groups make 2 availability cores for the
 * assignments though one is scheduled). So `sync` is also run with its own `sr25519`, whose hash is
 * pinned beside the others (`ownCrypto`): the real VRF and signature path is checked on every run
 * too. The runs are shared between two
 * child processes (2 cores): about 30 s wall time for the test, more when
 * the machine is busy; the timeout is 10 minutes.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PRESET_NAMES } from "../../src/config/presets.ts";
import type { GoldenRun } from "./golden-traces.ts";

const REPO = join(import.meta.dirname, "../..");
const SCRIPT = join(import.meta.dirname, "golden-traces.ts");
const GOLDEN_FILE = join(import.meta.dirname, "golden-traces.json");
const CHILDREN = 2;
const TIMEOUT_MS = 600_000;

interface Golden {
  readonly comment: string;
  readonly crypto: string;
  readonly traceHashes: Readonly<Record<string, string>>;
  /** `sync` with its own crypto mode (sr25519). */
  readonly ownCrypto: { readonly job: string; readonly traceHash: string };
}

/**
 * Seconds a run took here (`none`; `sync` with its own sr25519), to share the runs between the
 * children: only the balance depends on them.
 */
const COST_S: Readonly<Record<string, number>> = {
  "sync:none": 1,
  sync: 5,
  "async:none": 6,
  "elastic-3:none": 6,
  "elastic-12:none": 11,
};

/** Runs `jobs` (`golden-traces.ts` arguments) in one fresh Node process. */
function runChild(jobs: readonly string[]): Promise<GoldenRun[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", SCRIPT, ...jobs], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code !== 0) {
        reject(new Error(`golden-traces.ts ${jobs.join(" ")}: exit ${code ?? signal}\n${stderr}`));
        return;
      }
      resolve(
        stdout
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as GoldenRun),
      );
    });
  });
}

/** Longest first, each to the child with the least work so far. */
function share(jobs: readonly string[]): string[][] {
  const cost = (job: string) => COST_S[job] ?? 10;
  const children = Array.from({ length: CHILDREN }, () => ({ jobs: [] as string[], cost: 0 }));
  for (const job of [...jobs].sort((a, b) => cost(b) - cost(a))) {
    const least = children.reduce((a, b) => (b.cost < a.cost ? b : a));
    least.jobs.push(job);
    least.cost += cost(job);
  }
  return children.map((c) => c.jobs).filter((j) => j.length > 0);
}

describe("golden trace hashes", () => {
  it(
    "each preset's trace hash in a fresh process is the pinned one (golden-traces.json)",
    async () => {
      const golden = JSON.parse(readFileSync(GOLDEN_FILE, "utf8")) as Golden;
      const pinnedJobs = PRESET_NAMES.map((p) => `${p}:${golden.crypto}`);
      // `sync` once more with the preset's own crypto mode (sr25519).
      const ownCryptoJob = golden.ownCrypto.job;
      const started = Date.now();
      const runs = (await Promise.all(share([...pinnedJobs, ownCryptoJob]).map(runChild))).flat();
      const byJob = new Map(runs.map((r) => [r.job, r]));
      const timings = runs.map((r) => `${r.job} ${(r.wallMs / 1000).toFixed(1)} s`).join(", ");
      console.log(
        `golden traces: ${timings}; ${((Date.now() - started) / 1000).toFixed(1)} s wall`,
      );

      const actual = Object.fromEntries(
        PRESET_NAMES.map((p) => [p, byJob.get(`${p}:${golden.crypto}`)?.traceHash]),
      );
      for (const hash of Object.values(actual)) expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
      const own = byJob.get(ownCryptoJob);
      let pinned = golden.traceHashes;
      let pinnedOwn = golden.ownCrypto.traceHash;
      if (process.env.UPDATE_GOLDEN === "1") {
        pinned = actual as Record<string, string>;
        pinnedOwn = own?.traceHash ?? "";
        const ownCrypto = { job: ownCryptoJob, traceHash: pinnedOwn };
        writeFileSync(
          GOLDEN_FILE,
          `${JSON.stringify({ ...golden, traceHashes: pinned, ownCrypto }, null, 2)}\n`,
        );
        console.log(`golden traces: wrote ${GOLDEN_FILE}; review its diff`);
      }
      expect(
        actual,
        "trace hashes differ from test/sim/golden-traces.json: if the behaviour change is intended, " +
          "run UPDATE_GOLDEN=1 npx vitest run test/sim/golden-traces.test.ts and commit the diff",
      ).toEqual(pinned);

      expect(own?.crypto).not.toBe(golden.crypto);
      expect(own?.traceHash, `${ownCryptoJob} with its own ${own?.crypto}`).toBe(pinnedOwn);
    },
    TIMEOUT_MS,
  );
});
