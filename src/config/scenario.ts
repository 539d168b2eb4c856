/**
 * The scenario: one simulated network (SCENARIO.md). Types, the schema every key is checked
 * against, and `resolveScenario`, which merges a user's scenario onto its preset exactly as
 * SCENARIO.md states (objects key by key; a `parachains` list replaces the preset's, each entry
 * starting from the preset's parachain) and then checks what only the whole can tell.
 */
import { parse as parseYaml } from "yaml";
import { err, ok, type Result } from "../lib/result.ts";
import { parseExpectation } from "./expectations.ts";
import {
  type Adversary,
  type AppliedFault,
  appliedFaults,
  budgetErrors,
  FAULT_PLAN_SCHEMA,
  type Fault,
  type FaultContext,
  type FaultPlan,
  faultTargetErrors,
  parseAdversaries,
  parseFaults,
  unmodelledErrors,
} from "./faults.ts";
import { GENERATIONS, type Generation } from "./generation.ts";
import type { RuntimeConfig } from "./parachain-runtime.ts";
import { PRESET_NAMES, PRESETS, type PresetName } from "./presets.ts";
import {
  arr,
  bool,
  check,
  deepMerge,
  int,
  isPlainObject,
  nullable,
  num,
  obj,
  oneOf,
  partialObj,
  type Schema,
  str,
} from "./schema.ts";

export type CollatorKind = "basic" | "lookahead" | "slot-based";
export type CryptoKind = "sr25519" | "ed25519" | "none";
export type RelayNumberCheck = "strict" | "monotonic" | "any";
export type ConsensusHookKind = RuntimeConfig["consensusHook"];

export interface ScenarioHostConfiguration {
  readonly asyncBackingParams: {
    readonly maxCandidateDepth: number;
    readonly allowedAncestryLen: number;
  };
  readonly schedulerParams: {
    readonly lookahead: number;
    readonly numCores: number;
    readonly maxValidatorsPerCore: number | null;
    readonly groupRotationFrequency: number;
    readonly parasAvailabilityPeriod: number;
  };
  readonly minimumBackingVotes: number;
  /** Relay blocks: the code-upgrade path's delays and cooldown (`paras` pallet). */
  readonly validationUpgradeDelay: number;
  readonly minimumValidationUpgradeDelay: number;
  readonly validationUpgradeCooldown: number;
  readonly neededApprovals: number;
  readonly relayVrfModuloSamples: number;
  readonly nDelayTranches: number;
  readonly zerothDelayTrancheWidth: number;
  readonly noShowSlots: number;
  readonly maxPovSize: number;
  readonly executorParams: {
    readonly pvfExecTimeoutBackingMs: number;
    readonly pvfExecTimeoutApprovalMs: number;
  };
  readonly nodeFeatures: {
    readonly elasticScalingMvp: boolean;
    readonly candidateReceiptV2: boolean;
    readonly availabilityChunkMapping: boolean;
    readonly enableAssignmentsV2: boolean;
  };
  readonly approvalVotingParams: { readonly maxApprovalCoalesceCount: number };
}

/**
 * A scenario's parachain runtime: the runtime's own constants (`RuntimeConfig`) under the same
 * names, except the relay-number check (the scenario's short names) and the block weight (ms).
 */
export interface ParachainRuntimeSpec
  extends Pick<
    RuntimeConfig,
    | "unincludedSegmentCapacity"
    | "blockProcessingVelocity"
    | "relayParentOffset"
    | "relayChainSlotDurationMillis"
    | "slotDurationMs"
    | "allowMultipleBlocksPerSlot"
    | "consensusHook"
    | "normalDispatchRatio"
  > {
  readonly checkAssociatedRelayNumber: RelayNumberCheck;
  readonly maximumBlockWeightMs: number;
  /**
   * What importing a peer's block costs its collators, as a share of the block's weight
   * (SEMANTICS.md §7 C6: real execution sits below the benchmarked weight). Hardware, not a
   * runtime constant: it is not part of the validation code.
   */
  readonly importCostOfWeight: number;
}

export interface LoadSpec {
  /** The pool always holds more than a block can take. */
  readonly saturate: boolean;
  /** Offered transactions per second (seeded arrivals) when not saturating. */
  readonly txPerSecond: number | null;
  readonly txRefTimeUs: number;
  readonly txProofBytes: number;
}

export interface ParachainSpec {
  readonly id: number;
  readonly cores: number;
  readonly collators: number;
  readonly collator: {
    readonly kind: CollatorKind;
    readonly authoringDurationMs: number;
    readonly slotOffsetMs: number | null;
    /**
     * The share of the authoring duration the proposer fills with transactions (sc-basic-
     * authorship's deadline `max_duration - max_duration / 3`: 2/3), SEMANTICS.md §7 C5.
     */
    readonly proposalTimeFraction: number;
    /** sc-basic-authorship's soft deadline, percent of the proposal time (50). */
    readonly softDeadlinePercent: number;
  };
  readonly runtime: ParachainRuntimeSpec;
  readonly load: LoadSpec;
}

export interface Scenario {
  readonly name: string;
  readonly seed: number;
  readonly relayBlocks: number;
  readonly warmupRelayBlocks: number;
  readonly preset: PresetName;
  readonly relay: {
    readonly validators: number;
    readonly slotDurationMs: number;
    /**
     * Relay block production and propagation: the time from a relay slot's start to the author
     * announcing its block (SEMANTICS.md §7 C7), ms.
     */
    readonly blockArrivalDelayMs: number;
    readonly hostConfiguration: ScenarioHostConfiguration;
  };
  readonly parachains: readonly ParachainSpec[];
  readonly network: {
    readonly latencyMs: { readonly mean: number; readonly jitter: number };
    readonly bandwidthMbps: number;
    readonly loss: number;
  };
  readonly validatorSpeed: number;
  readonly crypto: CryptoKind;
  /** Which polkadot-sdk node and collator rules run (SEMANTICS.md §7). */
  readonly generation: Generation;
  /** Injected faults (`src/config/faults.ts`; defaults filled in by `resolveScenario`). */
  readonly faults: readonly Fault[];
  /** Seeded random faults on top of `faults` (null: none). */
  readonly faultPlan: FaultPlan | null;
  /** Misbehaving collators and validators. */
  readonly adversaries: readonly Adversary[];
  /** Run a scenario that breaks the fault budget (no invariant is then expected to hold). */
  readonly beyondBudget: boolean;
  /**
   * After the last fault ends, every para must include again within this many relay blocks
   * (null: `parasAvailabilityPeriod + 3`, see `livenessRelayBlocks`).
   */
  readonly livenessRelayBlocks: number | null;
  /** Checks the run must pass (`src/config/expectations.ts`; exit 1 when one fails). */
  readonly expect: readonly string[];
  /** Runtime upgrades, in relay-block order (each through the relay chain's code-upgrade path). */
  readonly upgrades: readonly ScenarioUpgrade[];
}

/**
 * An upgrade at relay block `at`: a runtime upgrade (`runtime`: from `at` the para's governance
 * submits `set_code` with its runtime changed so, on top of the previous upgrades; the relay chain
 * schedules and signals it as polkadot-sdk does, and the new constants run from the block after
 * the one that applies it), a collator node restart (`collator`), or a phase of the upgrade guide
 * (`phase`, which is one or the other).
 */
export interface ScenarioUpgrade {
  readonly at: number;
  /** The para (default: the first). */
  readonly para?: number;
  /** One of the upgrade guide's phases (`upgrade-phases.ts`). */
  readonly phase?: 1 | 2 | 3;
  /** The runtime's changed constants (a runtime upgrade). */
  readonly runtime?: Partial<ParachainRuntimeSpec>;
  /** The collator node's changed settings (a node restart at relay block `at`). */
  readonly collator?: Partial<ParachainSpec["collator"]>;
}

const U32_MAX = 4294967295;

const HOST_CONFIGURATION_SCHEMA: Schema = obj({
  asyncBackingParams: obj({ maxCandidateDepth: int(0, 1000), allowedAncestryLen: int(0, 1000) }),
  schedulerParams: obj({
    lookahead: int(1, 100),
    numCores: int(0, 10_000),
    maxValidatorsPerCore: nullable(int(1, 10_000)),
    groupRotationFrequency: int(1, U32_MAX),
    parasAvailabilityPeriod: int(1, U32_MAX),
  }),
  minimumBackingVotes: int(1, 10_000),
  validationUpgradeDelay: int(1, 1_000_000),
  minimumValidationUpgradeDelay: int(1, 1_000_000),
  validationUpgradeCooldown: int(0, 1_000_000),
  neededApprovals: int(0, 10_000),
  relayVrfModuloSamples: int(0, 10_000),
  nDelayTranches: int(1, 10_000),
  zerothDelayTrancheWidth: int(0, 10_000),
  noShowSlots: int(1, 1000),
  maxPovSize: int(1, U32_MAX),
  executorParams: obj({
    pvfExecTimeoutBackingMs: int(1, 3_600_000),
    pvfExecTimeoutApprovalMs: int(1, 3_600_000),
  }),
  nodeFeatures: obj({
    elasticScalingMvp: bool,
    candidateReceiptV2: bool,
    availabilityChunkMapping: bool,
    enableAssignmentsV2: bool,
  }),
  approvalVotingParams: obj({ maxApprovalCoalesceCount: int(1, 1000) }),
});

const RUNTIME_FIELDS = {
  unincludedSegmentCapacity: int(0, 10_000),
  blockProcessingVelocity: int(0, 10_000),
  relayParentOffset: int(0, 100),
  relayChainSlotDurationMillis: int(1, 3_600_000),
  slotDurationMs: int(1, 3_600_000),
  allowMultipleBlocksPerSlot: bool,
  checkAssociatedRelayNumber: oneOf("strict", "monotonic", "any"),
  consensusHook: oneOf("expect-parent-included", "fixed-velocity"),
  maximumBlockWeightMs: num({ above: 0, max: 3_600_000 }),
  normalDispatchRatio: num({ above: 0, max: 1 }),
  importCostOfWeight: num({ min: 0, max: 1000 }),
};

const COLLATOR_FIELDS = {
  kind: oneOf("basic", "lookahead", "slot-based"),
  authoringDurationMs: int(1, 600_000),
  slotOffsetMs: nullable(int(0, 600_000)),
  proposalTimeFraction: num({ above: 0, max: 1 }),
  softDeadlinePercent: int(0, 100),
};

const UPGRADE_SCHEMA: Schema = partialObj({
  at: int(1, 1_000_000),
  para: int(0, U32_MAX),
  phase: int(1, 3),
  runtime: partialObj(RUNTIME_FIELDS),
  collator: partialObj(COLLATOR_FIELDS),
});

const PARACHAIN_SCHEMA: Schema = obj({
  id: int(0, U32_MAX),
  cores: int(1, 1000),
  collators: int(1, 1000),
  collator: obj(COLLATOR_FIELDS),
  runtime: obj(RUNTIME_FIELDS),
  load: obj({
    saturate: bool,
    txPerSecond: nullable(num({ above: 0, max: 1e9 })),
    txRefTimeUs: num({ above: 0, max: 1e9 }),
    txProofBytes: int(0, 1e9),
  }),
});

export const SCENARIO_SCHEMA: Schema = obj({
  name: str,
  seed: int(0, Number.MAX_SAFE_INTEGER),
  relayBlocks: int(1, 1_000_000),
  warmupRelayBlocks: int(0, 1_000_000),
  preset: oneOf(...PRESET_NAMES),
  relay: obj({
    validators: int(1, 100_000),
    slotDurationMs: int(1, 3_600_000),
    blockArrivalDelayMs: num({ min: 0, max: 3_600_000 }),
    hostConfiguration: HOST_CONFIGURATION_SCHEMA,
  }),
  parachains: arr(PARACHAIN_SCHEMA, 1),
  network: obj({
    latencyMs: obj({ mean: num({ min: 0, max: 600_000 }), jitter: num({ min: 0, max: 600_000 }) }),
    bandwidthMbps: num({ above: 0, max: 1e6 }),
    loss: num({ min: 0, max: 1 }),
  }),
  validatorSpeed: num({ above: 0, max: 1000 }),
  crypto: oneOf("sr25519", "ed25519", "none"),
  generation: oneOf(...GENERATIONS),
  faults: arr({ kind: "any" }),
  faultPlan: FAULT_PLAN_SCHEMA,
  adversaries: arr({ kind: "any" }),
  beyondBudget: bool,
  livenessRelayBlocks: nullable(int(1, 1_000_000)),
  expect: arr(str),
  upgrades: arr(UPGRADE_SCHEMA),
});

/** The cores the scenario's parachains take, all together. */
export function scenarioCores(s: Pick<Scenario, "parachains">): number {
  return s.parachains.reduce((n, p) => n + p.cores, 0);
}

/** Problems that only the whole scenario shows (after merging). */
function crossChecks(s: Scenario): string[] {
  const errors: string[] = [];
  const hc = s.relay.hostConfiguration;
  const cores = scenarioCores(s);
  if (cores > hc.schedulerParams.numCores) {
    errors.push(
      `relay.hostConfiguration.schedulerParams.numCores: expected at least ${cores} (the cores the parachains take), got ${hc.schedulerParams.numCores}`,
    );
  }
  if (s.relay.blockArrivalDelayMs >= s.relay.slotDurationMs) {
    errors.push(
      `relay.blockArrivalDelayMs: expected less than the relay slot (${s.relay.slotDurationMs} ms), got ${s.relay.blockArrivalDelayMs}`,
    );
  }
  const ids = new Set<number>();
  s.parachains.forEach((p, i) => {
    if (ids.has(p.id))
      errors.push(`parachains[${i}].id: expected a para id not used before, got ${p.id} twice`);
    ids.add(p.id);
    if (p.load.saturate && p.load.txPerSecond !== null) {
      errors.push(`parachains[${i}].load: expected either saturate: true or txPerSecond, got both`);
    }
    if (!p.load.saturate && p.load.txPerSecond === null) {
      errors.push(`parachains[${i}].load: expected saturate: true or a txPerSecond, got neither`);
    }
  });
  const ctx = faultContext(s);
  errors.push(...unmodelledErrors(s.faults, s.faultPlan, s.adversaries));
  errors.push(...faultTargetErrors(s.faults, s.adversaries, ctx));
  if (errors.length === 0 && !s.beyondBudget)
    errors.push(...budgetErrors(s.faults, s.adversaries, ctx));
  let last = 0;
  s.upgrades.forEach((u, i) => {
    if (u.at === undefined)
      errors.push(`upgrades[${i}].at: missing (expected a relay block number)`);
    else if (u.at < last)
      errors.push(
        `upgrades[${i}].at: expected upgrades in relay-block order, got ${u.at} after ${last}`,
      );
    else last = u.at;
    if (u.para !== undefined && !ids.has(u.para)) {
      errors.push(
        `upgrades[${i}].para: expected one of the scenario's paras (${[...ids].join(", ")}), got ${u.para}`,
      );
    }
    const kinds = [u.phase, u.runtime, u.collator].filter((x) => x !== undefined).length;
    if (kinds !== 1) {
      errors.push(
        `upgrades[${i}]: expected exactly one of phase, runtime, collator, got ${kinds === 0 ? "none" : "several"}`,
      );
    }
  });
  s.expect.forEach((text, i) => {
    const parsed = parseExpectation(text, expectationParas(s));
    if (!parsed.ok) errors.push(`expect[${i}]: ${parsed.error}`);
  });
  if (s.relay.validators < hc.schedulerParams.numCores && hc.schedulerParams.numCores > 0) {
    errors.push(
      `relay.validators: expected at least one validator per core (${hc.schedulerParams.numCores} cores), got ${s.relay.validators}`,
    );
  }
  return errors;
}

/** What the fault checks and the fault plan read of a scenario. */
export function faultContext(s: Scenario): FaultContext {
  const hc = s.relay.hostConfiguration;
  return {
    validators: s.relay.validators,
    slots: s.warmupRelayBlocks + s.relayBlocks,
    paras: expectationParas(s),
    numCores: hc.schedulerParams.numCores,
    maxValidatorsPerCore: hc.schedulerParams.maxValidatorsPerCore,
    minimumBackingVotes: hc.minimumBackingVotes,
  };
}

/** The faults a run applies, the plan's draws included, in start order (`appliedFaults`). */
export function scenarioFaults(s: Scenario): AppliedFault[] {
  return appliedFaults(s.faults, s.faultPlan, s.adversaries, faultContext(s));
}

/**
 * Relay blocks within which every para must include again after the last fault ends (SCENARIO.md
 * "Liveness"): the scenario's `livenessRelayBlocks`, else `parasAvailabilityPeriod + 3`.
 */
export function livenessRelayBlocks(s: Scenario): number {
  return (
    s.livenessRelayBlocks ?? s.relay.hostConfiguration.schedulerParams.parasAvailabilityPeriod + 3
  );
}

/** The paras a scenario's checks may name, with their collators. */
export function expectationParas(s: Scenario): ReadonlyMap<number, number> {
  return new Map(s.parachains.map((p) => [p.id, p.collators]));
}

/**
 * Merge a user scenario (already parsed from YAML/JSON) onto its preset and check every key.
 * Errors come back as messages `path: expected ..., got ...`; nothing is run on error.
 */
export function resolveScenario(input: unknown): Result<Scenario, string[]> {
  const errors: string[] = [];
  if (input === null || input === undefined) input = {};
  check(input, SCENARIO_SCHEMA, "", errors, true);
  if (errors.length > 0) return err(errors);
  const user = input as Record<string, unknown>;
  const presetName = (user.preset as PresetName | undefined) ?? "async";
  const preset = PRESETS[presetName];
  const { parachains: userParas, ...rest } = user;
  let merged = deepMerge(preset, rest) as Scenario;
  merged = { ...merged, preset: presetName };
  if (Array.isArray(userParas)) {
    const base = preset.parachains[0]!;
    const paras = userParas.map((p: unknown) => {
      const entry = deepMerge(base, p) as ParachainSpec;
      // `txPerSecond` given without `saturate` means the offered load replaces saturation.
      const load = isPlainObject(p) && isPlainObject(p.load) ? p.load : {};
      if (load.txPerSecond !== undefined && load.saturate === undefined) {
        return { ...entry, load: { ...entry.load, saturate: false } };
      }
      return entry;
    });
    merged = { ...merged, parachains: paras };
  }
  check(merged, SCENARIO_SCHEMA, "", errors, false);
  if (errors.length === 0) {
    const faults = parseFaults(merged.faults, errors);
    const adversaries = parseAdversaries(merged.adversaries, errors);
    merged = { ...merged, faults, adversaries };
  }
  if (errors.length === 0) errors.push(...crossChecks(merged));
  return errors.length > 0 ? err(errors) : ok(merged);
}

/**
 * Parse scenario text, YAML or JSON (a JSON document is YAML: one parser for both, which refuses
 * duplicate keys in either). Syntax errors say where, with the offending line. Empty text is an
 * error: a scenario that names nothing would silently run the `async` preset.
 */
export function parseScenarioText(text: string): Result<unknown, string[]> {
  if (text.trim() === "" || /^(\s*#.*\n?)*\s*$/.test(text)) {
    return err([
      "(top level): the scenario is empty (name at least its preset, e.g. `preset: async`)",
    ]);
  }
  try {
    return ok(parseYaml(text, { uniqueKeys: true }));
  } catch (e) {
    if (!(e instanceof Error)) return err([`syntax: ${String(e)}`]);
    // The parser's message ends with ":" followed by the offending line and a caret under it.
    const [first, ...rest] = e.message.split("\n");
    const excerpt = rest.filter((l) => l.trim() !== "").join("\n  ");
    return err([`syntax: ${first!.replace(/:$/, "")}${excerpt ? `\n  ${excerpt}` : ""}`]);
  }
}
