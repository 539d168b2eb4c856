import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { polkadotScenario } from "../../bench/polkadot.ts";
import {
  cellName,
  countingProvider,
  DEFAULT_SCALING_CELLS,
  fitExponent,
  parseScalingCells,
  scalingCores,
} from "../../bench/scaling.ts";
import { hostConfigurationFromScenario } from "../../src/config/from-scenario.ts";
import { resolveScenario } from "../../src/config/scenario.ts";
import { pureCrypto } from "../../src/primitives/signing.ts";
import { computeValidatorGroups } from "../../src/relay/scheduler.ts";

const MAIN = join(import.meta.dirname, "../../bench/main.ts");
const bench = (...args: string[]) =>
  spawnSync("node", ["--import", "tsx", MAIN, ...args], { encoding: "utf8" });

/** The keys of every `--json` row, in order (issue 21 item 6). */
const ROW_KEYS = [
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
];

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
        '--only: expected presets, polkadot, erasure-coding, crypto, scaling or memory, got "foo"',
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
      [
        ["--only", "scaling", "--scaling-cells", "600"],
        '--scaling-cells: expected VALIDATORSxPARAS pairs separated by commas (e.g. 600x100,1000x100), got "600"',
      ],
      [
        ["--only", "scaling", "--scaling-cells", "600x100,"],
        '--scaling-cells: expected VALIDATORSxPARAS pairs separated by commas (e.g. 600x100,1000x100), got ""',
      ],
      [
        ["--only", "scaling", "--scaling-cells", "50x100"],
        '--scaling-cells: expected at least as many validators as paras (one core each), got "50x100"',
      ],
      [
        ["--only", "scaling", "--scaling-cells", "600x0"],
        '--scaling-cells: expected at least 1 para, got "600x0"',
      ],
      [
        ["--only", "scaling", "--scaling-cells", "600x100,600x100"],
        '--scaling-cells: expected each cell once, got "600x100" twice',
      ],
      [
        ["--only", "scaling", "--scaling-cells", "200000x100"],
        "--scaling-cells: expected a network the scenario schema accepts, got 200000x100: polkadot scenario 200000x100: relay.validators:",
      ],
      [
        ["--only", "scaling", "--scaling-cores", "cores"],
        '--scaling-cores: expected groups or paras, got "cores"',
      ],
      [
        ["--only", "scaling", "--scaling-blocks", "0"],
        '--scaling-blocks: expected an integer >= 1, got "0"',
      ],
      [
        ["--only", "scaling", "--scaling-warmup", "0"],
        '--scaling-warmup: expected an integer >= 1, got "0"',
      ],
      [
        ["--only", "scaling", "--scaling-runs", "x"],
        '--scaling-runs: expected an integer >= 1, got "x"',
      ],
      [
        ["--only", "scaling", "--modes", "none,rsa"],
        '--modes: expected modes among sr25519,ed25519,none, got "rsa"',
      ],
    ] as const) {
      const r = bench(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`error: ${message}`);
      expect(r.stdout).toBe("");
    }
  }, 180_000);

  it("--json: one object per row on stdout, the heading on stderr", () => {
    const r = bench("--only", "presets", "--modes", "none", "--runs", "1", "--json");
    expect(r.status).toBe(0);
    const rows = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((x) => x.scenario)).toEqual(["sync", "async", "elastic-3", "elastic-12"]);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(ROW_KEYS);
      expect(row.crypto).toBe("none");
      expect(row.relayBlocks).toBe(65);
      expect(row.violations).toBe(0);
      expect(row.speedup as number).toBeGreaterThan(0);
    }
    expect(rows.map((x) => x.included)).toEqual([30, 60, 180, 600]);
    expect(r.stderr).toContain("parapipe bench:");
  }, 180_000);
});

describe("npm run bench -- --only scaling (its parts)", () => {
  it("parses the grid: VALIDATORSxPARAS pairs, in order", () => {
    const r = parseScalingCells("600x100,1000x100,1500x300", "groups");
    expect(r).toEqual({
      ok: true,
      value: [
        { validators: 600, paras: 100 },
        { validators: 1000, paras: 100 },
        { validators: 1500, paras: 300 },
      ],
    });
    for (const bad of ["600", "600x", "x100", "600x100x2", "600 x100", "600X100", "-5x2", ""]) {
      expect(parseScalingCells(bad, "groups").ok, bad).toBe(false);
    }
    // The default grid: issue 21's 4 x 3 cells and 1500 x 300.
    expect(DEFAULT_SCALING_CELLS.map(cellName)).toEqual([
      "300x20",
      "300x60",
      "300x100",
      "600x20",
      "600x60",
      "600x100",
      "1000x20",
      "1000x60",
      "1000x100",
      "1500x20",
      "1500x60",
      "1500x100",
      "1500x300",
    ]);
  });

  it("fits the exponent of a power law on log-log", () => {
    const xs = [300, 600, 1000, 1500];
    for (const b of [0.5, 1, 1.37, 2]) {
      const fit = fitExponent(xs.map((x) => ({ x, y: 7 * x ** b })));
      expect(fit).toBeCloseTo(b, 10);
    }
    // Noise that cancels out on log-log: y = x^0.8 times 1.1, 1/1.1, 1.1, 1/1.1 at symmetric x.
    const noisy = [1, 2, 4, 8].map((x, i) => ({ x, y: x ** 0.8 * (i % 2 === 0 ? 1.1 : 1 / 1.1) }));
    expect(fitExponent(noisy)!).toBeGreaterThan(0.7);
    expect(fitExponent(noisy)!).toBeLessThan(0.8);
    expect(fitExponent([{ x: 600, y: 10 }])).toBeNull();
    expect(
      fitExponent([
        { x: 600, y: 10 },
        { x: 600, y: 12 },
      ]),
    ).toBeNull();
    expect(
      fitExponent([
        { x: 600, y: 0 },
        { x: 1000, y: 12 },
      ]),
    ).toBeNull();
  });

  it("the Polkadot-sized row's scenario is unchanged, and 600 x 100 is it", () => {
    const load = {
      relayBlocks: 10,
      warmupRelayBlocks: 2,
      crypto: "none",
      txRefTimeUs: 5000,
      txPerBlock: 100,
      txProofBytes: 1024,
    } as const;
    // The scenario as bench/polkadot.ts built it before it took validators and paras.
    const before = resolveScenario({
      name: "polkadot-600v-120c",
      preset: "async",
      seed: 1,
      relayBlocks: 10,
      warmupRelayBlocks: 2,
      crypto: "none",
      relay: {
        validators: 600,
        hostConfiguration: {
          asyncBackingParams: { maxCandidateDepth: 3, allowedAncestryLen: 2 },
          schedulerParams: {
            lookahead: 3,
            numCores: 120,
            maxValidatorsPerCore: 5,
            groupRotationFrequency: 10,
            parasAvailabilityPeriod: 10,
          },
          minimumBackingVotes: 2,
          neededApprovals: 30,
          relayVrfModuloSamples: 6,
          nDelayTranches: 89,
          zerothDelayTrancheWidth: 0,
          noShowSlots: 2,
          maxPovSize: 10 * 1024 * 1024,
          executorParams: { pvfExecTimeoutBackingMs: 2500, pvfExecTimeoutApprovalMs: 15000 },
        },
      },
      parachains: Array.from({ length: 100 }, (_, i) => ({
        id: 2000 + i,
        cores: 1,
        load: { saturate: false, txPerSecond: 100 / 6, txRefTimeUs: 5000, txProofBytes: 1024 },
      })),
    });
    expect(before.ok).toBe(true);
    if (!before.ok) return;
    expect(polkadotScenario(load)).toEqual(before.value);
    const cell = { validators: 600, paras: 100 };
    expect(polkadotScenario({ ...load, ...cell, cores: scalingCores(cell, "groups") })).toEqual(
      before.value,
    );
  });

  it("cores and groups: one core per group of 5 and per para; groups of 3 at 300 x 100", () => {
    const groupSizes = (validators: number, paras: number, rule: "groups" | "paras") => {
      const s = polkadotScenario({
        validators,
        paras,
        cores: scalingCores({ validators, paras }, rule),
        relayBlocks: 1,
        warmupRelayBlocks: 1,
        crypto: "none",
        txRefTimeUs: 5000,
        txPerBlock: 100,
        txProofBytes: 1024,
      });
      const groups = computeValidatorGroups(
        validators,
        hostConfigurationFromScenario(s.relay.hostConfiguration),
      );
      return {
        cores: s.relay.hostConfiguration.schedulerParams.numCores,
        groups: groups.length,
        sizes: [...new Set(groups.map((g) => g.length))],
      };
    };
    expect(groupSizes(1500, 100, "groups")).toEqual({ cores: 300, groups: 300, sizes: [5] });
    expect(groupSizes(1500, 300, "groups")).toEqual({ cores: 300, groups: 300, sizes: [5] });
    expect(groupSizes(300, 20, "groups")).toEqual({ cores: 60, groups: 60, sizes: [5] });
    // Fewer than 5 validators per para: polkadot-sdk makes one group per core, of 3.
    expect(groupSizes(300, 100, "groups")).toEqual({ cores: 100, groups: 100, sizes: [3] });
    // One core per para: polkadot-sdk still makes a group per 5 validators.
    expect(groupSizes(1000, 100, "paras")).toEqual({ cores: 100, groups: 200, sizes: [5] });
  });

  it("--json: one object per cell, with the cell's keys (a 30-validator network)", () => {
    const r = bench(
      ...["--only", "scaling", "--scaling-cells", "30x4", "--scaling-blocks", "1"],
      ...["--scaling-warmup", "1", "--scaling-runs", "1", "--modes", "ed25519", "--json"],
    );
    expect(r.status).toBe(0);
    const rows = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(Object.keys(row)).toEqual([
      ...ROW_KEYS,
      "validators",
      "paras",
      "cores",
      "groupSize",
      "wallMsPerBlock",
      "cryptoFloorMs",
      "erasureFloorMs",
      "ceiling",
    ]);
    expect(row).toMatchObject({
      scenario: "polkadot-30v-6c-4p",
      crypto: "ed25519",
      relayBlocks: 2,
      validators: 30,
      paras: 4,
      cores: 6,
      groupSize: 5,
      violations: 0,
    });
    // Real ed25519 signatures in the measured block: a floor above 0, below the wall time.
    expect(row.cryptoFloorMs as number).toBeGreaterThan(0);
    expect(row.cryptoFloorMs as number).toBeLessThan(row.wallMsPerBlock as number);
    // Every candidate's erasure coding is real: a floor above 0, below the wall time; the
    // ceiling is the slot over the two floors.
    expect(row.erasureFloorMs as number).toBeGreaterThan(0);
    expect(row.erasureFloorMs as number).toBeLessThan(row.wallMsPerBlock as number);
    expect(row.ceiling as number).toBeCloseTo(
      6000 / ((row.cryptoFloorMs as number) + (row.erasureFloorMs as number)),
      -1,
    );
    expect(r.stderr).toContain("done when (issue 21), ed25519:");
  }, 120_000);

  it("counts what a run asks of its crypto provider", () => {
    const counts = { sign: 0, verify: 0, keypair: 0, vrfSign: 0, vrfVerify: 0, vrfOutput: 0 };
    const crypto = countingProvider(pureCrypto, counts)("ed25519");
    const k = crypto.keypairFromSeed(new Uint8Array(32));
    const message = new Uint8Array([1, 2, 3]);
    const signature = crypto.sign(k.secretKey, message);
    expect(crypto.verify(message, signature, k.publicKey)).toBe(true);
    expect(crypto.verify(message, signature, new Uint8Array(32))).toBe(false);
    expect(counts).toEqual({
      sign: 1,
      verify: 2,
      keypair: 1,
      vrfSign: 0,
      vrfVerify: 0,
      vrfOutput: 0,
    });
    expect(crypto.vrfVerify).toBeUndefined();
    // sr25519: the VRF check and the key agreement (@noble's when the implementation has none).
    const sr = countingProvider(pureCrypto, counts)("sr25519");
    expect(sr.vrfVerify).toBeDefined();
    expect(sr.agree).toBeDefined();
  });
});
