/**
 * What a node would read at a virtual time, for the timed checks (src/report/timed-checks.ts):
 * the relay chain's best and finalized block heights, a para's head height on it (`paras.heads`,
 * which inclusion updates), and the height of the blocks a collator authored. Built from the
 * world's records after the run; nothing here steers the simulation.
 *
 * Modelled: every relay node imports block N at its slot's start plus `relay.blockArrivalDelayMs`
 * (the simulator's relay blocks have no forks and reach every node together); a collator's height
 * is the highest block it authored by then (its own imports: blocks it imports from the para's
 * other collators are not recorded, which is why a check names a collator only when it is its
 * para's only one). The finalized height is the modelled finality's (src/sim/finality.ts): it
 * moves only when a relay block is produced (block N at its slot's start), to that block's
 * sample, and every relay node reads the same (GRANDPA's commit messages and their latency are
 * not modelled).
 */
import { collatorActor } from "../actors/protocol.ts";
import type { Scenario } from "../config/scenario.ts";
import type { FinalitySample } from "../sim/finality.ts";
import type { AuthoredBlockRecord, InclusionEventRecord } from "../sim/records.ts";
import type { World } from "../sim/world.ts";

export interface TimelineInput {
  readonly slotDurationMs: number;
  readonly blockArrivalDelayMs: number;
  /** Relay slots the run had (warm-up included): without empty slots, the blocks produced. */
  readonly totalRelayBlocks: number;
  /**
   * The slot relay block `number` was authored in (undefined: not produced); absent: `number`.
   * With a crashed author's slot left empty, block N is read from its own slot's start on.
   */
  readonly relaySlotOf?: (number: number) => number | undefined;
  readonly events: readonly InclusionEventRecord[];
  readonly blocks: Iterable<
    Pick<AuthoredBlockRecord, "paraId" | "headHash" | "number" | "author" | "authoredAtUs">
  >;
  /** The finality samples, one per relay block produced, in order (`World.finality.samples`). */
  readonly finality: readonly Pick<FinalitySample, "relayBlock" | "lagBlocks">[];
  /** The collators' actor ids by para and index (`src/actors/protocol.ts` collatorActor). */
  readonly collatorActor: (paraId: number, index: number) => string;
}

export interface Timeline {
  /** When the run's last relay block reached the nodes (ms): nothing later can be read. */
  readonly endMs: number;
  relayHeightAt(ms: number): number;
  /** The relay chain's finalized block number (0 before any block is produced). */
  relayFinalizedHeightAt(ms: number): number;
  paraHeightAt(paraId: number, ms: number): number;
  collatorHeightAt(paraId: number, collator: number, ms: number): number;
}

/** The last value at or before `x` in `points` (sorted by x), or 0. */
function lastAtOrBefore(points: readonly (readonly [number, number])[], x: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]![0] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? 0 : points[lo - 1]![1];
}

export function buildTimeline(input: TimelineInput): Timeline {
  const numberOf = new Map<string, number>();
  const byAuthor = new Map<string, [number, number][]>();
  for (const b of input.blocks) {
    numberOf.set(b.headHash, b.number);
    const list = byAuthor.get(b.author) ?? [];
    list.push([b.authoredAtUs / 1000, b.number]);
    byAuthor.set(b.author, list);
  }
  // A collator's height: the running maximum of what it authored, by time.
  const authored = new Map<string, [number, number][]>();
  for (const [author, list] of byAuthor) {
    list.sort((a, b) => a[0] - b[0]);
    let max = 0;
    authored.set(
      author,
      list.map(([t, n]) => {
        max = Math.max(max, n);
        return [t, max] as [number, number];
      }),
    );
  }
  // A para's head after each relay block (events are in block order).
  const heads = new Map<number, [number, number][]>();
  for (const e of input.events) {
    if (e.type !== "CandidateIncluded") continue;
    const n = numberOf.get(e.headHash);
    if (n === undefined) continue;
    const list = heads.get(e.paraId) ?? [];
    list.push([e.relayBlock, n]);
    heads.set(e.paraId, list);
  }
  const { slotDurationMs: slot, blockArrivalDelayMs: delay, totalRelayBlocks: total } = input;
  const slotOf = (n: number): number => input.relaySlotOf?.(n) ?? n;
  // Each block produced from its slot: [slot, number], in order (only with `relaySlotOf`).
  const bySlot: [number, number][] = [];
  if (input.relaySlotOf !== undefined) {
    for (let n = 1; input.relaySlotOf(n) !== undefined; n++) bySlot.push([slotOf(n), n]);
  }
  const relayHeightAt = (ms: number): number => {
    if (ms < delay) return 0;
    const s = Math.min(total, Math.floor((ms - delay) / slot));
    return input.relaySlotOf === undefined ? s : lastAtOrBefore(bySlot, s);
  };
  // The finalized number after each relay block, from the moment it is produced.
  const finalized = input.finality.map(
    (f) => [slotOf(f.relayBlock) * slot, f.relayBlock - f.lagBlocks] as [number, number],
  );
  return {
    endMs: total * slot + delay,
    relayHeightAt,
    relayFinalizedHeightAt: (ms) => lastAtOrBefore(finalized, ms),
    paraHeightAt: (paraId, ms) => lastAtOrBefore(heads.get(paraId) ?? [], relayHeightAt(ms)),
    collatorHeightAt: (paraId, collator, ms) =>
      lastAtOrBefore(authored.get(input.collatorActor(paraId, collator)) ?? [], ms),
  };
}

/** A finished run's timeline. */
export function runTimeline(scenario: Scenario, world: World): Timeline {
  return buildTimeline({
    slotDurationMs: scenario.relay.slotDurationMs,
    blockArrivalDelayMs: scenario.relay.blockArrivalDelayMs,
    totalRelayBlocks: scenario.warmupRelayBlocks + scenario.relayBlocks,
    relaySlotOf: (n) => world.slotOf(n),
    events: world.events,
    blocks: world.blocks.values(),
    finality: world.finality.samples,
    collatorActor,
  });
}
