/**
 * The Aura handover of a para with several collators, computed from the configuration: the
 * schedule of blocks the collators build in steady state (who builds, when, with which authoring
 * time) under the scenario's generation of slot-timer rules, and at each change of author whether
 * the next author has imported the previous author's last block by its own first block. When it
 * has not, it builds a sibling and one branch is lost (docs/simulator.md "Handovers and the
 * knife-edge").
 *
 * The schedule follows the collators the simulator runs, as functions of the keys only:
 * - slot-based: ticks every `computeNextWakeUpTime` interval after `slotOffsetMs`; the Aura author
 *   is the one of the para slot derived from the relay parent (the best relay block, which arrives
 *   `blockArrivalDelayMs` after its slot starts, walked back `relayParentOffset`); at most
 *   min(cores, velocity + 1) blocks per relay parent; the authoring time of the generation
 *   (`adjustAuthoringDuration` for 2024, `adjustAuthoringDurationAtSlotChange` for current, both
 *   counting in the slot timer's own slots, which need not be the Aura author's);
 * - lookahead: on each relay block's arrival, up to 2 blocks back to back
 *   (`LOOKAHEAD_BLOCKS_PER_RELAY_BLOCK`, at most velocity + 1), each with the configured
 *   authoring time.
 * A block's cost follows the proposer (`collator/load.ts`) on a saturating pool, the worst case:
 * execution = min(authoring x proposalTimeFraction, weight x normalDispatchRatio); the proposal
 * lasts that long, or until the soft deadline when the block is full before it; its PoV is the
 * relay state proof plus the transactions' proof bytes (within the collator's PoV budget); sending
 * it to the next author takes its transfer time once per other collator (the announcement goes to
 * every peer in turn, the next author possibly last) plus the latency; importing it costs
 * execution x importCostOfWeight, one block after another on the importer.
 *
 * Stated simplifications: every tick the author may build does build (the unincluded segment
 * never stops it), no network queueing besides the PoV's own transfer, the latency is a given
 * figure (the rule uses the mean, a fix is chosen with mean + jitter).
 *
 * Ref: cumulus/client/consensus/aura/src/collators/slot_based/{slot_timer.rs,
 *      block_builder_task.rs} (through src/collator/slot-timer.ts), lookahead.rs,
 *      substrate/client/basic-authorship/src/basic_authorship.rs (through src/collator/load.ts),
 *      polkadot-sdk #9686 (full blocks and handovers), #10154 (current: stop 1 s before a slot
 *      change to another author).
 */

import { povBudgetBytes } from "../../collator/collator.ts";
import { LOOKAHEAD_BLOCKS_PER_RELAY_BLOCK } from "../../collator/lookahead.ts";
import { DEFAULT_SLOT_OFFSET_MS } from "../../collator/slot-based.ts";
import {
  adjustAuthoringDuration,
  adjustAuthoringDurationAtSlotChange,
  computeNextWakeUpTime,
  differentSlotAuthors,
  LastReportedSlot,
  timeUntilNextSlotChange,
} from "../../collator/slot-timer.ts";
import type { Generation } from "../../config/generation.ts";
import type { ParachainSpec, Scenario } from "../../config/scenario.ts";
import { Slot } from "../../parachain/aura.ts";
import { RELAY_STATE_PROOF_BYTES } from "../../parachain/block.ts";

/** What one block costs, from its authoring time and the C5-C6 keys (worst case: full pool). */
export interface BlockCost {
  readonly authoringMs: number;
  /** How long the proposer runs (when the block exists and is announced). */
  readonly buildMs: number;
  readonly executionMs: number;
  readonly povBytes: number;
  /** The PoV's transfer time on one link, ms. */
  readonly transferMs: number;
  readonly importMs: number;
}

export function blockCost(
  spec: ParachainSpec,
  authoringMs: number,
  maxPovSize: number,
  bandwidthMbps: number,
): BlockCost {
  const deadlineMs = authoringMs * spec.collator.proposalTimeFraction;
  const weightCapMs = spec.runtime.maximumBlockWeightMs * spec.runtime.normalDispatchRatio;
  const txMs = spec.load.txRefTimeUs / 1000;
  const budgetTx =
    spec.load.txProofBytes === 0
      ? Number.POSITIVE_INFINITY
      : Math.max(
          Math.floor(
            (povBudgetBytes(spec.collator.kind, maxPovSize) - RELAY_STATE_PROOF_BYTES) /
              spec.load.txProofBytes,
          ),
          0,
        );
  const executionMs = Math.min(deadlineMs, weightCapMs, budgetTx * txMs);
  // Full before the hard deadline: the proposer keeps trying until its soft deadline.
  const softMs = (deadlineMs * spec.collator.softDeadlinePercent) / 100;
  const buildMs = executionMs < deadlineMs ? Math.max(executionMs, softMs) : executionMs;
  const povBytes = RELAY_STATE_PROOF_BYTES + (executionMs / txMs) * spec.load.txProofBytes;
  return {
    authoringMs,
    buildMs,
    executionMs,
    povBytes,
    transferMs: (povBytes * 8) / (bandwidthMbps * 1000),
    importMs: executionMs * spec.runtime.importCostOfWeight,
  };
}

/** One block of the steady-state schedule. */
interface Scheduled {
  readonly author: number;
  readonly startMs: number;
  readonly cost: BlockCost;
}

/** The worst handover of the schedule: the last block of one author and the next author's first. */
export interface Handover {
  readonly collatorKind: "slot-based" | "lookahead";
  /** Blocks of the run that ends at this handover (the last one is the one that matters). */
  readonly blocksInRun: number;
  /** From the last block's start to the next author's first block, ms. */
  readonly gapMs: number;
  readonly lastBlock: BlockCost;
  readonly latencyMs: number;
  /** When the next author has imported the last block, from the last block's start, ms. */
  readonly importedAfterMs: number;
  /** gapMs - importedAfterMs: negative means the next author builds a sibling. */
  readonly slackMs: number;
}

/** The handover of para `spec` under `generation`, or null when its collators have none. */
export function handover(
  scenario: Scenario,
  spec: ParachainSpec,
  generation: Generation,
  latencyMs: number,
): Handover | null {
  if (spec.collators < 2) return null;
  const kind = spec.collator.kind;
  if (kind === "basic") return null; // it only builds on the included block: no handover race
  const blocks =
    kind === "slot-based"
      ? slotBasedSchedule(scenario, spec, generation)
      : lookaheadSchedule(scenario, spec);
  return worstHandover(blocks, spec.collators, latencyMs, kind);
}

/** Ticks (and relay slots) walked to find the steady state's handovers (bounded for odd slot durations). */
const MAX_TICKS = 4000;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The relay slots the walk covers: a few author rotations, past the start. */
function walkRelaySlots(scenario: Scenario, spec: ParachainSpec): { from: number; to: number } {
  const r = scenario.relay.slotDurationMs;
  const p = spec.runtime.slotDurationMs;
  const lcm = (r / gcd(r, p)) * p;
  const from = 3 + spec.runtime.relayParentOffset + Math.ceil(p / r);
  const span = Math.min(Math.ceil((2 * spec.collators * lcm) / r) + 1, MAX_TICKS);
  return { from, to: from + span };
}

function slotBasedSchedule(
  scenario: Scenario,
  spec: ParachainSpec,
  generation: Generation,
): Scheduled[] {
  const r = scenario.relay.slotDurationMs;
  const p = spec.runtime.slotDurationMs;
  const offset = spec.collator.slotOffsetMs ?? DEFAULT_SLOT_OFFSET_MS;
  const delay = scenario.relay.blockArrivalDelayMs;
  const perRelayParent = Math.min(
    spec.cores,
    Math.max(spec.runtime.blockProcessingVelocity, 1) + 1,
  );
  const interval = computeNextWakeUpTime(p, r, spec.cores, 0, 0).waitMs;
  const { from, to } = walkRelaySlots(scenario, spec);
  const last = Array.from({ length: spec.collators }, () => LastReportedSlot.default());
  const builtOn = new Map<number, number>();
  const out: Scheduled[] = [];
  const firstTick = Math.ceil((from * r - offset) / interval);
  for (let k = firstTick, n = 0; k * interval + offset < to * r && n < MAX_TICKS; k++, n++) {
    const t = k * interval + offset;
    const timerSlot = Slot.fromTimestamp(t - offset, p);
    for (let c = 0; c < last.length; c++)
      last[c] = LastReportedSlot.setNewSlot(last[c]!, timerSlot);
    const relayParent = Math.floor((t - delay) / r) - spec.runtime.relayParentOffset;
    const author = Slot.fromRelaySlot(relayParent, r, p) % spec.collators;
    const built = builtOn.get(relayParent) ?? 0;
    if (built >= perRelayParent) continue;
    let authoringMs: number | null;
    if (generation === "2024") {
      const adjusted = adjustAuthoringDuration(
        last[author]!,
        spec.collator.authoringDurationMs,
        r,
        interval,
      );
      last[author] = adjusted.lastReportedSlot;
      authoringMs = adjusted.authoringDurationMs;
    } else {
      const change = timeUntilNextSlotChange(p, t, offset, timerSlot);
      authoringMs = adjustAuthoringDurationAtSlotChange(
        spec.collator.authoringDurationMs,
        interval,
        change.untilMs,
        differentSlotAuthors(timerSlot, change.slot, spec.collators),
      );
    }
    if (authoringMs === null) continue;
    builtOn.set(relayParent, built + 1);
    out.push({ author, startMs: t, cost: costOf(scenario, spec, authoringMs) });
  }
  return out;
}

function lookaheadSchedule(scenario: Scenario, spec: ParachainSpec): Scheduled[] {
  const r = scenario.relay.slotDurationMs;
  const p = spec.runtime.slotDurationMs;
  const perRelayBlock = Math.min(
    LOOKAHEAD_BLOCKS_PER_RELAY_BLOCK,
    Math.max(spec.runtime.blockProcessingVelocity, 1) + 1,
  );
  const cost = costOf(scenario, spec, spec.collator.authoringDurationMs);
  const { from, to } = walkRelaySlots(scenario, spec);
  const busyUntil = new Array<number>(spec.collators).fill(0);
  const out: Scheduled[] = [];
  for (let n = from; n < to; n++) {
    const author = Slot.fromRelaySlot(n, r, p) % spec.collators;
    // Relay blocks are handled one at a time: one arriving during building waits.
    let t = Math.max(n * r + scenario.relay.blockArrivalDelayMs, busyUntil[author]!);
    for (let b = 0; b < perRelayBlock; b++) {
      out.push({ author, startMs: t, cost });
      t += cost.buildMs;
    }
    busyUntil[author] = t;
  }
  return out;
}

function costOf(scenario: Scenario, spec: ParachainSpec, authoringMs: number): BlockCost {
  return blockCost(
    spec,
    authoringMs,
    scenario.relay.hostConfiguration.maxPovSize,
    scenario.network.bandwidthMbps,
  );
}

/** At each change of author, when the next author has imported the run before it. */
function worstHandover(
  blocks: readonly Scheduled[],
  collators: number,
  latencyMs: number,
  kind: "slot-based" | "lookahead",
): Handover | null {
  let worst: Handover | null = null;
  let runStart = 0;
  for (let j = 1; j < blocks.length; j++) {
    const next = blocks[j]!;
    if (next.author === blocks[j - 1]!.author) continue;
    // The next author imports the run's blocks in order, each once it has arrived.
    let importedAt = 0;
    for (let k = runStart; k < j; k++) {
      const b = blocks[k]!;
      const arrival = b.startMs + b.cost.buildMs + b.cost.transferMs * (collators - 1) + latencyMs;
      importedAt = Math.max(arrival, importedAt) + b.cost.importMs;
    }
    const lastBlock = blocks[j - 1]!;
    const h: Handover = {
      collatorKind: kind,
      blocksInRun: j - runStart,
      gapMs: next.startMs - lastBlock.startMs,
      lastBlock: lastBlock.cost,
      latencyMs,
      importedAfterMs: importedAt - lastBlock.startMs,
      slackMs: next.startMs - importedAt,
    };
    // The first run of the walk may be cut short by its start: it does not count.
    if (runStart > 0 && (worst === null || h.slackMs < worst.slackMs)) worst = h;
    runStart = j;
  }
  return worst;
}
