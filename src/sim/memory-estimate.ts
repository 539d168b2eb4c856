/**
 * The memory a run keeps that grows with its length: what the run report and the safety checkers
 * read after or across the run, recorded as it goes (docs/simulator.md "Memory"). Everything else
 * a run holds is a window that does not grow with run length: the relay chain's last states, the
 * paras' pools, block trees and post-states (`para-pruning.ts`), the unfinalized relay blocks'
 * records, the validators' stores and views, the boards.
 *
 * What grows, measured (heap after garbage collection, between a third and the end of runs of the
 * presets, and after dropping each structure in turn):
 * - per relay block: its header (the relay chain store keeps every header), a finality sample,
 *   the checker's and the approval recorder's bookkeeping: about 1 KiB;
 * - per candidate included: the authored block's record (`World.blocks`, what the report reads of
 *   every para block), its backing and inclusion events, its availability traffic, its approval
 *   record, the checker's `included` set: about 1 KiB. A para includes at most one candidate per
 *   core and relay block, so the estimate counts every core busy in every block.
 * Not counted: the start-up memory of the network (validators x paras: views, stores, boards) and
 * peaks (the young generation, the report's own build), which do not grow with run length.
 */
import { type Scenario, scenarioCores } from "../config/scenario.ts";

/** What a run keeps per relay block it produces (see the header), bytes. */
export const RELAY_BLOCK_RETAINED_BYTES = 1024;

/** What a run keeps per candidate included (see the header), bytes. */
export const CANDIDATE_RETAINED_BYTES = 1024;

/** What a run of `s` keeps per relay block, bytes (every core busy: at most one candidate included per core and block). */
export function retainedBytesPerRelayBlock(s: Scenario): number {
  return RELAY_BLOCK_RETAINED_BYTES + CANDIDATE_RETAINED_BYTES * scenarioCores(s);
}

/** What a whole run of `s` keeps by its end (warm-up included), bytes. */
export function retainedBytes(s: Scenario): number {
  return retainedBytesPerRelayBlock(s) * (s.warmupRelayBlocks + s.relayBlocks);
}
