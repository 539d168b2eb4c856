/**
 * The run report of SCENARIO.md, computed from what the simulated relay chain emitted (its
 * inclusion events) and what the collators authored. Every figure is measured from the run:
 * nothing is copied from the configuration.
 *
 * Windows: the measured blocks are `warmupRelayBlocks + 1 .. warmupRelayBlocks + relayBlocks`
 * (genesis is block 0); `backedPer15RelayBlocks` counts `CandidateBacked` events in every
 * half-open window [w, w + 15) lying fully inside them. Approval figures are over the candidates
 * included in the measured blocks, finality lag over the samples taken at them.
 */
import type { AppliedFault } from "../config/faults.ts";
import type { Generation } from "../config/generation.ts";
import type { Hash } from "../lib/hex.ts";
import type { ApprovalRecord } from "../sim/approval-records.ts";
import type { FinalitySample } from "../sim/finality.ts";
import { judgeLiveness, type ParaLiveness } from "../sim/liveness.ts";
import type { AuthoredBlockRecord, InclusionEventRecord } from "../sim/records.ts";

/** One relay-runtime inclusion event, as the simulator records it (its head hash is not printed). */
export type ReportEvent = InclusionEventRecord;

/** What the report needs of an authored para block. */
export type BlockFacts = Pick<
  AuthoredBlockRecord,
  | "paraId"
  | "headHash"
  | "parentHeadHash"
  | "number"
  | "timestampMs"
  | "weightUs"
  | "authoredAtUs"
  | "transactions"
  | "povBytes"
  | "poolCursor"
>;

/** One included candidate's approval, and one finality sample, as the simulator records them. */
export type { ApprovalRecord } from "../sim/approval-records.ts";
export type { FinalitySample } from "../sim/finality.ts";

export interface Stats {
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export interface ParaReport {
  readonly backed: number;
  readonly included: number;
  readonly timedOut: number;
  readonly blockTimeMs: Stats | null;
  readonly inclusionIntervalMs: number | null;
  /**
   * Availability time of the candidates included in the measured blocks: from the slot start of
   * the relay block that carried their `CandidateBacked` to that of the one that carried their
   * `CandidateIncluded` (a multiple of the relay slot: 6000 ms when included in the next block).
   */
  readonly availabilityMs: { readonly mean: number; readonly p95: number } | null;
  /**
   * For the candidates backed in the measured blocks: chunk fetches answered with a chunk, and the
   * bytes of their PoVs (collation and PoV fetches) and chunk responses carried over the network.
   */
  readonly availability: { readonly chunksFetched: number; readonly bytesMoved: number };
  /**
   * Approval time of the candidates included in the measured blocks and approved by the run's
   * end: from the slot start of the relay block that carried their `CandidateIncluded` to their
   * approval, in the view of the author of the next relay block.
   */
  readonly approvalMs: { readonly mean: number; readonly p95: number } | null;
  /**
   * For the same candidates: the last tranche each approval needed (over the approved ones), the
   * no-shows counted (summed over all, approved or not), how many were not approved by the run's
   * end, and each candidate's own figures (by inclusion block, then in the order recorded).
   */
  readonly approval: {
    readonly tranchesNeeded: { readonly mean: number; readonly max: number } | null;
    readonly noShows: number;
    readonly unapproved: number;
    readonly candidates: readonly Omit<ApprovalRecord, "paraId">[];
  };
  readonly backedPer15RelayBlocks: {
    readonly min: number;
    readonly max: number;
    readonly windows: number;
  } | null;
  readonly executionMsPerBlock: { readonly mean: number } | null;
  readonly executionMsPerRelayBlock: number;
  readonly unincludedSegment: { readonly mean: number; readonly max: number };
  /**
   * Para blocks authored during the measured relay slots, and how many of them forked: built on a
   * parent that already had an authored child (two collators on one parent, e.g. at an Aura
   * author handover when the next author has not imported the last block yet).
   */
  readonly authored: { readonly blocks: number; readonly forks: number };
  /**
   * The collators' wasted work: of the blocks authored in the measured slots, those never included
   * although a block of their height or higher was (lost forks, dropped candidates). Blocks above
   * the last included height are still in flight at the end of the run and are not counted.
   */
  readonly wastedBlocks: number;
  /** The configured maximum execution of a block (`maximumBlockWeightMs`), beside the measured. */
  readonly maxExecutionMsPerBlock: number;
  /** Transactions in the blocks included during the measured time, per second of it. */
  readonly transactionsPerSecond: number;
  /** The included blocks' PoV size as a share of `maxPovSize` (0..1). */
  readonly povShareOfMax: { readonly mean: number; readonly max: number } | null;
  /**
   * From a transaction's arrival in the pool to the slot start of the relay block that included
   * its block, over the transactions of the blocks included during the measured time; null under
   * a saturating load (every transaction is there from the start, so the figure means nothing).
   */
  readonly txLatencyMs: { readonly mean: number; readonly p95: number } | null;
}

export interface RunReportInput {
  readonly name: string;
  readonly seed: number;
  readonly relayBlocks: number;
  readonly warmupRelayBlocks: number;
  readonly slotDurationMs: number;
  /**
   * The slot relay block `number` was authored in; absent: `number` (no empty slots). With
   * crashed slot authors a slot may stay empty, and `relayBlocks`, `warmupRelayBlocks` and the
   * measured window count slots while events name block numbers (docs/simulator.md "Faults").
   */
  readonly relaySlotOf?: (number: number) => number | undefined;
  /** Which polkadot-sdk node and collator rules ran. */
  readonly generation: Generation;
  readonly paraIds: readonly number[];
  /** Each para's configured `maximumBlockWeightMs`, by para id. */
  readonly maxExecutionMsPerBlock: ReadonlyMap<number, number>;
  /** The relay chain's `maxPovSize`, bytes. */
  readonly maxPovSizeBytes: number;
  /**
   * Per para, a source of readers of the arrival time (µs) of pool transaction i; absent under a
   * saturating load. A reader is read in increasing order of transaction (the pool replays its
   * seeded sequence: `TxPool.arrivalReader`); the report takes one reader per pass.
   */
  readonly txArrivalUs: ReadonlyMap<number, () => (i: number) => number>;
  readonly events: readonly ReportEvent[];
  /** Authored blocks by head hash. */
  readonly blocks: ReadonlyMap<Hash, BlockFacts>;
  /** What the network carried for each candidate's availability (absent: nothing recorded). */
  readonly traffic?: ReadonlyMap<Hash, { readonly chunks: number; readonly bytes: number }>;
  /** Each included candidate's approval (absent: approval checking not recorded). */
  readonly approvals?: readonly ApprovalRecord[];
  /** The finality lag at each relay block produced (absent: finality not recorded). */
  readonly finality?: readonly FinalitySample[];
  /** The faults the run applied, as `scenarioFaults` gives them (absent: none). */
  readonly faults?: readonly AppliedFault[];
  /** The liveness bound, relay slots (`livenessRelayBlocks`; absent: `parasAvailabilityPeriod + 3` of the default, 13). */
  readonly livenessRelayBlocks?: number;
  /** The slot of relay block `n` (absent: block n is slot n, one block per slot). */
  readonly slotOf?: (relayBlock: number) => number;
}

export interface RunReport {
  readonly generation: Generation;
  readonly name: string;
  readonly seed: number;
  readonly relayBlocks: number;
  readonly warmupRelayBlocks: number;
  readonly virtualMs: number;
  /**
   * Best minus finalized relay block number (and the matching time), over the samples taken at
   * the measured blocks; null when none was recorded.
   */
  readonly finality: {
    readonly lagBlocks: { readonly mean: number; readonly max: number };
    readonly lagMs: { readonly mean: number; readonly max: number };
  } | null;
  readonly paras: Readonly<Record<string, ParaReport>>;
  /** The faults applied (the plan's draws included), `until = at + for`. */
  readonly faults: readonly AppliedFault[];
  /**
   * Per para: its stalls in the measured slots, the slots it took to include again after the
   * last fault ended, and why liveness failed for it (null: it holds). `src/sim/liveness.ts`.
   */
  readonly liveness: Readonly<Record<string, ParaLiveness>>;
  readonly events: readonly Omit<ReportEvent, "headHash">[];
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Nearest-rank percentile of a sorted list. */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function stats(values: readonly number[]): Stats | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return {
    mean: round3(mean),
    p50: round3(percentile(sorted, 50)),
    p95: round3(percentile(sorted, 95)),
    max: round3(sorted[sorted.length - 1]!),
  };
}

/** Width of `streamedMeanP95`'s first-pass buckets, in thousandths of a value (2^16). */
const P95_BUCKET = 65_536;

/**
 * `stats(values)`' mean and p95 without holding the values (a long run's transactions would not
 * fit): `pass` visits the same values in the same order each time it is called, and is called
 * twice. The mean is the same sum in the same order. The p95 is exact: `round3` is monotone, so
 * the rounded nearest-rank percentile is the rank-th smallest of the rounded values (integers in
 * thousandths); the first pass counts them in buckets of `P95_BUCKET`, the second counts each
 * value of the bucket holding that rank.
 */
export function streamedMeanP95(
  pass: (visit: (x: number) => void) => void,
): { readonly mean: number; readonly p95: number } | null {
  let n = 0;
  let sum = 0;
  const buckets = new Map<number, number>();
  pass((x) => {
    n++;
    sum += x;
    const b = Math.floor(Math.round(x * 1000) / P95_BUCKET);
    buckets.set(b, (buckets.get(b) ?? 0) + 1);
  });
  if (n === 0) return null;
  // `percentile`'s rank, then the bucket holding it and the rank within that bucket.
  let rank = Math.max(1, Math.ceil((95 / 100) * n));
  let bucket = 0;
  for (const b of [...buckets.keys()].sort((x, y) => x - y)) {
    const count = buckets.get(b)!;
    if (rank <= count) {
      bucket = b;
      break;
    }
    rank -= count;
  }
  const values = new Map<number, number>();
  pass((x) => {
    const k = Math.round(x * 1000);
    if (Math.floor(k / P95_BUCKET) === bucket) values.set(k, (values.get(k) ?? 0) + 1);
  });
  let p95 = 0;
  for (const k of [...values.keys()].sort((x, y) => x - y)) {
    p95 = k;
    rank -= values.get(k)!;
    if (rank <= 0) break;
  }
  return { mean: round3(sum / n), p95: p95 / 1000 };
}

/** The slot relay block `n` was authored in (`RunReportInput.relaySlotOf`). */
function slotOfBlock(input: Pick<RunReportInput, "relaySlotOf">, n: number): number {
  return input.relaySlotOf?.(n) ?? n;
}

/** Whether relay block `n` is one of the measured blocks (authored in the measured slots). */
function isMeasured(
  input: Pick<RunReportInput, "warmupRelayBlocks" | "relayBlocks" | "relaySlotOf">,
  n: number,
) {
  const slot = slotOfBlock(input, n);
  return slot > input.warmupRelayBlocks && slot <= input.warmupRelayBlocks + input.relayBlocks;
}

/** What the per-block series need of a run's input: its measured range and its records. */
export type RunRecords = Pick<
  RunReportInput,
  "warmupRelayBlocks" | "relayBlocks" | "slotDurationMs" | "events" | "blocks" | "relaySlotOf"
>;

/** One included block's block time: the Aura timestamp gap to the block included before it. */
export interface BlockTimePoint {
  /** The relay block whose `CandidateIncluded` included it. */
  readonly relayBlock: number;
  /** The para block's number. */
  readonly number: number;
  readonly ms: number;
}

/**
 * Block times (`ParaReport.blockTimeMs`' values, in order): for each block included in the
 * measured relay blocks, its Aura timestamp minus that of the block included before it (the
 * included chain, in order).
 */
export function includedBlockTimes(input: RunRecords, paraId: number): BlockTimePoint[] {
  const included = input.events.filter(
    (e) => e.paraId === paraId && e.type === "CandidateIncluded",
  );
  const out: BlockTimePoint[] = [];
  for (let i = 1; i < included.length; i++) {
    const cur = included[i]!;
    if (!isMeasured(input, cur.relayBlock)) continue;
    const a = input.blocks.get(included[i - 1]!.headHash);
    const b = input.blocks.get(cur.headHash);
    if (a && b)
      out.push({ relayBlock: cur.relayBlock, number: b.number, ms: b.timestampMs - a.timestampMs });
  }
  return out;
}

/**
 * The unincluded segment's depth at the start of each measured relay slot
 * (`ParaReport.unincludedSegment`' values): the para blocks already authored that are included
 * only in a later relay block (or in the one that slot produces).
 */
export function unincludedSegmentDepths(
  input: RunRecords,
  paraId: number,
): { readonly relayBlock: number; readonly depth: number }[] {
  const first = input.warmupRelayBlocks + 1;
  const last = input.warmupRelayBlocks + input.relayBlocks;
  const inclusionBlock = new Map<Hash, number>();
  for (const e of input.events) {
    if (e.paraId === paraId && e.type === "CandidateIncluded" && e.headHash) {
      inclusionBlock.set(e.headHash, e.relayBlock);
    }
  }
  const out: { relayBlock: number; depth: number }[] = [];
  for (let n = first; n <= last; n++) {
    const slotStartUs = n * input.slotDurationMs * 1000;
    let depth = 0;
    for (const [hash, at] of inclusionBlock) {
      const f = input.blocks.get(hash);
      if (f && f.authoredAtUs <= slotStartUs && slotOfBlock(input, at) >= n) depth++;
    }
    out.push({ relayBlock: n, depth });
  }
  return out;
}

function paraReport(input: RunReportInput, paraId: number): ParaReport {
  const first = input.warmupRelayBlocks + 1;
  const last = input.warmupRelayBlocks + input.relayBlocks;
  const measured = (e: ReportEvent) => e.paraId === paraId && isMeasured(input, e.relayBlock);
  const ofPara = input.events.filter((e) => e.paraId === paraId);
  const backed = ofPara.filter((e) => measured(e) && e.type === "CandidateBacked");
  const included = ofPara.filter((e) => measured(e) && e.type === "CandidateIncluded");
  const timedOut = ofPara.filter((e) => measured(e) && e.type === "CandidateTimedOut");
  const measuredMs = input.relayBlocks * input.slotDurationMs;

  const allIncluded = ofPara.filter((e) => e.type === "CandidateIncluded");
  const facts = (e: ReportEvent) => (e.headHash ? input.blocks.get(e.headHash) : undefined);
  const blockTimes = includedBlockTimes(input, paraId).map((b) => b.ms);

  // Backed per window of 15 relay blocks, fully inside the measured range.
  const windows: number[] = [];
  for (let w = first; w + 15 - 1 <= last; w += 15) {
    windows.push(
      backed.filter((e) => {
        const slot = slotOfBlock(input, e.relayBlock);
        return slot >= w && slot < w + 15;
      }).length,
    );
  }

  const weights = included
    .map((e) => facts(e)?.weightUs)
    .filter((w): w is number => w !== undefined);
  const totalExecutionMs = weights.reduce((s, w) => s + w, 0) / 1000;

  const depths = unincludedSegmentDepths(input, paraId).map((d) => d.depth);

  const authored = authoredBlocks(input, paraId);
  return {
    backed: backed.length,
    included: included.length,
    timedOut: timedOut.length,
    blockTimeMs: stats(blockTimes),
    inclusionIntervalMs: included.length > 0 ? round3(measuredMs / included.length) : null,
    availabilityMs: availabilityTimes(input, ofPara, included),
    availability: availabilityTraffic(input, backed),
    ...approvalFigures(input, paraId),
    backedPer15RelayBlocks:
      windows.length > 0
        ? { min: Math.min(...windows), max: Math.max(...windows), windows: windows.length }
        : null,
    executionMsPerBlock:
      weights.length > 0 ? { mean: round3(totalExecutionMs / weights.length) } : null,
    executionMsPerRelayBlock: round3(totalExecutionMs / input.relayBlocks),
    unincludedSegment: {
      mean: depths.length > 0 ? round3(depths.reduce((s, d) => s + d, 0) / depths.length) : 0,
      max: depths.length > 0 ? Math.max(...depths) : 0,
    },
    authored,
    wastedBlocks: wastedBlocks(input, paraId, allIncluded),
    maxExecutionMsPerBlock: input.maxExecutionMsPerBlock.get(paraId) ?? 0,
    ...loadFigures(input, paraId, included),
  };
}

/** `ParaReport.availability` (see there). */
function availabilityTraffic(
  input: RunReportInput,
  backed: readonly ReportEvent[],
): ParaReport["availability"] {
  let chunksFetched = 0;
  let bytesMoved = 0;
  for (const e of backed) {
    const t = input.traffic?.get(e.candidateHash);
    if (t === undefined) continue;
    chunksFetched += t.chunks;
    bytesMoved += t.bytes;
  }
  return { chunksFetched, bytesMoved };
}

/** `ParaReport.availabilityMs` (see there). */
function availabilityTimes(
  input: RunReportInput,
  ofPara: readonly ReportEvent[],
  included: readonly ReportEvent[],
): ParaReport["availabilityMs"] {
  const backedIn = new Map<Hash, number>();
  for (const e of ofPara)
    if (e.type === "CandidateBacked") backedIn.set(e.candidateHash, e.relayBlock);
  const times: number[] = [];
  for (const e of included) {
    const b = backedIn.get(e.candidateHash);
    if (b !== undefined)
      times.push((slotOfBlock(input, e.relayBlock) - slotOfBlock(input, b)) * input.slotDurationMs);
  }
  const s = stats(times);
  return s === null ? null : { mean: s.mean, p95: s.p95 };
}

/**
 * `ParaReport.approvalMs` and `ParaReport.approval` (see there): the para's approval records of
 * the candidates included in the measured blocks, the window `availabilityMs` reads.
 */
function approvalFigures(
  input: RunReportInput,
  paraId: number,
): Pick<ParaReport, "approvalMs" | "approval"> {
  const records = (input.approvals ?? [])
    .filter((a) => a.paraId === paraId && isMeasured(input, a.includedAtBlock))
    .sort((a, b) => a.includedAtBlock - b.includedAtBlock); // stable: input order within a block
  const times = stats(records.flatMap((a) => (a.approvalMs === null ? [] : [a.approvalMs])));
  const tranches = stats(
    records.flatMap((a) => (a.tranchesNeeded === null ? [] : [a.tranchesNeeded])),
  );
  return {
    approvalMs: times === null ? null : { mean: times.mean, p95: times.p95 },
    approval: {
      tranchesNeeded: tranches === null ? null : { mean: tranches.mean, max: tranches.max },
      noShows: records.reduce((n, a) => n + a.noShows, 0),
      unapproved: records.filter((a) => a.approvalMs === null).length,
      candidates: records.map((a) => ({
        includedAtBlock: a.includedAtBlock,
        candidateHash: a.candidateHash,
        approvalMs: a.approvalMs,
        tranchesNeeded: a.tranchesNeeded,
        noShows: a.noShows,
      })),
    },
  };
}

/** `RunReport.finality` (see there). */
function finalityLag(input: RunReportInput): RunReport["finality"] {
  const samples = (input.finality ?? []).filter((f) => isMeasured(input, f.relayBlock));
  const blocks = stats(samples.map((f) => f.lagBlocks));
  const ms = stats(samples.map((f) => f.lagMs));
  if (blocks === null || ms === null) return null;
  return {
    lagBlocks: { mean: blocks.mean, max: blocks.max },
    lagMs: { mean: ms.mean, max: ms.max },
  };
}

/** `transactionsPerSecond`, `povShareOfMax` and `txLatencyMs` of the included blocks. */
function loadFigures(
  input: RunReportInput,
  paraId: number,
  included: readonly ReportEvent[],
): Pick<ParaReport, "transactionsPerSecond" | "povShareOfMax" | "txLatencyMs"> {
  const facts = included
    .map((e) => ({ e, b: e.headHash ? input.blocks.get(e.headHash) : undefined }))
    .filter((x): x is { e: ReportEvent; b: BlockFacts } => x.b !== undefined);
  const transactions = facts.reduce((n, { b }) => n + b.transactions, 0);
  const shares = facts.map(({ b }) => b.povBytes / input.maxPovSizeBytes);
  const arrivals = input.txArrivalUs.get(paraId);
  // One pass over the latencies (ms) of the included blocks' transactions, in inclusion order.
  const latencies = (visit: (ms: number) => void): void => {
    const arrival = arrivals!();
    for (const { e, b } of facts) {
      const includedAtUs = slotOfBlock(input, e.relayBlock) * input.slotDurationMs * 1000;
      const first = input.blocks.get(b.parentHeadHash)?.poolCursor ?? 0;
      for (let i = first; i < b.poolCursor; i++) visit((includedAtUs - arrival(i)) / 1000);
    }
  };
  const lat = arrivals === undefined ? null : streamedMeanP95(latencies);
  return {
    transactionsPerSecond: round3(
      transactions / ((input.relayBlocks * input.slotDurationMs) / 1000),
    ),
    povShareOfMax:
      shares.length > 0
        ? {
            mean: round3(shares.reduce((a, x) => a + x, 0) / shares.length),
            max: round3(Math.max(...shares)),
          }
        : null,
    txLatencyMs: lat === null ? null : { mean: lat.mean, p95: lat.p95 },
  };
}

/** `ParaReport.wastedBlocks` (see there). */
function wastedBlocks(
  input: RunReportInput,
  paraId: number,
  included: readonly ReportEvent[],
): number {
  const includedHeads = new Set<Hash>();
  let highest = -1;
  for (const e of included) {
    if (!e.headHash) continue;
    includedHeads.add(e.headHash);
    const n = input.blocks.get(e.headHash)?.number;
    if (n !== undefined && n > highest) highest = n;
  }
  const fromUs = (input.warmupRelayBlocks + 1) * input.slotDurationMs * 1000;
  const toUs = (input.warmupRelayBlocks + input.relayBlocks + 1) * input.slotDurationMs * 1000;
  let wasted = 0;
  for (const b of input.blocks.values()) {
    if (b.paraId !== paraId || b.authoredAtUs < fromUs || b.authoredAtUs >= toUs) continue;
    if (b.number <= highest && !includedHeads.has(b.headHash)) wasted++;
  }
  return wasted;
}

/** `ParaReport.authored`: blocks authored in the measured slots, and the forks among them. */
function authoredBlocks(input: RunReportInput, paraId: number): ParaReport["authored"] {
  const fromUs = (input.warmupRelayBlocks + 1) * input.slotDurationMs * 1000;
  const toUs = (input.warmupRelayBlocks + input.relayBlocks + 1) * input.slotDurationMs * 1000;
  const ofPara = [...input.blocks.values()]
    .filter((b) => b.paraId === paraId)
    .sort((a, b) => a.authoredAtUs - b.authoredAtUs);
  const parents = new Set<Hash>();
  let blocks = 0;
  let forks = 0;
  for (const b of ofPara) {
    const fork = parents.has(b.parentHeadHash);
    parents.add(b.parentHeadHash);
    if (b.authoredAtUs < fromUs || b.authoredAtUs >= toUs) continue;
    blocks++;
    if (fork) forks++;
  }
  return { blocks, forks };
}

/** `RunReport.liveness`: the inclusions as (block, slot), judged in slots over the measured ones. */
function liveness(input: RunReportInput): RunReport["liveness"] {
  const slotOf = input.slotOf ?? ((n: number) => n);
  const inclusions = new Map<number, { relayBlock: number; slot: number }[]>();
  for (const e of input.events) {
    if (e.type !== "CandidateIncluded") continue;
    const list = inclusions.get(e.paraId) ?? [];
    list.push({ relayBlock: e.relayBlock, slot: slotOf(e.relayBlock) });
    inclusions.set(e.paraId, list);
  }
  const judged = judgeLiveness({
    inclusions,
    paraIds: input.paraIds,
    faults: input.faults ?? [],
    livenessRelayBlocks: input.livenessRelayBlocks ?? DEFAULT_LIVENESS_RELAY_BLOCKS,
    measured: {
      fromSlot: input.warmupRelayBlocks + 1,
      toSlot: input.warmupRelayBlocks + input.relayBlocks,
    },
  });
  return Object.fromEntries([...judged].map(([id, l]) => [String(id), l]));
}

/** `parasAvailabilityPeriod + 3` with polkadot-sdk's default period of 10 (the scenario gives its own). */
const DEFAULT_LIVENESS_RELAY_BLOCKS = 13;

export function buildRunReport(input: RunReportInput): RunReport {
  const paras: Record<string, ParaReport> = {};
  for (const id of input.paraIds) paras[String(id)] = paraReport(input, id);
  return {
    generation: input.generation,
    name: input.name,
    seed: input.seed,
    relayBlocks: input.relayBlocks,
    warmupRelayBlocks: input.warmupRelayBlocks,
    virtualMs: (input.warmupRelayBlocks + input.relayBlocks) * input.slotDurationMs,
    finality: finalityLag(input),
    paras,
    faults: input.faults ?? [],
    liveness: liveness(input),
    events: input.events.map(({ headHash: _h, ...e }) => e),
  };
}
