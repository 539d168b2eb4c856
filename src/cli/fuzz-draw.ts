/**
 * What one `parapipe fuzz` seed draws (docs/fuzz.md): a plain scenario object, as a user would
 * write it, that goes through `resolveScenario` like a file. From the seed's own stream
 * (`Prng.fromSeed(seed).fork("fuzz-draw")`): a preset (sync, async, elastic-3, elastic-12),
 * validators, paras and their cores, collators, the network (latency, jitter, loss), the
 * generation, the crypto, a run length, and a fault and adversary plan (swarm testing: each
 * modelled kind is enabled with probability 1/2, then 1 or 2 entries of each enabled kind).
 *
 * Invariants:
 * - Only kinds of `kinds` are drawn (default `MODELLED_KINDS`: the fuzzer grows with the set the
 *   simulator models, and never writes a scenario `resolveScenario` would refuse for its kinds).
 * - Every entry keeps the budget: an entry is kept only if `faultTargetErrors` and
 *   `budgetErrors` (the config layer's own checks) find nothing with it added, and every para
 *   keeps one collator no collator adversary names (`honestCollatorLeft`), else it is dropped. A drawn scenario that `resolveScenario` refuses is a bug in this module (`fuzz`
 *   reports it as an internal error).
 * - Faults (`at .. at + for`) end at least `livenessRelayBlocks + 2` slots before the end of the
 *   run and start after the warm-up, so that a healthy pipeline has room to recover; adversaries
 *   run the whole run unless a window is drawn.
 * - The run sizes keep `fuzz --seeds 1000 --jobs 2` within 15 minutes on two cores (docs/fuzz.md
 *   "Budget"): 6-12 validators (6-10 for elastic-3, 12-13 for elastic-12), 18-30 measured relay blocks
 *   (14-18 for elastic-12), crypto mostly
 *   `none` or `ed25519`.
 *
 * Ref: SCENARIO.md "Faults and adversaries"; TigerBeetle's VOPR (seed -> options); swarm testing
 *      (Groce et al., "Swarm Testing", ISSTA 2012).
 */
import {
  ADVERSARY_KINDS,
  type Adversary,
  type AdversaryKind,
  budgetErrors,
  FAULT_KINDS,
  type Fault,
  type FaultContext,
  type FaultKind,
  faultBudget,
  faultTargetErrors,
  MODELLED_KINDS,
} from "../config/faults.ts";
import type { PresetName } from "../config/presets.ts";
import { faultContext, livenessRelayBlocks, resolveScenario } from "../config/scenario.ts";
import { Prng } from "../lib/prng.ts";

export type DrawnKind = FaultKind | AdversaryKind;

/** Every fault and adversary kind, in SCENARIO.md's order (the table's rows). */
export const ALL_KINDS: readonly DrawnKind[] = [...FAULT_KINDS, ...ADVERSARY_KINDS];

const PRESET_WEIGHTS: readonly (readonly [PresetName, number])[] = [
  ["sync", 30],
  ["async", 35],
  ["elastic-3", 25],
  ["elastic-12", 10],
];

/** Warm-up relay blocks of a drawn run. */
export const FUZZ_WARMUP_RELAY_BLOCKS = 3;

function weighted<T>(rng: Prng, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((n, [, w]) => n + w, 0);
  let x = rng.int(total);
  for (const [item, w] of items) {
    if (x < w) return item;
    x -= w;
  }
  return items[items.length - 1]![0];
}

/** `count` distinct values of `from`, in ascending order. */
function some(rng: Prng, from: readonly number[], count: number): number[] {
  return rng
    .shuffle([...from])
    .slice(0, Math.max(1, Math.min(count, from.length)))
    .sort((a, b) => a - b);
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** The base of a drawn scenario: everything but the faults and adversaries. */
function drawBase(seed: number, rng: Prng): Record<string, unknown> {
  const preset = weighted(rng, PRESET_WEIGHTS);
  const elastic12 = preset === "elastic-12";
  const validators = elastic12
    ? rng.intBetween(12, 13)
    : preset === "elastic-3"
      ? rng.intBetween(6, 10)
      : rng.intBetween(6, 12);
  const paraCount = preset === "sync" || preset === "async" ? (rng.bernoulli(0.3) ? 2 : 1) : 1;
  const coresPerPara = preset === "elastic-3" ? 3 : elastic12 ? 12 : 1;
  const parachains = range(paraCount).map((i) => ({
    id: 2000 + i,
    cores: coresPerPara,
    collators: rng.intBetween(1, 3),
  }));
  const mean = 10 * rng.intBetween(2, 15);
  return {
    name: `fuzz-seed-${seed}`,
    seed,
    preset,
    relayBlocks: elastic12 ? rng.intBetween(14, 18) : rng.intBetween(18, 30),
    warmupRelayBlocks: FUZZ_WARMUP_RELAY_BLOCKS,
    relay: {
      validators,
      hostConfiguration: { schedulerParams: { numCores: paraCount * coresPerPara } },
    },
    parachains,
    network: {
      latencyMs: { mean, jitter: rng.int(Math.floor(mean / 2) + 1) },
      loss: rng.bernoulli(0.3) ? rng.intBetween(1, 100) / 1000 : 0,
    },
    crypto: weighted(rng, [
      ["none", 60],
      ["ed25519", 30],
      ["sr25519", 10],
    ] as const),
    generation: rng.bernoulli(0.3) ? "2024" : "current",
  };
}

/**
 * The scenario seed `seed` draws (see the header), as a plain object for `resolveScenario`.
 * `kinds`: the kinds it may draw (tests pass every kind to check the budget of each).
 */
export function drawScenario(
  seed: number,
  kinds: ReadonlySet<DrawnKind> = MODELLED_KINDS,
): Record<string, unknown> {
  const rng = Prng.fromSeed(seed).fork("fuzz-draw");
  const base = drawBase(seed, rng);
  const resolved = resolveScenario(base);
  // The base is drawn within the schema: a refusal is a bug of this module, shown as such.
  if (!resolved.ok) return base;
  const scenario = resolved.value;
  const ctx = faultContext(scenario);
  const slots = ctx.slots;
  // Faults start after the warm-up and end with room to recover (see the header).
  const first = scenario.warmupRelayBlocks + 1;
  const last = slots - livenessRelayBlocks(scenario) - 2;
  const enabled = ALL_KINDS.filter((k) => kinds.has(k) && rng.bernoulli(0.5));
  const faults: Fault[] = [];
  const adversaries: Adversary[] = [];
  for (const kind of enabled) {
    const entries = 1 + rng.int(2);
    for (let e = 0; e < entries; e++) {
      if ((FAULT_KINDS as readonly string[]).includes(kind)) {
        if (last < first) continue;
        const fault = drawFault(rng, kind as FaultKind, ctx, first, last);
        if (fault !== null && fits([...faults, fault], adversaries, ctx)) faults.push(fault);
      } else {
        const adversary = drawAdversary(rng, kind as AdversaryKind, ctx, first, last);
        if (fits(faults, [...adversaries, adversary], ctx)) adversaries.push(adversary);
      }
    }
  }
  return {
    ...base,
    // As a file names them: `session-change` takes no `for`.
    ...(faults.length > 0
      ? {
          faults: faults.map((f) => (f.kind === "session-change" ? { at: f.at, kind: f.kind } : f)),
        }
      : {}),
    ...(adversaries.length > 0 ? { adversaries } : {}),
  };
}

function fits(faults: readonly Fault[], adversaries: readonly Adversary[], ctx: FaultContext) {
  return (
    faultTargetErrors(faults, adversaries, ctx).length === 0 &&
    budgetErrors(faults, adversaries, ctx).length === 0 &&
    honestCollatorLeft(adversaries, ctx)
  );
}

/**
 * Whether every para keeps a collator no collator adversary names: a parachain's liveness rests
 * on one honest collator (Polkadot's assumption; the relay chain's budget says nothing of
 * collators), so a para whose every collator is dishonest may stall without any bug.
 */
function honestCollatorLeft(adversaries: readonly Adversary[], ctx: FaultContext): boolean {
  for (const [para, n] of ctx.paras) {
    const dishonest = new Set<number>();
    for (const a of adversaries)
      if ("collators" in a && a.para === para) for (const c of a.collators) dishonest.add(c);
    if (dishonest.size >= n) return false;
  }
  return true;
}

/** A window `{at, for}` inside `first..last` (both inclusive). */
function drawWindow(rng: Prng, first: number, last: number): { at: number; for: number } {
  const at = rng.intBetween(first, last);
  return { at, for: rng.intBetween(1, Math.min(10, last - at + 1)) };
}

function drawFault(
  rng: Prng,
  kind: FaultKind,
  ctx: FaultContext,
  first: number,
  last: number,
): Fault | null {
  const f = Math.max(1, faultBudget(ctx.validators));
  const validators = range(ctx.validators);
  const window = drawWindow(rng, first, last);
  switch (kind) {
    case "crash":
      return {
        ...window,
        kind,
        validators: some(rng, validators, 1 + rng.int(f)),
        loseStore: rng.bernoulli(0.5),
      };
    case "partition": {
      const small = some(rng, validators, 1 + rng.int(f));
      return { ...window, kind, sides: [validators.filter((v) => !small.includes(v)), small] };
    }
    case "link": {
      const one = [rng.int(ctx.validators)];
      const outgoing = rng.bernoulli(0.5);
      return {
        ...window,
        kind,
        from: outgoing ? one : "all",
        to: outgoing ? "all" : one,
        loss: rng.intBetween(0, 10) / 20,
        delayMs: 100 * rng.int(11),
      };
    }
    case "slow":
      return {
        ...window,
        kind,
        validators: some(rng, validators, 1 + rng.int(f)),
        speed: rng.intBetween(3, 8) / 2,
      };
    case "collator-offline": {
      const para = rng.pick([...ctx.paras.keys()]);
      const collators = ctx.paras.get(para) ?? 1;
      return {
        ...window,
        kind,
        para,
        collators: some(rng, range(collators), 1 + rng.int(collators)),
      };
    }
    case "late-bitfields":
      return {
        ...window,
        kind,
        validators: some(rng, validators, 1 + rng.int(3)),
        // Up to 6 s: past ~4.5 s (plus the 1.5 s signing delay) a bitfield misses the next block.
        delayMs: 500 * rng.intBetween(1, 12),
      };
    case "session-change":
      return { at: window.at, for: 0, kind };
  }
}

function drawAdversary(
  rng: Prng,
  kind: AdversaryKind,
  ctx: FaultContext,
  first: number,
  last: number,
): Adversary {
  // Mostly the whole run; sometimes a window (adversaries are judged by safety, not liveness).
  const window = rng.bernoulli(0.3) && last >= first ? drawWindow(rng, first, last) : {};
  const rate = rng.intBetween(1, 10) / 20;
  switch (kind) {
    case "invalid-pov":
    case "wrong-parent-head":
    case "oversized-pov": {
      const para = rng.pick([...ctx.paras.keys()]);
      const collators = ctx.paras.get(para) ?? 1;
      return { ...window, kind, para, collators: [rng.int(collators)], rate };
    }
    case "malicious-author":
      // It authors one slot in n: a high rate, or it would rarely act at all.
      return { ...window, kind, validators: [rng.int(ctx.validators)], rate: 0.5 + rate };
    case "seconds-invalid":
    case "double-votes":
      return { ...window, kind, validators: [rng.int(ctx.validators)] };
    case "withholds-chunks":
    case "forges-bitfields":
    case "no-show": {
      const f = Math.max(1, faultBudget(ctx.validators));
      return { ...window, kind, validators: some(rng, range(ctx.validators), 1 + rng.int(f)) };
    }
  }
}

/** The kinds a drawn scenario exercises (each counted once). */
export function drawnKinds(input: Record<string, unknown>): DrawnKind[] {
  const entries = [
    ...((input.faults as readonly { kind: DrawnKind }[] | undefined) ?? []),
    ...((input.adversaries as readonly { kind: DrawnKind }[] | undefined) ?? []),
  ];
  return ALL_KINDS.filter((k) => entries.some((e) => e.kind === k));
}
