/**
 * The series the HTML report draws, taken from a run's records (`src/sim/records.ts`: the
 * authored para blocks with the virtual time each was authored, the inclusion events with their
 * relay block) once the run is over, so the world need not be kept. Small plain data: what a
 * report needs and nothing else.
 *
 * - The pipeline of each para block of the included chain, in relay blocks (relay block n is
 *   produced at the start of slot n, virtual time n x the slot duration): building (the block's
 *   execution, its weight, ending when the collator authored it), backing (until the relay block
 *   whose `CandidateBacked` event backed it) and inclusion (until the relay block whose
 *   `CandidateIncluded` event included it), as the async backing docs draw generation, backing
 *   and inclusion against relay blocks.
 * - The block time of each included block and the unincluded segment's depth per relay block,
 *   computed by the same functions as the run report's figures (`run-report.ts`).
 *
 * Invariants: a function of the records only (deterministic); the pipeline rows are the blocks
 * authored in the window, in block-number order.
 */
import type { Generation } from "../../config/generation.ts";
import {
  type BlockTimePoint,
  includedBlockTimes,
  type RunRecords,
  unincludedSegmentDepths,
} from "../run-report.ts";

/** Relay blocks of the measured range the pipeline chart shows (from its first). */
export const PIPELINE_WINDOW_RELAY_BLOCKS = 24;

/** One para block of the included chain, its stages in relay blocks (fractions of a slot). */
export interface PipelineBlock {
  readonly number: number;
  /** When building started: authored minus the block's execution (its weight). */
  readonly buildFrom: number;
  /** When the collator authored it. */
  readonly authored: number;
  /** The relay block whose `CandidateBacked` event backed it (null: no such event recorded). */
  readonly backed: number | null;
  /** The relay block whose `CandidateIncluded` event included it. */
  readonly included: number;
}

export interface ParaSeries {
  readonly paraId: number;
  /** The blocks authored in the window, in number order. */
  readonly pipeline: readonly PipelineBlock[];
  /** Each block included in the measured relay blocks, with its block time. */
  readonly blockTimes: readonly BlockTimePoint[];
  /** The unincluded segment's depth at the start of each measured relay slot. */
  readonly segmentDepths: readonly { readonly relayBlock: number; readonly depth: number }[];
}

export interface RunSeries {
  readonly name: string;
  readonly generation: Generation;
  readonly slotDurationMs: number;
  /** The measured relay blocks, first and last (inclusive). */
  readonly firstRelayBlock: number;
  readonly lastRelayBlock: number;
  /** The pipeline chart's window: blocks authored in relay slots `from..to` (inclusive). */
  readonly window: { readonly from: number; readonly to: number };
  readonly paras: readonly ParaSeries[];
}

export interface RunSeriesInput extends RunRecords {
  readonly name: string;
  readonly generation: Generation;
  readonly paraIds: readonly number[];
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

/**
 * The series of one run (see the header). The pipeline window holds `windowRelayBlocks` relay
 * blocks from `windowFrom` (default: the first measured one), kept inside the measured range.
 */
export function runSeries(
  input: RunSeriesInput,
  windowFrom?: number,
  windowRelayBlocks = PIPELINE_WINDOW_RELAY_BLOCKS,
): RunSeries {
  const first = input.warmupRelayBlocks + 1;
  const last = input.warmupRelayBlocks + input.relayBlocks;
  const from = Math.max(first, Math.min(windowFrom ?? first, last - windowRelayBlocks + 1));
  const window = { from, to: Math.min(last, from + windowRelayBlocks - 1) };
  const slotUs = input.slotDurationMs * 1000;
  const paras = input.paraIds.map((paraId): ParaSeries => {
    // The last backing of a candidate before its inclusion (a candidate timed out and backed
    // again shows its second backing).
    const backedAt = new Map<string, number>();
    const pipeline: PipelineBlock[] = [];
    for (const e of input.events) {
      if (e.paraId !== paraId) continue;
      if (e.type === "CandidateBacked") backedAt.set(e.candidateHash, e.relayBlock);
      if (e.type !== "CandidateIncluded") continue;
      const b = input.blocks.get(e.headHash);
      if (b === undefined) continue;
      const slot = Math.floor(b.authoredAtUs / slotUs);
      if (slot < window.from || slot > window.to) continue;
      pipeline.push({
        number: b.number,
        buildFrom: round4((b.authoredAtUs - b.weightUs) / slotUs),
        authored: round4(b.authoredAtUs / slotUs),
        backed: backedAt.get(e.candidateHash) ?? null,
        included: e.relayBlock,
      });
    }
    pipeline.sort((a, b) => a.number - b.number);
    return {
      paraId,
      pipeline,
      blockTimes: includedBlockTimes(input, paraId),
      segmentDepths: unincludedSegmentDepths(input, paraId),
    };
  });
  return {
    name: input.name,
    generation: input.generation,
    slotDurationMs: input.slotDurationMs,
    firstRelayBlock: first,
    lastRelayBlock: last,
    window,
    paras,
  };
}
