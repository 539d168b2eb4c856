/**
 * The configuration doctor's rules (`parapipe check`, docs/check.md): each rule reads a resolved
 * scenario and says what is wrong with it, why (the polkadot-sdk rule and where it is written),
 * and how to show it: a static rule with its figures, or a fix whose simulation, side by side with
 * the given configuration, shows the effect (`evidence.ts` runs them).
 *
 * Invariants:
 * - Pure and computed from the scenario only: no rule knows what a preset "should" give; the
 *   figures it states are derived from the keys (the handover timeline from the generation's
 *   slot-timer rules, `handover.ts`), the simulation measures the rest.
 * - The four presets give no finding on either generation (test/report/check.test.ts).
 * - Severity: `error` when the configuration cannot work as set up (the runtime panics on blocks
 *   the collators build, blocks are invalid for backers, or the block rate is a multiple of what
 *   the para's own slot asks for by construction); `warning` when it works with a measurable loss
 *   (wasted blocks, forks, throughput below the cores) or a latent risk.
 *
 * Ref: the rules name their polkadot-sdk sources in `reference`; SEMANTICS.md 3.1-3.6 and §7.
 */

import { computeNextWakeUpTime } from "../../collator/slot-timer.ts";
import type { ParachainSpec, Scenario } from "../../config/scenario.ts";
import { assertNever } from "../../lib/assert.ts";
import { blockCost, type Handover, handover } from "./handover.ts";

/** The ids of SCENARIO.md "Other commands' JSON", in the order findings are listed. */
export const FINDING_IDS = [
  "lookahead-too-short",
  "lookahead-below-ancestry",
  "capacity-one-6s-slots",
  "capacity-too-small-for-cores",
  "candidate-depth-too-small",
  "relay-slot-mismatch",
  "para-slot-mismatch",
  "velocity-below-cores",
  "execution-over-backing-timeout",
  "authoring-shorter-than-weight",
  "authoring-longer-than-slot-share",
  "strict-relay-number-with-multiple-blocks",
  "single-block-per-slot-with-multiple-blocks",
  "collator-handover-too-tight",
] as const;
export type FindingId = (typeof FINDING_IDS)[number];

export type Severity = "error" | "warning";

/** A fix: scenario key paths (`parachains[0].runtime.unincludedSegmentCapacity`) and values. */
export type Fix = Readonly<Record<string, number | string | boolean>>;

/** What the evidence simulations measure for a para (see `evidence.ts` for their sources). */
export type MetricName =
  | "blockTimeMsMean"
  | "inclusionIntervalMs"
  | "backedPer15RelayBlocksMin"
  | "executionMsPerBlockMean"
  | "executionMsPerRelayBlock"
  | "authoredBlocks"
  | "forks"
  | "wastedBlocks"
  | "runtimePanics"
  | "firstPanicRelayBlock"
  | "firstPanicMessage";

export interface StaticProof {
  readonly kind: "static";
  /** The rule with this scenario's figures. */
  readonly rule: string;
}

export interface SimulatedProof {
  readonly kind: "simulate";
  /** The para whose figures are compared (`parachains[paraIndex]`). */
  readonly paraIndex: number;
  readonly fix: Fix;
  readonly metrics: readonly MetricName[];
  /** Figures computed from the configuration beside the simulation (the handover timeline). */
  readonly computed?: Readonly<Record<string, Readonly<Record<string, number | string>>>>;
}

/** A finding before its evidence is simulated. */
export interface Diagnosis {
  readonly id: FindingId;
  readonly severity: Severity;
  /** What is wrong: the key paths, their values, the consequence. */
  readonly message: string;
  /** The rule behind it. */
  readonly why: string;
  /** Where polkadot-sdk (or its guides) states the rule. */
  readonly reference: string;
  readonly proof: StaticProof | SimulatedProof;
}

type Rule = (s: Scenario) => Diagnosis[];

/** Every finding of the scenario, in `FINDING_IDS` order, then by para. */
export function diagnose(s: Scenario): Diagnosis[] {
  const out = RULES.flatMap((rule) => rule(s));
  return out
    .map((d, i) => ({ d, i }))
    .sort((a, b) => FINDING_IDS.indexOf(a.d.id) - FINDING_IDS.indexOf(b.d.id) || a.i - b.i)
    .map(({ d }) => d);
}

// ---------------------------------------------------------------------------------------------
// Shared figures

const para = (i: number) => `parachains[${i}]`;
const fmt = (x: number, digits = 0) => x.toFixed(digits).replace(/\.0+$/, "");

/** The hook's capacity: `max(C, 1)`; the expect-parent-included hook allows one block. */
function effectiveCapacity(p: ParachainSpec): number {
  return p.runtime.consensusHook === "expect-parent-included"
    ? 1
    : Math.max(p.runtime.unincludedSegmentCapacity, 1);
}

/** The elastic-scaling guide's capacity: (2 + relay parent offset) x velocity + 1. */
function guideCapacity(p: ParachainSpec, velocity = p.runtime.blockProcessingVelocity): number {
  return (2 + p.runtime.relayParentOffset) * Math.max(velocity, 1) + 1;
}

/** A fix of the capacity (and of the hook when the expect-parent-included one pins it to 1). */
function capacityFix(
  i: number,
  p: ParachainSpec,
  capacity: number,
): Record<string, string | number> {
  return {
    [`${para(i)}.runtime.unincludedSegmentCapacity`]: capacity,
    ...(p.runtime.consensusHook === "expect-parent-included"
      ? { [`${para(i)}.runtime.consensusHook`]: "fixed-velocity" }
      : {}),
  };
}

/** The slot-based collator's block production interval (`compute_next_wake_up_time`). */
function productionIntervalMs(s: Scenario, p: ParachainSpec): number {
  return computeNextWakeUpTime(p.runtime.slotDurationMs, s.relay.slotDurationMs, p.cores, 0, 0)
    .waitMs;
}

/** The time the collator may spend on one block: its tick interval, or relay slot / cores. */
function slotShareMs(s: Scenario, p: ParachainSpec): number {
  return p.collator.kind === "slot-based"
    ? productionIntervalMs(s, p)
    : Math.floor(s.relay.slotDurationMs / p.cores);
}

const asyncRelay = (s: Scenario) =>
  s.relay.hostConfiguration.asyncBackingParams.maxCandidateDepth > 0;

// ---------------------------------------------------------------------------------------------
// The relay chain's scheduling parameters

const lookaheadTooShort: Rule = (s) => {
  const hc = s.relay.hostConfiguration;
  const lookahead = hc.schedulerParams.lookahead;
  if (lookahead >= 2 || !asyncRelay(s)) return [];
  const current = s.generation === "current";
  return [
    {
      id: "lookahead-too-short",
      severity: "warning",
      message:
        `relay.hostConfiguration.schedulerParams.lookahead is ${lookahead} with asyncBackingParams.maxCandidateDepth ${hc.asyncBackingParams.maxCandidateDepth} (asynchronous backing): ` +
        "the claim queue holds a single claim per core, so a second block built on one relay parent (the lookahead collator builds up to 2) has no claim to go to and is wasted" +
        (current
          ? "; and the node's ancestry of a leaf is lookahead - 1 = 0 relay blocks (current generation), so a candidate not backed within its own relay block is lost: no slack for latency."
          : "."),
      why:
        "The async backing guide asks for scheduling_lookahead 2 or more because relay runtimes before polkadot-sdk 1.14.0 counted an occupied core as a used lookahead slot: with lookahead 1 a core pending availability had no claim, nothing was built or seconded for it until it was free, and blocks fell to about 12 s, worse than sync backing. " +
        "The modelled relay runtime is the later scheduler (#4691, 1.14.0; #5461, stable2412: an occupied core keeps its claim queue), on both generations, so the block time does not degrade here. " +
        "A warning, not an error: the para keeps its block time on these runtimes and loses collator work (and, on current, latency slack); on a relay runtime older than 1.14.0 it would be an error.",
      reference:
        "polkadot-sdk docs/sdk/src/guides/async_backing_guide.rs (scheduling_lookahead must be 2); PR #4691 (1.14.0) and #5461 (stable2412), polkadot/runtime/parachains/src/scheduler.rs; issue #6491 (Polkadot's lookahead raised to 3); polkadot/node/core/prospective-parachains/src/lib.rs (ancestry = scheduling_lookahead - 1, SEMANTICS.md §7 C2); docs/simulator.md \"The upgrade guide's lookahead warning\"",
      proof: {
        kind: "simulate",
        paraIndex: 0,
        fix: { "relay.hostConfiguration.schedulerParams.lookahead": 3 },
        metrics: ["inclusionIntervalMs", "wastedBlocks", "authoredBlocks", "forks"],
      },
    },
  ];
};

const lookaheadBelowAncestry: Rule = (s) => {
  const hc = s.relay.hostConfiguration;
  const lookahead = hc.schedulerParams.lookahead;
  const ancestry = hc.asyncBackingParams.allowedAncestryLen;
  if (lookahead >= ancestry + 1) return [];
  const who =
    s.generation === "current"
      ? "the collators' parent search and the validators' prospective parachains (current generation) look"
      : "the collators' parent search looks";
  return [
    {
      id: "lookahead-below-ancestry",
      severity: "warning",
      message:
        `relay.hostConfiguration.schedulerParams.lookahead ${lookahead} is below asyncBackingParams.allowedAncestryLen + 1 = ${ancestry + 1}: ` +
        `${who} back lookahead - 1 = ${lookahead - 1} relay blocks, fewer than the ${ancestry} the relay runtime accepts as relay parents, so the runtime's allowance is never used and a candidate is given up earlier than the runtime would.`,
      why: "The relay runtime accepts relay parents up to allowed_ancestry_len blocks back; cumulus' find_parent searches scheduling_lookahead - 1 ancestors, and since the current generation prospective parachains builds a leaf's ancestry from scheduling_lookahead - 1 as well (before: allowed_ancestry_len). Polkadot runs lookahead 3 with allowed_ancestry_len 2.",
      reference:
        "cumulus/client/consensus/aura/src/collators/mod.rs (find_parent, ancestry_lookback = scheduling_lookahead - 1; SEMANTICS.md 3.4); polkadot/node/core/prospective-parachains/src/lib.rs (fetch_scheduling_lookahead; SEMANTICS.md §7 C2); polkadot/runtime/parachains/src/shared.rs (allowed relay parents)",
      proof: {
        kind: "static",
        rule: `schedulingLookahead - 1 = ${lookahead - 1} < allowedAncestryLen = ${ancestry}`,
      },
    },
  ];
};

const candidateDepthTooSmall: Rule = (s) => {
  if (s.generation !== "2024") return [];
  const depth = s.relay.hostConfiguration.asyncBackingParams.maxCandidateDepth;
  return s.parachains.flatMap((p, i): Diagnosis[] => {
    const capacity = effectiveCapacity(p);
    if (depth >= capacity - 1) return [];
    return [
      {
        id: "candidate-depth-too-small",
        severity: "warning",
        message:
          `relay.hostConfiguration.asyncBackingParams.maxCandidateDepth ${depth} is below ${para(i)}.runtime.unincludedSegmentCapacity - 1 = ${capacity - 1} under the 2024 node rules: ` +
          `a validator's fragment chain holds depth + 1 = ${depth + 1} candidates of the para, those pending availability included, fewer than the ${capacity} its runtime lets the collators build ahead, so fewer are backed per relay block than its ${p.cores} core(s) could take.`,
        why: "2024 prospective parachains bounds a para's fragment chain by max_candidate_depth + 1 candidates, counting those pending availability (SEMANTICS.md §7 C1); the current generation (#7254) bounds it by the para's cores in the claim queue instead, so there the depth no longer caps throughput and this finding does not apply.",
        reference:
          "polkadot/node/core/prospective-parachains/src/fragment_chain/mod.rs (Scope, max_depth); polkadot-sdk PR #7254 (the claim queue bounds the chain); docs/simulator.md (max_candidate_depth 3 on three cores)",
        proof: {
          kind: "simulate",
          paraIndex: i,
          fix: { "relay.hostConfiguration.asyncBackingParams.maxCandidateDepth": capacity - 1 },
          metrics: ["backedPer15RelayBlocksMin", "blockTimeMsMean", "executionMsPerRelayBlock"],
        },
      },
    ];
  });
};

// ---------------------------------------------------------------------------------------------
// The parachain runtime against the relay chain and its cores

const capacityOne6sSlots: Rule = (s) =>
  s.parachains.flatMap((p, i): Diagnosis[] => {
    const r = s.relay.slotDurationMs;
    const slot = p.runtime.slotDurationMs;
    if (
      p.cores !== 1 ||
      p.collator.kind === "basic" ||
      !asyncRelay(s) ||
      effectiveCapacity(p) > 1 ||
      slot >= 2 * r
    ) {
      return [];
    }
    const hookNote =
      p.runtime.consensusHook === "expect-parent-included"
        ? " (the expect-parent-included consensus hook allows 1 whatever the key says)"
        : "";
    const target = guideCapacity(p);
    return [
      {
        id: "capacity-one-6s-slots",
        severity: "error",
        message:
          `${para(i)}.runtime.unincludedSegmentCapacity is ${p.runtime.unincludedSegmentCapacity}${hookNote} with ${slot} ms para slots (runtime.slotDurationMs) on an asynchronous-backing relay chain (maxCandidateDepth ${s.relay.hostConfiguration.asyncBackingParams.maxCandidateDepth}): ` +
          `a block may only be built on the included parent, and a candidate takes two relay blocks to be included (backed, then available), so a block comes every ${(2 * r) / 1000} s instead of every ${Math.max(slot, r) / 1000} s.`,
        why: "The unincluded segment's capacity rule (its length after dropping included blocks must stay below the capacity) with capacity 1 forbids building on a block not yet included. The async backing guide keeps capacity 1 only in phase 1, with 12 s slots, and sets it to 3 (velocity 1) with 6 s slots in phase 3.",
        reference:
          "polkadot-sdk docs/sdk/src/guides/async_backing_guide.rs (phases 1 and 3: UNINCLUDED_SEGMENT_CAPACITY = 3, BLOCK_PROCESSING_VELOCITY = 1, 6 s slots); cumulus/pallets/parachain-system/src/lib.rs and unincluded_segment.rs (SEMANTICS.md 3.1-3.2)",
        proof: {
          kind: "simulate",
          paraIndex: i,
          fix: capacityFix(i, p, target),
          metrics: ["blockTimeMsMean", "inclusionIntervalMs", "backedPer15RelayBlocksMin"],
        },
      },
    ];
  });

const capacityTooSmallForCores: Rule = (s) =>
  s.parachains.flatMap((p, i): Diagnosis[] => {
    const target = guideCapacity(p);
    if (p.cores <= 1 || effectiveCapacity(p) >= target) return [];
    return [
      {
        id: "capacity-too-small-for-cores",
        severity: "warning",
        message:
          `${para(i)}.runtime.unincludedSegmentCapacity ${effectiveCapacity(p)} is below the elastic-scaling formula (2 + relayParentOffset ${p.runtime.relayParentOffset}) x blockProcessingVelocity ${Math.max(p.runtime.blockProcessingVelocity, 1)} + 1 = ${target} for the para's ${p.cores} cores: ` +
          "the segment fills before the cores do, so fewer blocks are built and backed per relay block than the cores take.",
        why: "A block stays in the unincluded segment for about two relay blocks (backed in one, included in the next) plus the relay parent offset; at velocity blocks per relay block the segment must hold (2 + offset) x velocity of them, plus the one being built.",
        reference:
          "cumulus/client/consensus/aura/src/collators/mod.rs (UNINCLUDED_SEGMENT_CAPACITY = (2 + RELAY_PARENT_OFFSET) * BLOCK_PROCESSING_VELOCITY + 1); polkadot-sdk docs/sdk/src/guides/enable_elastic_scaling.rs",
        proof: {
          kind: "simulate",
          paraIndex: i,
          fix: capacityFix(i, p, target),
          metrics: ["backedPer15RelayBlocksMin", "blockTimeMsMean", "executionMsPerRelayBlock"],
        },
      },
    ];
  });

const relaySlotMismatch: Rule = (s) =>
  s.parachains.flatMap((p, i): Diagnosis[] => {
    const r = s.relay.slotDurationMs;
    const millis = p.runtime.relayChainSlotDurationMillis;
    if (millis === r) return [];
    const slot = p.runtime.slotDurationMs;
    const hookReads = p.runtime.consensusHook === "fixed-velocity";
    return [
      {
        id: "relay-slot-mismatch",
        severity: hookReads ? "error" : "warning",
        message:
          `${para(i)}.runtime.relayChainSlotDurationMillis is ${millis} but relay.slotDurationMs is ${r}: ` +
          `the collators derive a block's para slot from its relay parent's slot s with ${r} ms (floor(s x ${r} / ${slot})), the runtime's consensus hook with ${millis} ms (floor(s x ${millis} / ${slot})), ` +
          (hookReads
            ? 'and asserts they are equal: every block the collators build panics ("Parachain slot must match relay-derived slot") and the para produces nothing.'
            : "and the expect-parent-included hook this runtime uses does not read it: latent until the runtime moves to the fixed-velocity hook of asynchronous backing, which panics on every block."),
        why: "FixedVelocityConsensusHook::on_state_proof derives the para slot from the relay slot in the state proof with RELAY_CHAIN_SLOT_DURATION_MILLIS and asserts it equals pallet_aura's CurrentSlot, which the collator claimed from the relay parent with the node's relay_chain_slot_duration.",
        reference:
          "cumulus/pallets/aura-ext/src/consensus_hook.rs (FixedVelocityConsensusHook::on_state_proof; SEMANTICS.md 3.3); cumulus/client/consensus/aura/src/collators/slot_based/block_builder_task.rs (adjust_para_to_relay_parent_slot)",
        proof: {
          kind: "simulate",
          paraIndex: i,
          fix: { [`${para(i)}.runtime.relayChainSlotDurationMillis`]: r },
          metrics: [
            "runtimePanics",
            "firstPanicRelayBlock",
            "firstPanicMessage",
            "inclusionIntervalMs",
            "backedPer15RelayBlocksMin",
          ],
        },
      },
    ];
  });

const paraSlotMismatch: Rule = (s) =>
  s.parachains.flatMap((p, i): Diagnosis[] => {
    const r = s.relay.slotDurationMs;
    const slot = p.runtime.slotDurationMs;
    if (p.collator.kind !== "slot-based" || slot >= r) return [];
    const perRelaySlot = Math.floor(r / slot);
    const coresNote =
      p.cores > perRelaySlot
        ? `, and its timer never divides the relay slot among more cores than para slots fit in it (${perRelaySlot} blocks per relay slot for ${p.cores} cores)`
        : "";
    return [
      {
        id: "para-slot-mismatch",
        severity: "error",
        message:
          `${para(i)}.runtime.slotDurationMs ${slot} is shorter than relay.slotDurationMs ${r} with the slot-based collator: ` +
          `the slot a block claims is derived from its relay parent (floor(relaySlot x ${r} / ${slot}), SEMANTICS.md 3.3), so ${perRelaySlot - 1} of every ${perRelaySlot} para slots are never used, ` +
          `while the collator's slot timer counts ${slot} ms slots: the authoring adjustments meant for Aura slot changes fire at timer slots that change no author${coresNote}.`,
        why: 'A parachain\'s Aura slots are derived from the relay chain\'s; a para slot shorter than the relay slot has no relay slot of its own. Slot-based collators that claimed their timer\'s slot (before adjust_para_to_relay_parent_slot) ran ahead of the slot the consensus hook derives and every such block panicked ("Parachain slot must match relay-derived slot"; the intermediate hook: "Parachain slot is too far in the future"). The modelled collators derive the slot from the relay parent, so the simulation shows what remains (below).',
        reference:
          "cumulus/pallets/aura-ext/src/consensus_hook.rs (SEMANTICS.md 3.3); cumulus/client/consensus/aura/src/collators/slot_based/block_builder_task.rs (adjust_para_to_relay_parent_slot) and slot_timer.rs (compute_next_wake_up_time, adjust_authoring_duration)",
        proof: {
          kind: "simulate",
          paraIndex: i,
          fix: { [`${para(i)}.runtime.slotDurationMs`]: r },
          metrics: [
            "runtimePanics",
            "firstPanicRelayBlock",
            "firstPanicMessage",
            "executionMsPerBlockMean",
            "executionMsPerRelayBlock",
            "backedPer15RelayBlocksMin",
          ],
        },
      },
    ];
  });

const velocityBelowCores: Rule = (s) =>
  s.parachains.flatMap((p, i): Diagnosis[] => {
    const velocity = Math.max(p.runtime.blockProcessingVelocity, 1);
    if (velocity >= p.cores) return [];
    const needed = guideCapacity(p, p.cores);
    return [
      {
        id: "velocity-below-cores",
        severity: "warning",
        message:
          `${para(i)}.runtime.blockProcessingVelocity ${p.runtime.blockProcessingVelocity} is below the para's ${p.cores} cores: ` +
          `the consensus hook accepts at most velocity + 1 = ${velocity + 1} blocks per relay slot and the collators stop there (can_build_upon), ` +
          (velocity + 1 < p.cores
            ? `so the para keeps at most ${velocity + 1} of its ${p.cores} cores busy.`
            : "so the para needs the hook's one catch-up block (the + 1) in every relay slot to keep its cores busy, and has none left to catch up after a missed block."),
        why: "FixedVelocityConsensusHook counts the blocks authored per relay slot and panics past velocity + 1; its can_build_upon tells the collator to stop there. The elastic-scaling guide sets BLOCK_PROCESSING_VELOCITY to the number of cores.",
        reference:
          "cumulus/pallets/aura-ext/src/consensus_hook.rs (on_state_proof, can_build_upon; SEMANTICS.md 3.3); polkadot-sdk docs/sdk/src/guides/enable_elastic_scaling.rs",
        proof: {
          kind: "simulate",
          paraIndex: i,
          fix: {
            [`${para(i)}.runtime.blockProcessingVelocity`]: p.cores,
            ...(effectiveCapacity(p) < needed ? capacityFix(i, p, needed) : {}),
          },
          metrics: ["backedPer15RelayBlocksMin", "blockTimeMsMean", "executionMsPerRelayBlock"],
        },
      },
    ];
  });

const executionOverBackingTimeout: Rule = (s) =>
  s.parachains.flatMap((p, i): Diagnosis[] => {
    const timeout = s.relay.hostConfiguration.executorParams.pvfExecTimeoutBackingMs;
    const validation = p.runtime.maximumBlockWeightMs * s.validatorSpeed;
    if (validation <= timeout) return [];
    const cost = blockCost(
      p,
      p.collator.authoringDurationMs,
      s.relay.hostConfiguration.maxPovSize,
      s.network.bandwidthMbps,
    );
    return [
      {
        id: "execution-over-backing-timeout",
        severity: "error",
        message:
          `${para(i)}.runtime.maximumBlockWeightMs ${p.runtime.maximumBlockWeightMs} x validatorSpeed ${s.validatorSpeed} = ${fmt(validation)} ms exceeds relay.hostConfiguration.executorParams.pvfExecTimeoutBackingMs ${timeout}: ` +
          "a block the runtime accepts at its weight takes longer to validate than backers allow: it is invalid and never backed, and the chain stalls until its collators build a lighter one.",
        why: "Backers execute a candidate within the backing timeout (PvfExecTimeout(Backing); 2 s by default) and reject it when execution takes strictly longer; a block's execution on reference hardware is its weight (here scaled by validatorSpeed). polkadot-sdk's templates pair a 2 s MAXIMUM_BLOCK_WEIGHT with the 2 s backing timeout.",
        reference:
          "polkadot/node/core/candidate-validation/src/lib.rs and polkadot/primitives/src/v8/executor_params.rs (DEFAULT_BACKING_EXECUTION_TIMEOUT, PvfExecTimeout; SEMANTICS.md 3.5b); polkadot-sdk docs/sdk/src/guides/async_backing_guide.rs (MAXIMUM_BLOCK_WEIGHT)",
        proof: {
          kind: "static",
          rule:
            `maximumBlockWeightMs x validatorSpeed = ${fmt(validation)} ms > pvfExecTimeoutBackingMs = ${timeout} ms ` +
            `(a saturated block of this collator holds min(authoring ${p.collator.authoringDurationMs} x proposalTimeFraction ${fmt(p.collator.proposalTimeFraction, 3)}, weight x normalDispatchRatio ${p.runtime.normalDispatchRatio}) = ${fmt(cost.executionMs)} ms, ${fmt(cost.executionMs * s.validatorSpeed)} ms to validate; a block of operational or mandatory weight may use the rest)`,
        },
      },
    ];
  });

// ---------------------------------------------------------------------------------------------
// The collator's authoring time

const authoringShorterThanWeight: Rule = (s) =>
  s.parachains.flatMap((p, i): Diagnosis[] => {
    const authoring = p.collator.authoringDurationMs;
    const weight = p.runtime.maximumBlockWeightMs;
    if (authoring >= weight) return [];
    const cost = blockCost(
      p,
      authoring,
      s.relay.hostConfiguration.maxPovSize,
      s.network.bandwidthMbps,
    );
    const share = slotShareMs(s, p);
    const fix: Fix =
      weight <= share
        ? { [`${para(i)}.collator.authoringDurationMs`]: Math.ceil(weight) }
        : { [`${para(i)}.runtime.maximumBlockWeightMs`]: authoring };
    return [
      {
        id: "authoring-shorter-than-weight",
        severity: "warning",
        message:
          `${para(i)}.collator.authoringDurationMs ${authoring} is shorter than ${para(i)}.runtime.maximumBlockWeightMs ${weight}: ` +
          `the proposer stops at its deadline (proposalTimeFraction ${fmt(p.collator.proposalTimeFraction, 3)} of the authoring time) with at most ${fmt(cost.executionMs)} ms of execution in a block, so the configured weight overstates what a block can hold` +
          (weight > share
            ? ` (and the weight does not fit the para's ${share} ms share of the relay slot either).`
            : "."),
        why: "sc-basic-authorship applies transactions until now + max_duration - max_duration / 3; a block's weight is its execution time on reference hardware, the collator's own, so a block cannot hold more execution than its authoring time. The rule compares the whole authoring time with the weight, not its two thirds: polkadot-sdk's templates and the presets pair 2 s of authoring with 2 s of weight and accept the third the proposer keeps for itself (SEMANTICS.md §7 C5).",
        reference:
          "substrate/client/basic-authorship/src/basic_authorship.rs (propose_with: deadline); polkadot-sdk docs/sdk/src/guides/async_backing_guide.rs (authoring_duration 2000 ms with a 2 s MAXIMUM_BLOCK_WEIGHT)",
        proof: {
          kind: "simulate",
          paraIndex: i,
          fix,
          metrics: [
            "executionMsPerBlockMean",
            "executionMsPerRelayBlock",
            "backedPer15RelayBlocksMin",
          ],
        },
      },
    ];
  });

const authoringLongerThanSlotShare: Rule = (s) =>
  s.parachains.flatMap((p, i): Diagnosis[] => {
    const authoring = p.collator.authoringDurationMs;
    const share = slotShareMs(s, p);
    if (authoring <= share) return [];
    const consequence =
      p.collator.kind === "slot-based"
        ? `the slot-based collator's timer ticks every ${share} ms (compute_next_wake_up_time for ${p.cores} core(s)) and cuts every block's authoring to the next tick on both generations, so the configured value never applies and misstates the block's budget`
        : `a block takes longer to author than the relay chain gives each of the para's blocks (relay.slotDurationMs ${s.relay.slotDurationMs} / ${p.cores} core(s) = ${share} ms): the collator handles relay blocks one after another and falls behind them`;
    return [
      {
        id: "authoring-longer-than-slot-share",
        severity: "warning",
        message: `${para(i)}.collator.authoringDurationMs ${authoring} is longer than the para's share of the relay slot: ${consequence}.`,
        why: "One relay slot holds one block per core of the para: the slot-based collator divides the relay slot among its cores (floor 500 ms) and never authors past the next tick; the lookahead and basic collators work per relay block.",
        reference:
          "cumulus/client/consensus/aura/src/collators/slot_based/slot_timer.rs (compute_next_wake_up_time, adjust_authoring_duration; SEMANTICS.md 3.6); cumulus/client/consensus/aura/src/collators/lookahead.rs",
        proof: {
          kind: "simulate",
          paraIndex: i,
          fix: { [`${para(i)}.collator.authoringDurationMs`]: share },
          metrics: [
            "executionMsPerBlockMean",
            "backedPer15RelayBlocksMin",
            "forks",
            "wastedBlocks",
          ],
        },
      },
    ];
  });

// ---------------------------------------------------------------------------------------------
// Several blocks on one relay parent, or in one slot

type Sharing = {
  readonly severity: Severity;
  readonly reason: string;
  /** Why a warning is only a warning. */
  readonly latent?: string;
} | null;

/** Whether several blocks of the para can share a relay parent (and how surely). */
function blocksShareRelayParent(s: Scenario, p: ParachainSpec): Sharing {
  const kind = p.collator.kind;
  switch (kind) {
    case "basic":
      return null; // one block per relay parent, always on the included block
    case "lookahead":
    case "slot-based": {
      const velocity = Math.max(p.runtime.blockProcessingVelocity, 1);
      if (p.cores > 1 || velocity > 1) {
        return {
          severity: "error",
          reason: `with ${p.cores} core(s) and blockProcessingVelocity ${p.runtime.blockProcessingVelocity} several blocks are built on one relay parent by design`,
        };
      }
      if (kind === "slot-based" && productionIntervalMs(s, p) < s.relay.slotDurationMs) {
        return {
          severity: "error",
          reason: `the slot-based collator ticks every ${productionIntervalMs(s, p)} ms, several times per relay slot, and builds on the same relay parent each time`,
        };
      }
      if (kind === "lookahead") {
        return {
          severity: "warning",
          reason:
            "the lookahead collator builds a second block on a relay parent whenever the runtime allows it (velocity + 1 = 2 per relay slot)",
          latent:
            " Latent at velocity 1: that block is a catch-up block, and losing it leaves the block rate unchanged.",
        };
      }
      return null;
    }
    default:
      return assertNever(kind, "collator kind");
  }
}

/** Whether several blocks of the para can share an Aura slot. */
function blocksShareSlot(s: Scenario, p: ParachainSpec): Sharing {
  const relayParent = blocksShareRelayParent(s, p);
  if (relayParent?.severity === "error") return relayParent;
  if (p.collator.kind !== "basic" && p.runtime.slotDurationMs > s.relay.slotDurationMs) {
    return {
      severity: "error",
      reason: `a ${p.runtime.slotDurationMs} ms para slot spans several ${s.relay.slotDurationMs} ms relay slots, and the collator builds in each of them`,
    };
  }
  return relayParent;
}

const strictRelayNumber: Rule = (s) =>
  s.parachains.flatMap((p, i): Diagnosis[] => {
    if (p.runtime.checkAssociatedRelayNumber !== "strict") return [];
    const sharing = blocksShareRelayParent(s, p);
    if (sharing === null) return [];
    return [
      {
        id: "strict-relay-number-with-multiple-blocks",
        severity: sharing.severity,
        message:
          `${para(i)}.runtime.checkAssociatedRelayNumber is strict but ${sharing.reason}: ` +
          'a block on the same relay parent as its parent panics ("Relay chain block number needs to strictly increase between Parachain blocks!") and is not produced.' +
          (sharing.latent ?? ""),
        why: "RelayNumberStrictlyIncreases is the sync-backing setting, one block per relay block; the async backing guide switches to RelayNumberMonotonicallyIncreases because several parachain blocks may share a relay parent.",
        reference:
          "cumulus/pallets/parachain-system/src/lib.rs (CheckAssociatedRelayNumber, RelayNumberStrictlyIncreases / RelayNumberMonotonicallyIncreases); polkadot-sdk docs/sdk/src/guides/async_backing_guide.rs (phase 2)",
        proof: {
          kind: "simulate",
          paraIndex: i,
          fix: { [`${para(i)}.runtime.checkAssociatedRelayNumber`]: "monotonic" },
          metrics: [
            "runtimePanics",
            "firstPanicRelayBlock",
            "firstPanicMessage",
            "blockTimeMsMean",
            "backedPer15RelayBlocksMin",
          ],
        },
      },
    ];
  });

const singleBlockPerSlot: Rule = (s) =>
  s.parachains.flatMap((p, i): Diagnosis[] => {
    if (p.runtime.allowMultipleBlocksPerSlot) return [];
    const sharing = blocksShareSlot(s, p);
    if (sharing === null) return [];
    return [
      {
        id: "single-block-per-slot-with-multiple-blocks",
        severity: sharing.severity,
        message:
          `${para(i)}.runtime.allowMultipleBlocksPerSlot is false but ${sharing.reason}: ` +
          'the second block of an Aura slot panics in pallet_aura ("Slot must increase") and is not produced.' +
          (sharing.latent ?? ""),
        why: "The para slot is derived from the relay parent (SEMANTICS.md 3.3), so blocks built on one relay parent share a slot; pallet_aura with AllowMultipleBlocksPerSlot false requires every block to move to a new slot. The async backing guide sets it to true.",
        reference:
          'substrate/frame/aura/src/lib.rs (AllowMultipleBlocksPerSlot; on_initialize: "Slot must increase"); polkadot-sdk docs/sdk/src/guides/async_backing_guide.rs (phase 2)',
        proof: {
          kind: "simulate",
          paraIndex: i,
          fix: { [`${para(i)}.runtime.allowMultipleBlocksPerSlot`]: true },
          metrics: [
            "runtimePanics",
            "firstPanicRelayBlock",
            "firstPanicMessage",
            "blockTimeMsMean",
            "backedPer15RelayBlocksMin",
          ],
        },
      },
    ];
  });

// ---------------------------------------------------------------------------------------------
// The Aura handover between collators

/** The rounding of a weight fix (ms). */
const WEIGHT_FIX_STEP_MS = 50;

/** The handover's figures, for the evidence. */
function timeline(h: Handover, latencyTakenAs: string): Record<string, number | string> {
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    collatorKind: h.collatorKind,
    gapToNextAuthorMs: r(h.gapMs),
    lastBlockAuthoringMs: r(h.lastBlock.authoringMs),
    lastBlockBuildMs: r(h.lastBlock.buildMs),
    lastBlockExecutionMs: r(h.lastBlock.executionMs),
    povKiB: r(h.lastBlock.povBytes / 1024),
    transferMs: r(h.lastBlock.transferMs),
    latencyMs: r(h.latencyMs),
    latencyTakenAs,
    importMs: r(h.lastBlock.importMs),
    importedAfterMs: r(h.importedAfterMs),
    slackMs: r(h.slackMs),
  };
}

/**
 * A fix that gives the handover room with the latency at mean + jitter: the current generation
 * (from 2024), else the largest block weight (a multiple of 50 ms) that fits, else one collator.
 */
function handoverFix(s: Scenario, i: number): { fix: Fix; after: Handover | null } {
  const p = s.parachains[i]!;
  const worstLatency = s.network.latencyMs.mean + s.network.latencyMs.jitter;
  const fits = (spec: ParachainSpec, generation = s.generation) => {
    const h = handover(s, spec, generation, worstLatency);
    return h === null || h.slackMs >= 0 ? h : undefined;
  };
  if (s.generation === "2024") {
    const after = fits(p, "current");
    if (after !== undefined) return { fix: { generation: "current" }, after };
  }
  const weight = p.runtime.maximumBlockWeightMs;
  const start = Math.ceil(weight / WEIGHT_FIX_STEP_MS) * WEIGHT_FIX_STEP_MS - WEIGHT_FIX_STEP_MS;
  for (let w = start; w >= WEIGHT_FIX_STEP_MS; w -= WEIGHT_FIX_STEP_MS) {
    const after = fits({ ...p, runtime: { ...p.runtime, maximumBlockWeightMs: w } });
    if (after !== undefined)
      return { fix: { [`${para(i)}.runtime.maximumBlockWeightMs`]: w }, after };
  }
  return { fix: { [`${para(i)}.collators`]: 1 }, after: null };
}

const collatorHandoverTooTight: Rule = (s) =>
  s.parachains.flatMap((p, i): Diagnosis[] => {
    const h = handover(s, p, s.generation, s.network.latencyMs.mean);
    if (h === null || h.slackMs >= 0) return [];
    const b = h.lastBlock;
    const { fix, after } = handoverFix(s, i);
    const rule =
      h.collatorKind === "slot-based"
        ? s.generation === "2024"
          ? "the 2024 slot-timer rule: at most the time to the next tick, 500 ms less for the last block of a relay slot"
          : "the current slot-timer rule (#10154): stop 1 s before a slot change to another author"
        : "the lookahead collator: up to 2 blocks back to back on each relay block";
    return [
      {
        id: "collator-handover-too-tight",
        severity: "warning",
        message:
          `${para(i)}.collators is ${p.collators}, and the last block before an Aura handover does not reach the next author in time: ` +
          `it starts ${fmt(h.gapMs)} ms before the next author's first block, is built in ${fmt(b.buildMs)} ms (authoring ${fmt(b.authoringMs)} ms under ${rule}; execution ${fmt(b.executionMs)} ms = min(authoring x proposalTimeFraction ${fmt(p.collator.proposalTimeFraction, 3)}, maximumBlockWeightMs ${p.runtime.maximumBlockWeightMs} x normalDispatchRatio ${p.runtime.normalDispatchRatio})), ` +
          `sent in ${fmt(b.transferMs * (p.collators - 1))} ms (a ${fmt(b.povBytes / 1024)} KiB PoV at ${s.network.bandwidthMbps} Mbit/s) plus ${s.network.latencyMs.mean} ms of latency, and imported in ${fmt(b.importMs)} ms (importCostOfWeight ${p.runtime.importCostOfWeight}): ` +
          `${fmt(-h.slackMs)} ms too late, so the next author builds a sibling and one branch is lost.`,
        why: "A collator builds on the deepest block it has imported. At a handover the next author's first block comes one block interval (current generation: the time #10154 leaves before the slot change) after the previous author's last block started, and that block must be built, announced and imported within it; full blocks on reference hardware do not fit (#9686). The figures assume a saturated pool (full blocks) and the latency's mean.",
        reference:
          'cumulus/client/consensus/aura/src/collators/slot_based/slot_timer.rs (adjust_authoring_duration; polkadot-sdk PR #10154) and lookahead.rs; polkadot-sdk issue #9686; substrate/client/basic-authorship/src/basic_authorship.rs; docs/simulator.md "Handovers and the knife-edge"',
        proof: {
          kind: "simulate",
          paraIndex: i,
          fix,
          metrics: [
            "forks",
            "wastedBlocks",
            "backedPer15RelayBlocksMin",
            "executionMsPerRelayBlock",
          ],
          computed: {
            given: timeline(h, "mean"),
            ...(after === null ? {} : { fixed: timeline(after, "mean + jitter") }),
          },
        },
      },
    ];
  });

const RULES: readonly Rule[] = [
  lookaheadTooShort,
  lookaheadBelowAncestry,
  capacityOne6sSlots,
  capacityTooSmallForCores,
  candidateDepthTooSmall,
  relaySlotMismatch,
  paraSlotMismatch,
  velocityBelowCores,
  executionOverBackingTimeout,
  authoringShorterThanWeight,
  authoringLongerThanSlotShare,
  strictRelayNumber,
  singleBlockPerSlot,
  collatorHandoverTooTight,
];
