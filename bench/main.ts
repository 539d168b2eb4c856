/**
 * `npm run bench [-- options]`: how fast the simulator runs whole networks.
 *
 * For every preset x crypto mode (sr25519, ed25519, none), and for a Polkadot-sized network
 * (`bench/polkadot.ts`: 600 validators, 120 cores, 100 single-core paras, NUMBERS.md's Polkadot
 * column) under each crypto mode, it prints:
 * - wall time of one run (median over the runs; the Polkadot-sized network is run fewer times),
 * - speedup = virtual seconds / wall seconds (virtual time includes the warm-up blocks),
 * - relay blocks per wall second,
 * - peak memory: RSS and V8 heap used, sampled with `process.memoryUsage()` after every relay
 *   block (the progress callback) and at the end of each run,
 * - what the network did (backed / included candidates over all paras, safety violations), so a
 *   fast run that stopped backing anything is visible.
 *
 * Each case runs in its own child process (`--child`), one after the other, so that the peak
 * memory of a case is its own and one case's garbage does not slow the next. Wall time is taken
 * inside the child around `runScenario` only (no process start, no module loading). The crypto
 * is what the CLI uses (`nativeCryptoProvider` after `useNativeCrypto`: node:crypto ed25519,
 * sr25519 signed by @scure, verified and its VRF outputs computed by wasm-crypto), and so are
 * the V8 flags (`--max-semi-space-size=64`, see bin/parapipe.js).
 *
 * `--only scaling` is the scaling table instead (bench/scaling.ts): the Polkadot-sized network at
 * validators x paras, its wall time per relay block, peak memory and crypto floor, with the fitted
 * growth in each direction. `--only memory` (bench/memory.ts) instead runs one preset over run lengths and prints peak
 * memory per length (docs/simulator.md "Memory").
 *
 * Options: see `USAGE` (`npm run bench -- --help`); an unknown option or a bad value is an
 * error (exit 2), nothing run.
 */
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { nativeCryptoProvider, useNativeCrypto } from "../src/cli/native-crypto.ts";
import { PRESET_NAMES } from "../src/config/presets.ts";
import { type CryptoKind, resolveScenario, type Scenario } from "../src/config/scenario.ts";
import { useFastHashing } from "../src/primitives/hashing.ts";
import { runScenario } from "../src/report/run.ts";
import { cryptoBench } from "./crypto.ts";
import { erasureCodingBench } from "./erasure-coding.ts";
import { type MemoryCase, memoryBench, memoryChild } from "./memory.ts";
import { POLKADOT_PARAS, polkadotScenario } from "./polkadot.ts";
import {
  DEFAULT_SCALING_CELLS,
  parseScalingCells,
  SCALING_CORES,
  type ScalingCase,
  type ScalingCores,
  scalingBench,
  scalingChild,
} from "./scaling.ts";
import { backedAndIncluded, printTable } from "./table.ts";

const MODES: readonly CryptoKind[] = ["sr25519", "ed25519", "none"];
/** The V8 flags the `parapipe` command runs with (bin/parapipe.js), so the figures are its own. */
const V8_FLAGS = ["--max-semi-space-size=64", "--max-old-space-size=16384"];
const MIB = 1024 * 1024;

interface Case {
  readonly label: string;
  readonly preset?: string;
  readonly polkadot?: {
    readonly relayBlocks: number;
    readonly warmupRelayBlocks: number;
    readonly txRefTimeUs: number;
    readonly txPerBlock: number;
    readonly txProofBytes: number;
  };
  readonly crypto: CryptoKind;
  readonly runs: number;
}

interface CaseResult {
  readonly label: string;
  readonly crypto: CryptoKind;
  readonly wallMs: readonly number[];
  readonly virtualMs: number;
  readonly relayBlocks: number;
  readonly peakRssBytes: number;
  readonly peakHeapBytes: number;
  readonly backed: number;
  readonly included: number;
  readonly violations: number;
  readonly traceHashes: readonly string[];
  /** Modelled CPU per relay block of a validator (mean over validators), ms, by CPU pool. */
  readonly cpuMsPerBlock: Readonly<Record<string, number>>;
}

/** The node's CPU pools, as the split names them. */
const CPU_SPLIT: readonly [pool: string, what: string][] = [
  ["pvf", "backing execution (candidate-validation)"],
  ["pvf-approval", "approval execution (candidate-validation)"],
  ["main", "statement checks (statement-distribution, backing)"],
  ["bitfield-distribution", "bitfield checks (bitfield-distribution)"],
  // Counted by approval voting, not queued (its imports are lazy: subsystem.ts).
  ["approval-distribution", "assignment and approval checks (approval-distribution)"],
];

function scenarioOf(c: Case): Scenario {
  if (c.polkadot !== undefined) return polkadotScenario({ ...c.polkadot, crypto: c.crypto });
  const r = resolveScenario({ preset: c.preset, crypto: c.crypto });
  if (!r.ok) throw new Error(`${c.label}: ${r.error.join("; ")}`);
  return r.value;
}

/** The child: runs one case `runs` times and prints one JSON line. */
function child(c: Case): void {
  const scenario = scenarioOf(c);
  const crypto = nativeCryptoProvider();
  let peakRss = 0;
  let peakHeap = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    if (m.rss > peakRss) peakRss = m.rss;
    if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
  };
  const wallMs: number[] = [];
  const traceHashes: string[] = [];
  let last: ReturnType<typeof runScenario>["report"] | undefined;
  const cpuMsPerBlock: Record<string, number> = {};
  for (let i = 0; i < c.runs; i++) {
    const t0 = performance.now();
    const { report, world } = runScenario(scenario, { crypto, onRelayBlock: sample });
    wallMs.push(performance.now() - t0);
    sample();
    traceHashes.push(report.traceHash);
    last = report;
    const blocks = scenario.warmupRelayBlocks + scenario.relayBlocks;
    for (const [pool] of CPU_SPLIT) {
      let us = 0;
      for (const v of world.validators) {
        us +=
          pool === "approval-distribution"
            ? (v.approvalVoting?.checkCpuUs ?? 0)
            : world.cpu.busyTimeUs(`${v.id}/${pool}`);
      }
      cpuMsPerBlock[pool] = Math.round((us / world.validators.length / blocks / 1000) * 10) / 10;
    }
  }
  if (last === undefined) throw new Error("no run");
  const { backed, included } = backedAndIncluded(last.paras);
  const result: CaseResult = {
    label: c.label,
    crypto: c.crypto,
    wallMs,
    virtualMs: last.virtualMs,
    relayBlocks: scenario.warmupRelayBlocks + scenario.relayBlocks,
    peakRssBytes: peakRss,
    peakHeapBytes: peakHeap,
    backed,
    included,
    violations: last.safety.violations.length,
    traceHashes,
    cpuMsPerBlock,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** `--json`: one object per row of the table (issue 21's keys). */
function jsonRow(r: CaseResult): Record<string, string | number> {
  const wallMs = median(r.wallMs);
  return {
    scenario: r.label,
    crypto: r.crypto,
    runs: r.wallMs.length,
    relayBlocks: r.relayBlocks,
    speedup: Math.round((r.virtualMs / wallMs) * 10) / 10,
    wallMsMedian: Math.round(wallMs),
    peakRssMiB: Math.round(r.peakRssBytes / MIB),
    backed: r.backed,
    included: r.included,
    violations: r.violations,
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const USAGE = `Usage: npm run bench [-- options]

How fast the simulator runs whole networks: for every preset and crypto mode, and for a
Polkadot-sized network (600 validators, 120 cores, 100 paras), the median wall time of a run,
the speedup (virtual seconds / wall seconds), relay blocks per second and peak memory. Each case
runs in its own Node process, one after the other.

Options:
  --only presets|polkadot   run only the presets, or only the Polkadot-sized network
  --only erasure-coding     only the erasure coding's MB/s (bench/erasure-coding.ts; --runs, default 3)
  --only crypto             only signatures and VRFs per operation and library, µs per call
                            (bench/crypto.ts; --runs, default 15)
  --only scaling            only the scaling table (bench/scaling.ts): the Polkadot-sized network at
                            validators x paras, wall ms per relay block, peak RSS, crypto floor,
                            the fitted growth and issue 21's two ratios; --modes default none
  --scaling-cells VxP,...   its cells (default 300,600,1000,1500 x 20,60,100 and 1500x300)
  --scaling-blocks N        its measured relay blocks per run (default 5)
  --scaling-warmup N        its warm-up relay blocks before them (default 3, at least 1)
  --scaling-runs N          its runs per cell and mode (default 3)
  --scaling-cores R         its relay chain's cores: groups (default: one per group of 5, at least
                            one per para) or paras (one per para); the load: --polkadot-tx-*
  --only memory             only peak memory over run lengths (bench/memory.ts): one run of
                            --memory-preset (default async) with --modes' first mode (default
                            none) per length in --memory-blocks (default 1800,7200)
  --modes a,b               crypto modes among sr25519,ed25519,none (default: all three)
  --runs N                  runs per preset and mode (default 5)
  --polkadot-runs N         runs of the Polkadot-sized network per mode (default 3)
  --polkadot-blocks N       its measured relay blocks (default 10)
  --polkadot-warmup N       its warm-up relay blocks (default 2)
  --polkadot-tx-us N        its load: µs of execution per transaction (default 5000)
  --polkadot-tx-bytes N     its load: PoV bytes per transaction (default 1024)
  --json                    one JSON object per row on stdout (scenario, crypto, runs, relayBlocks,
                            speedup, wallMsMedian, peakRssMiB, backed, included, violations)
  --polkadot-tx-per-block N its load: transactions per 6 s relay block per para, or 0 for
                            saturated pools (default 100: 100 KiB PoVs, 0.5 s of execution)
  -h, --help                this text

Examples (the figures in docs/simulator.md):
  npm run bench -- --only polkadot --modes none,ed25519 --polkadot-blocks 10 --polkadot-warmup 2 --polkadot-runs 5
  npm run bench -- --only memory`;

/** Options that take a value. */
const VALUE_OPTIONS = [
  "only",
  "modes",
  "runs",
  "polkadot-runs",
  "polkadot-blocks",
  "polkadot-warmup",
  "polkadot-tx-us",
  "polkadot-tx-bytes",
  "polkadot-tx-per-block",
  "scaling-cells",
  "scaling-blocks",
  "scaling-warmup",
  "scaling-runs",
  "scaling-cores",
  "child",
  "scaling-child",
  "memory-blocks",
  "memory-preset",
  "memory-child",
] as const;
type OptionName = (typeof VALUE_OPTIONS)[number] | (typeof FLAG_OPTIONS)[number];

/** A command-line mistake: printed without a stack trace, exit code 2. */
class UsageError extends Error {}

/** Parses `--name value` pairs; an unknown option or a missing value is a `UsageError`. */
/** Options without a value (present or not). */
const FLAG_OPTIONS = ["json"] as const;

function parseOptions(args: readonly string[]): Map<OptionName, string> {
  const out = new Map<OptionName, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = arg.startsWith("--") ? arg.slice(2) : arg;
    if ((FLAG_OPTIONS as readonly string[]).includes(name)) {
      out.set(name as OptionName, "yes");
      continue;
    }
    if (!(VALUE_OPTIONS as readonly string[]).includes(name)) {
      throw new UsageError(`unknown option ${arg} (see --help)`);
    }
    const value = args[i + 1];
    if (value === undefined || value.startsWith("--")) {
      throw new UsageError(`${arg}: expected a value`);
    }
    out.set(name as OptionName, value);
    i++;
  }
  return out;
}

function intOption(
  options: Map<OptionName, string>,
  name: OptionName,
  fallback: number,
  min = 1,
): number {
  const v = options.get(name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min) {
    throw new UsageError(`--${name}: expected an integer >= ${min}, got ${JSON.stringify(v)}`);
  }
  return Number(v);
}

async function parent(options: Map<OptionName, string>): Promise<void> {
  const runs = intOption(options, "runs", 5);
  const pdRuns = intOption(options, "polkadot-runs", 3);
  const pdBlocks = intOption(options, "polkadot-blocks", 10);
  const pdWarmup = intOption(options, "polkadot-warmup", 2);
  const txRefTimeUs = intOption(options, "polkadot-tx-us", 5_000);
  const txProofBytes = intOption(options, "polkadot-tx-bytes", 1024);
  const txPerBlock = intOption(options, "polkadot-tx-per-block", 100, 0);
  const only = options.get("only");
  if (only === "erasure-coding") {
    erasureCodingBench(intOption(options, "runs", 3));
    return;
  }
  if (only === "crypto") {
    await cryptoBench(intOption(options, "runs", 15));
    return;
  }
  if (only !== undefined && !["presets", "polkadot", "scaling", "memory"].includes(only)) {
    throw new UsageError(
      `--only: expected presets, polkadot, erasure-coding, crypto, scaling or memory, got ${JSON.stringify(only)}`,
    );
  }
  const modes = (options.get("modes")?.split(",") ??
    (only === "scaling" ? ["none"] : MODES)) as CryptoKind[];
  for (const m of modes) {
    if (!MODES.includes(m)) {
      throw new UsageError(
        `--modes: expected modes among ${MODES.join(",")}, got ${JSON.stringify(m)}`,
      );
    }
  }
  if (only === "scaling") {
    const coresRule = options.get("scaling-cores") ?? "groups";
    if (!(SCALING_CORES as readonly string[]).includes(coresRule)) {
      throw new UsageError(
        `--scaling-cores: expected ${SCALING_CORES.join(" or ")}, got ${JSON.stringify(coresRule)}`,
      );
    }
    const cellsText = options.get("scaling-cells");
    const cells =
      cellsText === undefined
        ? { ok: true as const, value: DEFAULT_SCALING_CELLS }
        : parseScalingCells(cellsText, coresRule as ScalingCores);
    if (!cells.ok) throw new UsageError(`--scaling-cells: ${cells.error}`);
    scalingBench({
      script: fileURLToPath(import.meta.url),
      v8Flags: V8_FLAGS,
      cells: cells.value,
      coresRule: coresRule as ScalingCores,
      modes,
      relayBlocks: intOption(options, "scaling-blocks", 5),
      warmupRelayBlocks: intOption(options, "scaling-warmup", 3),
      runs: intOption(options, "scaling-runs", 3),
      txRefTimeUs,
      txPerBlock,
      txProofBytes,
      json: options.has("json"),
    });
    return;
  }
  if (only === "memory") {
    const preset = options.get("memory-preset") ?? "async";
    if (!(PRESET_NAMES as readonly string[]).includes(preset)) {
      throw new UsageError(
        `--memory-preset: expected one of ${PRESET_NAMES.join(", ")}, got ${JSON.stringify(preset)}`,
      );
    }
    const lengths = (options.get("memory-blocks") ?? "1800,7200").split(",").map((v) => {
      if (!/^\d+$/.test(v) || Number(v) < 1) {
        throw new UsageError(`--memory-blocks: expected integers >= 1, got ${JSON.stringify(v)}`);
      }
      return Number(v);
    });
    memoryBench({
      script: fileURLToPath(import.meta.url),
      v8Flags: V8_FLAGS,
      preset,
      crypto: options.has("modes") ? modes[0]! : "none",
      lengths,
      json: options.has("json"),
    });
    return;
  }

  const cases: Case[] = [];
  if (only !== "polkadot") {
    for (const preset of PRESET_NAMES) {
      for (const crypto of modes) cases.push({ label: preset, preset, crypto, runs });
    }
  }
  if (only !== "presets") {
    for (const crypto of modes) {
      cases.push({
        label: "polkadot",
        polkadot: {
          relayBlocks: pdBlocks,
          warmupRelayBlocks: pdWarmup,
          txRefTimeUs,
          txPerBlock,
          txProofBytes,
        },
        crypto,
        runs: pdRuns,
      });
    }
  }

  // With --json the stdout is the rows' objects only: the heading goes to stderr.
  const json = options.has("json");
  const say = json ? (text: string) => process.stderr.write(`${text}\n`) : console.log;
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  say(
    `parapipe bench: node ${process.version} ${V8_FLAGS.join(" ")}, ${cpu}, one core per run (sequential)`,
  );
  say(
    `presets: SCENARIO.md's (60 + 5 warm-up relay blocks), median of ${runs} runs each.\n` +
      `polkadot: 600 validators, 120 cores, ${POLKADOT_PARAS} paras (2000..${2000 + POLKADOT_PARAS - 1}, ` +
      `1 core, 2 lookahead collators each), groups of 5, depth 3 / ancestry 2 / lookahead 3; ` +
      `${pdBlocks} + ${pdWarmup} warm-up relay blocks, ${pdRuns} run(s) per mode;\n` +
      (txPerBlock === 0
        ? `  load: saturated pools, txRefTimeUs ${txRefTimeUs} (${Math.floor(2_000_000 / txRefTimeUs)} txs per 2 s block, ` +
          `${Math.floor(2_000_000 / txRefTimeUs) * POLKADOT_PARAS} per relay block over all paras), ${txProofBytes} PoV bytes each.`
        : `  load: ${txPerBlock} txs per relay block per para, ${txRefTimeUs} µs and ${txProofBytes} PoV bytes each ` +
          `(${((txPerBlock * txRefTimeUs) / 1e6).toFixed(2)} s of execution and ${Math.round((txPerBlock * txProofBytes) / 1024)} KiB of PoV per block).`),
  );

  const self = fileURLToPath(import.meta.url);
  const results: CaseResult[] = [];
  const started = performance.now();
  for (const c of cases) {
    process.stderr.write(`  running ${c.label} / ${c.crypto} (${c.runs} run(s))...\n`);
    const r = spawnSync(
      process.execPath,
      [...V8_FLAGS, "--import", "tsx", self, "--child", JSON.stringify(c)],
      {
        encoding: "utf8",
        maxBuffer: 64 * MIB,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    if (r.status !== 0) throw new Error(`${c.label}/${c.crypto}: child exited with ${r.status}`);
    const line = r.stdout.trim().split("\n").pop() ?? "";
    results.push(JSON.parse(line) as CaseResult);
  }
  const totalS = (performance.now() - started) / 1000;
  if (json) {
    for (const r of results) console.log(JSON.stringify(jsonRow(r)));
    return;
  }

  const header = [
    "scenario",
    "crypto",
    "runs",
    "relay blocks",
    "virtual s",
    "wall s (median)",
    "min..max s",
    "speedup x",
    "relay blocks/s",
    "peak RSS MiB",
    "peak heap MiB",
    "backed",
    "included",
    "viol.",
    "same trace",
  ];
  const rows = results.map((r) => {
    const wallS = median(r.wallMs) / 1000;
    const virtualS = r.virtualMs / 1000;
    return [
      r.label,
      r.crypto,
      String(r.wallMs.length),
      String(r.relayBlocks),
      virtualS.toFixed(0),
      wallS.toFixed(3),
      `${(Math.min(...r.wallMs) / 1000).toFixed(2)}..${(Math.max(...r.wallMs) / 1000).toFixed(2)}`,
      (virtualS / wallS).toFixed(1),
      (r.relayBlocks / wallS).toFixed(2),
      (r.peakRssBytes / MIB).toFixed(0),
      (r.peakHeapBytes / MIB).toFixed(0),
      String(r.backed),
      String(r.included),
      String(r.violations),
      new Set(r.traceHashes).size === 1 ? "yes" : "NO",
    ];
  });
  printTable(header, rows);
  console.log(
    `speedup = virtual seconds (warm-up included) / median wall seconds of runScenario; ` +
      `peaks over all runs of a case. Bench total ${totalS.toFixed(0)} s wall.`,
  );
  for (const r of results.filter((x) => x.label === "polkadot")) {
    console.log(
      `\nModelled CPU of one validator per relay block (mean over the ${r.label} network's validators, ${r.crypto}; ` +
        "what the model charges: PVF executions and 50 µs per signature or certificate check, nothing else):",
    );
    let total = 0;
    for (const [pool, what] of CPU_SPLIT) {
      const ms = r.cpuMsPerBlock[pool] ?? 0;
      total += ms;
      console.log(`  ${what.padEnd(58)} ${ms.toFixed(1).padStart(8)} ms`);
    }
    console.log(`  ${"total".padEnd(58)} ${total.toFixed(1).padStart(8)} ms`);
  }
}

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  console.log(USAGE);
} else {
  try {
    const options = parseOptions(args);
    // The hashing the CLI runs with (the same outputs as noble's, faster): src/primitives/hashing.ts.
    await useFastHashing();
    const childArg = options.get("child");
    const scalingChildArg = options.get("scaling-child");
    const memoryChildArg = options.get("memory-child");
    if (childArg !== undefined || scalingChildArg !== undefined || memoryChildArg !== undefined) {
      // The sr25519 operations the CLI runs with (the same answers as the pure ones, faster).
      await useNativeCrypto();
      if (childArg !== undefined) child(JSON.parse(childArg) as Case);
      else if (scalingChildArg !== undefined) {
        scalingChild(JSON.parse(scalingChildArg) as ScalingCase, nativeCryptoProvider());
      } else memoryChild(JSON.parse(memoryChildArg!) as MemoryCase, nativeCryptoProvider());
    } else await parent(options);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`error: ${e.message}`);
    process.exitCode = 2;
  }
}
