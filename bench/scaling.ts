/**
 * The scaling table: `npm run bench -- --only scaling` (issue 21, item 5). The Polkadot-sized
 * network (bench/polkadot.ts: production parameters, lookahead collators, one core per para,
 * 100 transactions of 5 ms and 1 KiB per para and relay block) at validators x paras, by
 * default 300 / 600 / 1000 / 1500 x 20 / 60 / 100 and 1500 x 300, each cell and crypto mode in
 * a child process of its own (as the other cases of `npm run bench`), one after the other.
 *
 * Per cell it prints the wall time per relay block: the median over the runs of the time from
 * the end of the last warm-up relay block to the end of the last one (`onRelayBlock`), divided by
 * the measured relay blocks, so the world's set-up (keys, genesis, collators) and the pipeline's
 * filling are outside it; peak RSS (sampled after every relay block, over all runs); what the
 * network did (backed / included candidates over all paras and relay blocks, safety violations);
 * and the crypto floor: the time the run's real signature work alone takes per relay block.
 * Then, per crypto mode, the fitted growth (the exponent b of wall = a x n^b, least squares on
 * log-log, `fitExponent`) in validators at fixed paras and in paras at fixed validators, over
 * the cells whose groups are all of 5; and the issue's two ratios against their bounds.
 *
 * Cores (`--scaling-cores`): `groups` (default) gives the relay chain one core per group of 5
 * and at least one per para (`polkadotCores`): 600 x 100 is then the Polkadot-sized row itself
 * (120 cores), and the approval checkers per candidate stay about 30 at every size, as
 * polkadot-sdk draws them modulo its availability cores (one per group). `paras` gives exactly
 * one core per para (numCores = paras); polkadot-sdk still makes `max(numCores, validators / 5)`
 * groups and availability cores (the simulator's runtime API answers that count as
 * `session_info`'s `n_cores`), so the checkers per candidate are the same, and the cores beyond
 * the paras stay unscheduled. With fewer than 5 validators per para (300 x 100) the groups are
 * smaller than 5 (3), which the table shows and the fits leave out.
 *
 * The crypto floor: a counting wrapper around the crypto provider (`countingProvider`) counts
 * what the run really asks of it inside the measured relay blocks: signatures made and checked
 * (the world checks each signed object once, src/sim/world.ts `verify`), keys derived, and with
 * sr25519 the VRF checks and outputs (the provider's `vrfVerify` and `agree`, approval-voting/
 * vrf.ts). VRF proofs are made with @scure directly, not through the provider: they are counted
 * as the approval assignments published (`WorldOptions.onAssignmentPublished`, one proof each; a
 * modulo assignment computed but never triggered is missed). Each count is multiplied by the
 * operation's cost measured in the same child on the same implementation after the runs (a short
 * calibration loop as bench/crypto.ts's: 128-byte messages, 32 keys, the fastest of 15 passes, so
 * that another job on the machine inflates it as little as it can). It is a floor, not a share:
 * the calibration runs hot, the run's calls are spread out. With `none` the signatures are
 * modelled (hashes) and the floor is 0 by definition; with `ed25519` the VRF is the modelled PRF
 * (approval-voting/vrf.ts), so only signatures count.
 *
 * The erasure floor: the time the run's erasure coding alone takes per relay block, in every
 * crypto mode (it is real whatever the signatures). Each candidate's available data is encoded
 * once for the whole network (`ErasureMemo`: `obtain_chunks_v1` and the chunks' trie with every
 * proof), counted inside the measured relay blocks with `WorldOptions.onErasureEncoded`, with
 * their payload bytes; the count is multiplied by the time one encoding of the mean payload takes
 * in the same child after the runs (random bytes, the same `n`, the fastest of 5 passes). The
 * speedup can be at most the slot over the two floors: `ceiling x`.
 */
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { hostConfigurationFromScenario } from "../src/config/from-scenario.ts";
import { Prng } from "../src/lib/prng.ts";
import { err, ok, type Result } from "../src/lib/result.ts";
import {
  assignedCoreTranscript,
  CORE_RANDOMNESS_CONTEXT_V2,
  relayVrfModuloTranscriptV2,
} from "../src/node/core/approval-voting/criteria.ts";
import { sr25519Vrf } from "../src/node/core/approval-voting/vrf.ts";
import { obtainChunks } from "../src/primitives/erasure/codec.ts";
import { branches } from "../src/primitives/erasure/trie.ts";
import {
  type Crypto,
  type CryptoKind,
  type CryptoProvider,
  nobleAgree,
} from "../src/primitives/signing.ts";
import { computeValidatorGroups } from "../src/relay/scheduler.ts";
import { runScenario } from "../src/report/run.ts";
import { POLKADOT_GROUP_SIZE, polkadotCores, polkadotScenario } from "./polkadot.ts";
import { backedAndIncluded, printTable } from "./table.ts";

const MIB = 1024 * 1024;

/** One cell of the table. */
export interface ScalingCell {
  readonly validators: number;
  readonly paras: number;
}

/** How many cores the relay chain has (see the header). */
export type ScalingCores = "groups" | "paras";
export const SCALING_CORES: readonly ScalingCores[] = ["groups", "paras"];

/** Issue 21's grid: 300 / 600 / 1000 / 1500 validators x 20 / 60 / 100 paras, and 1500 x 300. */
export const DEFAULT_SCALING_CELLS: readonly ScalingCell[] = [
  ...[300, 600, 1000, 1500].flatMap((validators) =>
    [20, 60, 100].map((paras) => ({ validators, paras })),
  ),
  { validators: 1500, paras: 300 },
];

/** Issue 21's done-when: the ratio of wall time per relay block of `over` to `base`, at most `max`. */
export const SCALING_TARGETS: readonly {
  readonly over: ScalingCell;
  readonly base: ScalingCell;
  readonly max: number;
}[] = [
  { over: { validators: 1000, paras: 100 }, base: { validators: 600, paras: 100 }, max: 1.4 },
  { over: { validators: 1500, paras: 300 }, base: { validators: 1500, paras: 100 }, max: 3.3 },
];

export function cellName(c: ScalingCell): string {
  return `${c.validators}x${c.paras}`;
}

/** The relay chain's cores of a cell under a rule (see the header). */
export function scalingCores(c: ScalingCell, rule: ScalingCores): number {
  return rule === "groups" ? polkadotCores(c.validators, c.paras) : c.paras;
}

/** Enough of a case to check a cell's scenario against the schema. */
const SCHEMA_PROBE = {
  crypto: "none",
  relayBlocks: 1,
  warmupRelayBlocks: 1,
  runs: 1,
  txRefTimeUs: 5_000,
  txPerBlock: 100,
  txProofBytes: 1024,
} as const;

/**
 * `--scaling-cells`: `VALIDATORSxPARAS` pairs separated by commas (`600x100,1000x100`), each a
 * network the scenario schema accepts with the rule's cores; or what is wrong, as
 * `expected ..., got ...` (the caller names the option).
 */
export function parseScalingCells(text: string, rule: ScalingCores): Result<ScalingCell[], string> {
  const cells: ScalingCell[] = [];
  for (const part of text.split(",")) {
    const m = /^(\d+)x(\d+)$/.exec(part);
    if (m === null) {
      return err(
        `expected VALIDATORSxPARAS pairs separated by commas (e.g. 600x100,1000x100), got ${JSON.stringify(part)}`,
      );
    }
    const cell = { validators: Number(m[1]), paras: Number(m[2]) };
    if (cell.paras < 1) return err(`expected at least 1 para, got ${JSON.stringify(part)}`);
    if (cell.validators < cell.paras) {
      return err(
        `expected at least as many validators as paras (one core each), got ${JSON.stringify(part)}`,
      );
    }
    if (cells.some((c) => c.validators === cell.validators && c.paras === cell.paras)) {
      return err(`expected each cell once, got ${JSON.stringify(part)} twice`);
    }
    try {
      scenarioOf({ ...cell, cores: scalingCores(cell, rule), ...SCHEMA_PROBE });
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      return err(`expected a network the scenario schema accepts, got ${part}: ${why}`);
    }
    cells.push(cell);
  }
  return ok(cells);
}

/**
 * The exponent `b` of `y = a x^b` fitted by least squares on `ln y = ln a + b ln x`; null with
 * fewer than two distinct `x` (no slope) or a value that is not positive (no logarithm).
 */
export function fitExponent(points: readonly { x: number; y: number }[]): number | null {
  if (points.some((p) => !(p.x > 0 && p.y > 0))) return null;
  const xs = points.map((p) => Math.log(p.x));
  const ys = points.map((p) => Math.log(p.y));
  const n = points.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
  }
  return sxx === 0 ? null : sxy / sxx;
}

/** The real operations a run asks of its crypto provider (see the header). */
export type CryptoOp = "sign" | "verify" | "keypair" | "vrfSign" | "vrfVerify" | "vrfOutput";
const CRYPTO_OPS: readonly CryptoOp[] = [
  "sign",
  "verify",
  "keypair",
  "vrfSign",
  "vrfVerify",
  "vrfOutput",
];
const OP_NAMES: Readonly<Record<CryptoOp, string>> = {
  sign: "signatures",
  verify: "checks",
  keypair: "keys",
  vrfSign: "VRF proofs",
  vrfVerify: "VRF checks",
  vrfOutput: "VRF outputs",
};
type OpCounts = Record<CryptoOp, number>;

function zeroCounts(): OpCounts {
  return { sign: 0, verify: 0, keypair: 0, vrfSign: 0, vrfVerify: 0, vrfOutput: 0 };
}

/**
 * `inner`, counting each call into `counts` (`vrfSign` is not a provider call: the world's
 * `onAssignmentPublished` counts it). An sr25519 implementation without a key agreement gets
 * @noble's (`nobleAgree`, what vrf.ts multiplies with otherwise), so VRF outputs are counted too.
 */
export function countingProvider(inner: CryptoProvider, counts: OpCounts): CryptoProvider {
  return (kind) => {
    const c = inner(kind);
    const vrfVerify = c.vrfVerify;
    const agree = c.agree ?? (c.kind === "sr25519" ? nobleAgree : undefined);
    return {
      kind: c.kind,
      modelled: c.modelled,
      keypairFromSeed(seed) {
        counts.keypair++;
        return c.keypairFromSeed(seed);
      },
      sign(secretKey, message) {
        counts.sign++;
        return c.sign(secretKey, message);
      },
      verify(message, signature, publicKey) {
        counts.verify++;
        return c.verify(message, signature, publicKey);
      },
      ...(vrfVerify === undefined
        ? {}
        : {
            vrfVerify: (publicKey, context, message, extra, signature) => {
              counts.vrfVerify++;
              return vrfVerify(publicKey, context, message, extra, signature);
            },
          }),
      ...(agree === undefined
        ? {}
        : {
            agree: (secretKey, point) => {
              counts.vrfOutput++;
              return agree(secretKey, point);
            },
          }),
    } satisfies Crypto;
  };
}

/** The VRF output context of the calibration (a v2 modulo assignment's). */
const CTX = CORE_RANDOMNESS_CONTEXT_V2;
const CALIBRATION_KEYS = 32;
const CALIBRATION_PASSES = 15;
const CALIBRATION_MESSAGE_BYTES = 128;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * µs per call of each of `ops` on `crypto` (the run's implementation): one untimed pass over
 * `CALIBRATION_KEYS` inputs, then the fastest of `CALIBRATION_PASSES` passes. VRF operations as
 * vrf.ts runs them with the provider's `vrfVerify` and `agree` (a v2 modulo transcript and an
 * assigned-core extra). Every check is checked to accept (outside the timing).
 */
function calibrate(crypto: Crypto, ops: readonly CryptoOp[]): Partial<Record<CryptoOp, number>> {
  const rng = Prng.fromSeed(1).fork("scaling-calibration");
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => rng.int(256));
  const vrf = sr25519Vrf(bytes, crypto);
  const inputs = Array.from({ length: CALIBRATION_KEYS }, (_, i) => {
    const seed = bytes(32);
    const keypair = crypto.keypairFromSeed(seed);
    const message = bytes(CALIBRATION_MESSAGE_BYTES);
    const t = relayVrfModuloTranscriptV2(bytes(32));
    const extra = assignedCoreTranscript(i);
    const signed = crypto.kind === "sr25519" ? vrf.evaluate(keypair, t, CTX, extra) : null;
    return {
      seed,
      keypair,
      message,
      t,
      extra,
      signed,
      sig: crypto.sign(keypair.secretKey, message),
    };
  });
  type Input = (typeof inputs)[number];
  const run: Readonly<Record<CryptoOp, (x: Input) => unknown>> = {
    sign: (x) => crypto.sign(x.keypair.secretKey, x.message),
    verify: (x) => crypto.verify(x.message, x.sig, x.keypair.publicKey),
    keypair: (x) => crypto.keypairFromSeed(x.seed),
    vrfSign: (x) => vrf.evaluate(x.keypair, x.t, CTX, x.extra),
    vrfVerify: (x) =>
      vrf.verify(x.keypair.publicKey, x.t, CTX, x.signed!.output, x.signed!.proof, x.extra),
    vrfOutput: (x) => vrf.output(x.keypair, x.t, CTX),
  };
  for (const x of inputs) {
    if (!crypto.verify(x.message, x.sig, x.keypair.publicKey)) {
      throw new Error(`calibration: ${crypto.kind} rejects its own signature`);
    }
    if (ops.includes("vrfVerify") && run.vrfVerify(x) !== true) {
      throw new Error("calibration: the VRF check rejects a proof");
    }
  }
  const out: Partial<Record<CryptoOp, number>> = {};
  for (const op of ops) {
    const pass = (): number => {
      const t0 = performance.now();
      for (const x of inputs) run[op](x);
      return ((performance.now() - t0) * 1000) / inputs.length;
    };
    pass();
    out[op] = Math.min(...Array.from({ length: CALIBRATION_PASSES }, pass));
  }
  return out;
}

/** Passes of the erasure calibration (the fastest is kept). */
const ERASURE_CALIBRATION_PASSES = 5;

/** µs of one encoding (`obtain_chunks_v1` and `branches`) of `payloadBytes` random bytes among `n`. */
function calibrateErasure(n: number, payloadBytes: number): number {
  const rng = Prng.fromSeed(1).fork("scaling-erasure-calibration");
  const payload = Uint8Array.from({ length: payloadBytes }, () => rng.int(256));
  const pass = (): number => {
    const t0 = performance.now();
    const chunks = obtainChunks(n, payload);
    if (!chunks.ok) throw new Error(`erasure calibration: ${chunks.error.code}`);
    const tree = branches(chunks.value);
    for (let i = 0; i < n; i++) tree.proof(i);
    return (performance.now() - t0) * 1000;
  };
  pass();
  return Math.min(...Array.from({ length: ERASURE_CALIBRATION_PASSES }, pass));
}

/** The erasure coding counted inside the measured relay blocks. */
interface ErasureCounts {
  /** The validator count the encodings were for (the network's). */
  n: number;
  encodings: number;
  payloadBytes: number;
}

/** How each cell is run: its relay blocks, runs and load. */
interface ScalingRunParams {
  readonly relayBlocks: number;
  readonly warmupRelayBlocks: number;
  readonly runs: number;
  readonly txRefTimeUs: number;
  readonly txPerBlock: number;
  readonly txProofBytes: number;
}

/** What the parent hands a child (JSON on the command line). */
export interface ScalingCase extends ScalingCell, ScalingRunParams {
  readonly cores: number;
  readonly crypto: CryptoKind;
}

/** What a child prints (one JSON line). */
interface ScalingResult extends ScalingCell {
  readonly scenario: string;
  readonly cores: number;
  /** The smallest and largest validator group. */
  readonly groupSizes: readonly [number, number];
  readonly crypto: CryptoKind;
  /** `runScenario`'s wall time, per run. */
  readonly wallMs: readonly number[];
  /** The measured relay blocks' wall time, per run. */
  readonly windowMs: readonly number[];
  readonly relayBlocks: number;
  readonly warmupRelayBlocks: number;
  readonly slotMs: number;
  readonly peakRssBytes: number;
  readonly backed: number;
  readonly included: number;
  readonly violations: number;
  readonly traceHashes: readonly string[];
  /** The real operations inside the measured relay blocks (the last run; all runs alike). */
  readonly ops: OpCounts;
  /** µs per call of each counted operation (none with `none`). */
  readonly usPerOp: Partial<Record<CryptoOp, number>>;
  /** Σ ops x µs per relay block, ms; 0 with `none` (modelled signatures). */
  readonly floorMsPerBlock: number;
  /** The encodings inside the measured relay blocks (the last run). */
  readonly erasure: ErasureCounts;
  /** µs of one encoding of their mean payload (0 if none). */
  readonly erasureUsPerEncoding: number;
  /** encodings x µs per relay block, ms. */
  readonly erasureFloorMsPerBlock: number;
}

function scenarioOf(c: ScalingCase) {
  return polkadotScenario({
    validators: c.validators,
    paras: c.paras,
    cores: c.cores,
    crypto: c.crypto,
    relayBlocks: c.relayBlocks,
    warmupRelayBlocks: c.warmupRelayBlocks,
    txRefTimeUs: c.txRefTimeUs,
    txPerBlock: c.txPerBlock,
    txProofBytes: c.txProofBytes,
  });
}

/** The child: runs one cell `runs` times, calibrates, prints one JSON line. */
export function scalingChild(c: ScalingCase, provider: CryptoProvider): void {
  const scenario = scenarioOf(c);
  const groups = computeValidatorGroups(
    c.validators,
    hostConfigurationFromScenario(scenario.relay.hostConfiguration),
  ).map((g) => g.length);
  const counts = zeroCounts();
  const crypto = countingProvider(provider, counts);
  const total = c.warmupRelayBlocks + c.relayBlocks;
  let peakRss = 0;
  const wallMs: number[] = [];
  const windowMs: number[] = [];
  const traceHashes: string[] = [];
  let ops = zeroCounts();
  const encoded: ErasureCounts = { n: 0, encodings: 0, payloadBytes: 0 };
  let erasure: ErasureCounts = { ...encoded };
  let last: ReturnType<typeof runScenario>["report"] | undefined;
  for (let i = 0; i < c.runs; i++) {
    let start = 0;
    let end = 0;
    let before = zeroCounts();
    let erasureBefore: ErasureCounts = { ...encoded };
    const onRelayBlock = (number: number): void => {
      const rss = process.memoryUsage.rss();
      if (rss > peakRss) peakRss = rss;
      if (number === c.warmupRelayBlocks) {
        before = { ...counts };
        erasureBefore = { ...encoded };
        start = performance.now();
      }
      if (number === total) {
        end = performance.now();
        ops = Object.fromEntries(CRYPTO_OPS.map((op) => [op, counts[op] - before[op]])) as OpCounts;
        erasure = {
          n: encoded.n,
          encodings: encoded.encodings - erasureBefore.encodings,
          payloadBytes: encoded.payloadBytes - erasureBefore.payloadBytes,
        };
      }
    };
    const t0 = performance.now();
    const { report } = runScenario(scenario, {
      crypto,
      onRelayBlock,
      onAssignmentPublished: () => {
        counts.vrfSign++;
      },
      onErasureEncoded: (n, payloadBytes) => {
        encoded.n = n;
        encoded.encodings++;
        encoded.payloadBytes += payloadBytes;
      },
    });
    wallMs.push(performance.now() - t0);
    if (end === 0) throw new Error(`${cellName(c)}: the run ended before relay block ${total}`);
    windowMs.push(end - start);
    traceHashes.push(report.traceHash);
    last = report;
  }
  if (last === undefined) throw new Error("no run");
  // Only sr25519 has a real VRF; with ed25519 the assignments are the modelled PRF's.
  if (c.crypto !== "sr25519") {
    ops.vrfSign = 0;
  }
  const real = provider(c.crypto);
  const counted = CRYPTO_OPS.filter((op) => ops[op] > 0);
  const usPerOp = real.modelled ? {} : calibrate(real, counted);
  let floorUs = 0;
  for (const op of counted) floorUs += ops[op] * (usPerOp[op] ?? 0);
  const erasureUsPerEncoding =
    erasure.encodings === 0
      ? 0
      : calibrateErasure(erasure.n, Math.round(erasure.payloadBytes / erasure.encodings));
  const { backed, included } = backedAndIncluded(last.paras);
  const result: ScalingResult = {
    validators: c.validators,
    paras: c.paras,
    scenario: scenario.name,
    cores: c.cores,
    groupSizes: [Math.min(...groups), Math.max(...groups)],
    crypto: c.crypto,
    wallMs,
    windowMs,
    relayBlocks: c.relayBlocks,
    warmupRelayBlocks: c.warmupRelayBlocks,
    slotMs: scenario.relay.slotDurationMs,
    peakRssBytes: peakRss,
    backed,
    included,
    violations: last.safety.violations.length,
    traceHashes,
    ops,
    usPerOp,
    floorMsPerBlock: real.modelled ? 0 : floorUs / 1000 / c.relayBlocks,
    erasure,
    erasureUsPerEncoding,
    erasureFloorMsPerBlock: (erasure.encodings * erasureUsPerEncoding) / 1000 / c.relayBlocks,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export interface ScalingOptions extends ScalingRunParams {
  /** bench/main.ts, started again as each child with `--scaling-child`. */
  readonly script: string;
  readonly v8Flags: readonly string[];
  readonly cells: readonly ScalingCell[];
  readonly coresRule: ScalingCores;
  readonly modes: readonly CryptoKind[];
  readonly json: boolean;
}

function wallPerBlock(r: ScalingResult): number {
  return median(r.windowMs) / r.relayBlocks;
}

/** The most speedup the run's real work allows: the slot over its crypto and erasure floors. */
function ceiling(r: ScalingResult): number {
  return r.slotMs / (r.floorMsPerBlock + r.erasureFloorMsPerBlock);
}

function groupsOfFive(r: ScalingResult): boolean {
  return r.groupSizes[0] === POLKADOT_GROUP_SIZE && r.groupSizes[1] === POLKADOT_GROUP_SIZE;
}

/** `--json`: the keys of the other rows, then the cell's. */
function jsonRow(r: ScalingResult): Record<string, string | number> {
  const perBlock = wallPerBlock(r);
  return {
    scenario: r.scenario,
    crypto: r.crypto,
    runs: r.windowMs.length,
    relayBlocks: r.warmupRelayBlocks + r.relayBlocks,
    speedup: Math.round((r.slotMs / perBlock) * 10) / 10,
    wallMsMedian: Math.round(median(r.wallMs)),
    peakRssMiB: Math.round(r.peakRssBytes / MIB),
    backed: r.backed,
    included: r.included,
    violations: r.violations,
    validators: r.validators,
    paras: r.paras,
    cores: r.cores,
    groupSize: r.groupSizes[0],
    wallMsPerBlock: Math.round(perBlock * 10) / 10,
    cryptoFloorMs: Math.round(r.floorMsPerBlock * 10) / 10,
    erasureFloorMs: Math.round(r.erasureFloorMsPerBlock * 10) / 10,
    ceiling: Math.round(ceiling(r) * 10) / 10,
  };
}

/** The parent: one child per cell and mode, then the table, the fits and the ratios. */
export function scalingBench(o: ScalingOptions): void {
  const say = o.json ? (text: string) => process.stderr.write(`${text}\n`) : console.log;
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  say(
    `parapipe bench (scaling): node ${process.version} ${o.v8Flags.join(" ")}, ${cpu}, one core per run (sequential)\n` +
      `The Polkadot-sized network (bench/polkadot.ts) at validators x paras, one core per para, cores: ${o.coresRule} ` +
      `(${o.coresRule === "groups" ? "one per group of 5, at least one per para" : "one per para"}); ` +
      `${o.relayBlocks} measured + ${o.warmupRelayBlocks} warm-up relay blocks, ${o.runs} run(s) per cell and mode;\n` +
      `  load per para and relay block: ${o.txPerBlock === 0 ? "saturated pools" : `${o.txPerBlock} txs`}, ` +
      `${o.txRefTimeUs} µs and ${o.txProofBytes} PoV bytes each.`,
  );
  const results: ScalingResult[] = [];
  const started = performance.now();
  for (const crypto of o.modes) {
    for (const cell of o.cells) {
      const c: ScalingCase = {
        ...cell,
        cores: scalingCores(cell, o.coresRule),
        crypto,
        relayBlocks: o.relayBlocks,
        warmupRelayBlocks: o.warmupRelayBlocks,
        runs: o.runs,
        txRefTimeUs: o.txRefTimeUs,
        txPerBlock: o.txPerBlock,
        txProofBytes: o.txProofBytes,
      };
      process.stderr.write(`  running ${cellName(cell)} / ${crypto} (${o.runs} run(s))...\n`);
      const r = spawnSync(
        process.execPath,
        [...o.v8Flags, "--import", "tsx", o.script, "--scaling-child", JSON.stringify(c)],
        { encoding: "utf8", maxBuffer: 64 * MIB, stdio: ["ignore", "pipe", "inherit"] },
      );
      if (r.status !== 0) {
        throw new Error(`${cellName(cell)}/${crypto}: child exited with ${r.status}`);
      }
      const line = r.stdout.trim().split("\n").pop() ?? "";
      results.push(JSON.parse(line) as ScalingResult);
    }
  }
  const totalS = (performance.now() - started) / 1000;
  if (o.json) {
    for (const r of results) console.log(JSON.stringify(jsonRow(r)));
  } else {
    printTable(
      [
        "validators",
        "paras",
        "cores",
        "group",
        "crypto",
        "relay blocks",
        "wall ms/block (median)",
        "min..max",
        "speedup x",
        "peak RSS MiB",
        "backed/included",
        "viol.",
        "crypto floor ms/block",
        "erasure floor ms/block",
        "ceiling x",
        "same trace",
      ],
      results.map((r) => {
        const perBlock = r.windowMs.map((w) => w / r.relayBlocks);
        const [gMin, gMax] = r.groupSizes;
        return [
          String(r.validators),
          String(r.paras),
          String(r.cores),
          gMin === gMax ? String(gMin) : `${gMin}-${gMax}`,
          r.crypto,
          `${r.relayBlocks} + ${r.warmupRelayBlocks}`,
          wallPerBlock(r).toFixed(0),
          `${Math.min(...perBlock).toFixed(0)}..${Math.max(...perBlock).toFixed(0)}`,
          (r.slotMs / wallPerBlock(r)).toFixed(1),
          (r.peakRssBytes / MIB).toFixed(0),
          `${r.backed}/${r.included}`,
          String(r.violations),
          r.crypto === "none" ? "0 (modelled)" : r.floorMsPerBlock.toFixed(1),
          r.erasureFloorMsPerBlock.toFixed(1),
          ceiling(r).toFixed(1),
          new Set(r.traceHashes).size === 1 ? "yes" : "NO",
        ];
      }),
    );
    console.log(
      "wall ms/block: the measured relay blocks' wall time (after the warm-up ones) / their number, " +
        "median over the runs; speedup = the 6 s slot / that; backed/included: over all paras and " +
        `relay blocks (warm-up included). Bench total ${totalS.toFixed(0)} s wall.`,
    );
    const small = results.filter((r) => !groupsOfFive(r));
    if (small.length > 0) {
      console.log(
        `Groups smaller than 5 in ${[...new Set(small.map(cellName))].join(", ")}: fewer than 5 validators ` +
          "per para, so polkadot-sdk makes one group per core (max(numCores, validators / 5) groups); " +
          "left out of the fits.",
      );
    }
    for (const r of results.filter((x) => x.crypto !== "none")) {
      const terms = CRYPTO_OPS.filter((op) => r.ops[op] > 0).map(
        (op) =>
          `${(r.ops[op] / r.relayBlocks).toFixed(0)} ${OP_NAMES[op]} x ${(r.usPerOp[op] ?? 0).toFixed(0)} µs`,
      );
      console.log(
        `crypto floor ${cellName(r)} / ${r.crypto}, per relay block: ${terms.join(" + ") || "nothing"} ` +
          `= ${r.floorMsPerBlock.toFixed(1)} ms`,
      );
    }
    for (const r of results) {
      const e = r.erasure;
      console.log(
        `erasure floor ${cellName(r)} / ${r.crypto}, per relay block: ` +
          `${(e.encodings / r.relayBlocks).toFixed(1)} encodings of ${(e.encodings === 0 ? 0 : e.payloadBytes / e.encodings / 1024).toFixed(1)} KiB ` +
          `among ${e.n} validators x ${(r.erasureUsPerEncoding / 1000).toFixed(2)} ms = ${r.erasureFloorMsPerBlock.toFixed(1)} ms; ` +
          `ceiling ${ceiling(r).toFixed(1)}x real time`,
      );
    }
  }
  for (const line of summary(results, o.modes)) say(line);
}

/** The fitted growth and the issue's ratios, per crypto mode. */
function summary(results: readonly ScalingResult[], modes: readonly CryptoKind[]): string[] {
  const lines: string[] = [];
  for (const crypto of modes) {
    const rs = results.filter((r) => r.crypto === crypto);
    const fitted = rs.filter(groupsOfFive);
    lines.push(
      `\nfitted growth of wall ms per relay block (${crypto}; wall = a x n^b, least squares on log-log, groups of 5 only):`,
    );
    const fits = (
      fixed: "paras" | "validators",
      varying: "validators" | "paras",
    ): string | null => {
      const parts: string[] = [];
      for (const k of [...new Set(fitted.map((r) => r[fixed]))].sort((a, b) => a - b)) {
        const at = fitted.filter((r) => r[fixed] === k).sort((a, b) => a[varying] - b[varying]);
        const b = fitExponent(at.map((r) => ({ x: r[varying], y: wallPerBlock(r) })));
        if (b === null) continue;
        parts.push(`${k} ${fixed}: b = ${b.toFixed(2)} (${at.map((r) => r[varying]).join(", ")})`);
      }
      return parts.length === 0 ? null : `  in ${varying}, at ${parts.join("; ")}`;
    };
    lines.push(
      fits("paras", "validators") ?? "  in validators: no two cells with the same paras",
      fits("validators", "paras") ?? "  in paras: no two cells with the same validators",
    );
    lines.push(`done when (issue 21), ${crypto}:`);
    for (const t of SCALING_TARGETS) {
      const find = (c: ScalingCell) =>
        rs.find((r) => r.validators === c.validators && r.paras === c.paras);
      const over = find(t.over);
      const base = find(t.base);
      const what = `  ${cellName(t.over)} / ${cellName(t.base)}`;
      if (over === undefined || base === undefined) {
        lines.push(`${what}: not measured (needs both cells), at most ${t.max}`);
        continue;
      }
      const ratio = wallPerBlock(over) / wallPerBlock(base);
      lines.push(
        `${what} = ${ratio.toFixed(2)} (at most ${t.max}): ${ratio <= t.max ? "PASS" : "FAIL"}`,
      );
    }
  }
  return lines;
}
