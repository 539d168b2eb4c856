/**
 * The configuration doctor's evidence: a finding with a fix is shown by simulating the given
 * scenario and the fixed one side by side and reading the same figures of the same para from both
 * run reports (`runScenario`). Every figure is measured; nothing is copied from the rules.
 *
 * Invariants:
 * - The evidence runs are the scenario itself with `crypto: none` (the trace does not depend on
 *   the crypto mode, docs/simulator.md) and at most `EVIDENCE_RELAY_BLOCKS` measured relay blocks
 *   after the scenario's warm-up, with its seed and generation (a fix may change the generation).
 * - One run per distinct scenario: runs are cached by the scenario's content for one check (the
 *   given run is shared by every finding, two findings with the same fix share the fixed run);
 *   `evidenceRuns` lists those runs beforehand, so a caller can run them at once (`check --jobs`)
 *   and hand their figures (`measure`, computed where the run happened) back in.
 * - A fix is applied by key path and the result is checked again with `resolveScenario`: a fix
 *   that is not a valid scenario is a parapipe bug (an `InvariantError`).
 */
import { resolveScenario, type Scenario } from "../../config/scenario.ts";
import { InvariantError } from "../../lib/assert.ts";
import type { RunOutcome } from "../run.ts";
import type { Fix, MetricName, SimulatedProof } from "./rules.ts";

/** Measured relay blocks of an evidence run (fewer when the scenario asks for fewer). */
export const EVIDENCE_RELAY_BLOCKS = 30;

/** Runs a scenario for its report (the CLI wraps `runScenario` with a progress bar). */
export type Simulate = (scenario: Scenario) => RunOutcome;

export type Metric = number | string | null;

/** How the evidence runs were made (the fixed run differs only by its fix). */
export interface SimulationSettings {
  readonly seed: number;
  readonly relayBlocks: number;
  readonly warmupRelayBlocks: number;
  readonly generation: Scenario["generation"];
  readonly crypto: "none";
}

export interface SimulatedEvidence {
  readonly paraId: number;
  readonly fix: Fix;
  readonly given: Readonly<Record<string, Metric>>;
  readonly fixed: Readonly<Record<string, Metric>>;
  readonly simulation: SimulationSettings;
  readonly computed?: SimulatedProof["computed"];
}

/** Every metric of every para of one run (plain data: it crosses threads). */
export type Measured = ReadonlyMap<number, Readonly<Record<MetricName, Metric>>>;

/** Where the evidence runs start from: the scenario with `crypto: none`, no longer than needed. */
function evidenceBase(scenario: Scenario): Scenario {
  return {
    ...scenario,
    crypto: "none",
    relayBlocks: Math.min(scenario.relayBlocks, EVIDENCE_RELAY_BLOCKS),
  };
}

/**
 * The distinct scenarios the evidence of `proofs` simulates, in the order `evidenceFor` first
 * asks for them (the given one, then each fix): none without a proof.
 */
export function evidenceRuns(scenario: Scenario, proofs: readonly SimulatedProof[]): Scenario[] {
  if (proofs.length === 0) return [];
  const base = evidenceBase(scenario);
  const runs = new Map<string, Scenario>([[JSON.stringify(base), base]]);
  for (const proof of proofs) {
    const fixed = applyFix(base, proof.fix);
    const key = JSON.stringify(fixed);
    if (!runs.has(key)) runs.set(key, fixed);
  }
  return [...runs.values()];
}

/**
 * The evidence of simulated proofs for `scenario`, with one cache of runs for all of them;
 * `figures` gives a run's figures (`measure` of its outcome).
 */
export function evidenceFor(
  scenario: Scenario,
  figures: (scenario: Scenario) => Measured,
): (proof: SimulatedProof) => SimulatedEvidence {
  const base = evidenceBase(scenario);
  const runs = new Map<string, Measured>();
  const measured = (s: Scenario): Measured => {
    const key = JSON.stringify(s);
    const hit = runs.get(key);
    if (hit !== undefined) return hit;
    const m = figures(s);
    runs.set(key, m);
    return m;
  };
  return (proof) => {
    const paraId = base.parachains[proof.paraIndex]!.id;
    const fixed = applyFix(base, proof.fix);
    const pick = (m: Measured) =>
      Object.fromEntries(proof.metrics.map((name) => [name, m.get(paraId)![name]]));
    return {
      paraId,
      fix: proof.fix,
      given: pick(measured(base)),
      fixed: pick(measured(fixed)),
      simulation: {
        seed: base.seed,
        relayBlocks: base.relayBlocks,
        warmupRelayBlocks: base.warmupRelayBlocks,
        generation: base.generation,
        crypto: "none",
      },
      ...(proof.computed === undefined ? {} : { computed: proof.computed }),
    };
  };
}

/** The figures of one evidence run that a finding may compare (the world's panics included). */
export function measure(outcome: RunOutcome): Measured {
  const out = new Map<number, Record<MetricName, Metric>>();
  for (const [id, p] of Object.entries(outcome.report.paras)) {
    const paraId = Number(id);
    // The world's record of a panic names the relay block the collator was building on.
    const panics = outcome.world.panics.filter((x) => x.paraId === paraId);
    out.set(paraId, {
      blockTimeMsMean: p.blockTimeMs?.mean ?? null,
      inclusionIntervalMs: p.inclusionIntervalMs,
      backedPer15RelayBlocksMin: p.backedPer15RelayBlocks?.min ?? null,
      executionMsPerBlockMean: p.executionMsPerBlock?.mean ?? null,
      executionMsPerRelayBlock: p.executionMsPerRelayBlock,
      authoredBlocks: p.authored.blocks,
      forks: p.authored.forks,
      wastedBlocks: p.wastedBlocks,
      runtimePanics: panics.length,
      firstPanicRelayBlock: panics[0]?.relayParentNumber ?? null,
      firstPanicMessage: panics[0]?.message ?? null,
    });
  }
  return out;
}

/** The scenario with each key path of `fix` set, checked again as a scenario. */
export function applyFix(scenario: Scenario, fix: Fix): Scenario {
  let out: unknown = scenario;
  for (const [path, value] of Object.entries(fix)) out = setPath(out, keyPath(path), value);
  const checked = resolveScenario(out);
  if (!checked.ok) {
    throw new InvariantError(
      `check: the fix ${JSON.stringify(fix)} is no valid scenario: ${checked.error.join("; ")}`,
    );
  }
  return checked.value;
}

/** `parachains[0].runtime.slotDurationMs` -> ["parachains", 0, "runtime", "slotDurationMs"]. */
function keyPath(path: string): (string | number)[] {
  return path.split(".").flatMap((part) => {
    const m = /^(\w+)((?:\[\d+\])*)$/.exec(part);
    if (m === null) throw new InvariantError(`check: bad key path ${JSON.stringify(path)}`);
    const indices = [...m[2]!.matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
    return [m[1]!, ...indices];
  });
}

function setPath(target: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (typeof head === "number") {
    if (!Array.isArray(target) || head >= target.length) {
      throw new InvariantError(`check: no list entry ${head} to fix`);
    }
    return target.map((x, i) => (i === head ? setPath(x, rest, value) : x));
  }
  if (typeof target !== "object" || target === null || !(head! in target)) {
    throw new InvariantError(`check: no key ${String(head)} to fix`);
  }
  const obj = target as Record<string, unknown>;
  return { ...obj, [head!]: setPath(obj[head!], rest, value) };
}
