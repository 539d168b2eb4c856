/**
 * Faults and adversaries of a scenario (SCENARIO.md "Faults and adversaries"): their types, the
 * checks of each entry (a tagged union by `kind`, so checked here rather than by one schema), the
 * budget, and the seeded `faultPlan`'s draws (`appliedFaults`: the faults a run applies, the
 * plan's included, in start order).
 *
 * Invariants:
 * - `at`, `for` and `until = at + for` count relay slots; a fault is active in slots
 *   `at <= slot < until` (a crash restarts at `until`); `session-change` has `for = 0`.
 * - Budget: at every slot, crashed + partitioned-away (the smaller side; with sides of equal size,
 *   the later one) + slow + adversarial validators, counted once each, are at most
 *   `f = floor((n - 1) / 3)`; dishonest backers (`seconds-invalid`, `double-votes`,
 *   `withholds-chunks`) are fewer than the smallest group's backing threshold `min(floor(n / groups), minimumBackingVotes)`.
 *   Groups are shuffled at a session change, so the bound takes the whole set of dishonest
 *   backers against the smallest group: it holds whatever the shuffle (stricter than "per group
 *   as assigned", never looser). `beyondBudget: true` lifts the refusal.
 * - The plan draws only what keeps the budget (targets among the validators the budget leaves; a
 *   draw that cannot be placed is skipped), and clips a duration at the end of the run: a plan
 *   never makes a scenario refused.
 *
 * Ref: SCENARIO.md; polkadot-primitives `byzantine_threshold`,
 *      polkadot/runtime/parachains/src/scheduler.rs (groups: `max(numCores, n / maxValidatorsPerCore)`).
 */
import { Prng } from "../lib/prng.ts";
import {
  arr,
  bool,
  check,
  int,
  isPlainObject,
  num,
  oneOf,
  partialObj,
  type Schema,
  show,
} from "./schema.ts";

export const FAULT_KINDS = [
  "crash",
  "partition",
  "link",
  "slow",
  "collator-offline",
  "late-bitfields",
  "session-change",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const COLLATOR_ADVERSARY_KINDS = [
  "invalid-pov",
  "wrong-parent-head",
  "oversized-pov",
] as const;
export const VALIDATOR_ADVERSARY_KINDS = [
  "seconds-invalid",
  "double-votes",
  "withholds-chunks",
  "forges-bitfields",
  "malicious-author",
  "no-show",
] as const;
export const ADVERSARY_KINDS = [...COLLATOR_ADVERSARY_KINDS, ...VALIDATOR_ADVERSARY_KINDS] as const;
export type CollatorAdversaryKind = (typeof COLLATOR_ADVERSARY_KINDS)[number];
export type ValidatorAdversaryKind = (typeof VALIDATOR_ADVERSARY_KINDS)[number];
export type AdversaryKind = CollatorAdversaryKind | ValidatorAdversaryKind;

/**
 * The kinds the simulator models: every kind SCENARIO.md defines. A kind added to the lists above
 * before the simulator models it is kept out of this set: a scenario naming it is then refused
 * (exit 2) rather than run as if the entry were not there, and the fuzzer does not draw it.
 */
export const MODELLED_KINDS: ReadonlySet<FaultKind | AdversaryKind> = new Set<
  FaultKind | AdversaryKind
>([...FAULT_KINDS, ...ADVERSARY_KINDS]);

/** One error per entry of a kind the simulator does not model yet (see `MODELLED_KINDS`). */
export function unmodelledErrors(
  faults: readonly { readonly kind: string }[],
  plan: FaultPlan | null,
  adversaries: readonly { readonly kind: string }[],
): string[] {
  const errors: string[] = [];
  const modelled = MODELLED_KINDS as ReadonlySet<string>;
  const say = (path: string, kind: string) =>
    `${path}: ${kind} is not modelled yet (modelled: ${[...modelled].join(", ") || "none"}); remove the entry`;
  faults.forEach((f, i) => {
    if (!modelled.has(f.kind)) errors.push(say(`faults[${i}].kind`, f.kind));
  });
  plan?.kinds.forEach((k, i) => {
    if (!modelled.has(k)) errors.push(say(`faultPlan.kinds[${i}]`, k));
  });
  adversaries.forEach((a, i) => {
    if (!modelled.has(a.kind)) errors.push(say(`adversaries[${i}].kind`, a.kind));
  });
  return errors;
}

/**
 * Validators (indices in the session's validator list) or every validator. A validator keeps its
 * genesis index across session changes (the runtime reshuffles the groups instead:
 * relay/session-change.ts), so a target names the same node before and after a shuffle.
 */
export type ValidatorSet = readonly number[] | "all";

interface Window {
  /** First relay slot of the fault. */
  readonly at: number;
  /** Relay slots it lasts (0 for `session-change`). */
  readonly for: number;
}

export type Fault =
  | (Window & {
      readonly kind: "crash";
      readonly validators: readonly number[];
      /** Restart without the availability store. */
      readonly loseStore: boolean;
    })
  | (Window & { readonly kind: "partition"; readonly sides: readonly (readonly number[])[] })
  | (Window & {
      readonly kind: "link";
      readonly from: ValidatorSet;
      readonly to: ValidatorSet;
      /** Extra loss probability on these directions. */
      readonly loss: number;
      /** Extra one-way delay, ms. */
      readonly delayMs: number;
    })
  | (Window & {
      readonly kind: "slow";
      readonly validators: readonly number[];
      readonly speed: number;
    })
  | (Window & {
      readonly kind: "collator-offline";
      readonly para: number;
      readonly collators: readonly number[];
    })
  | (Window & {
      readonly kind: "late-bitfields";
      readonly validators: readonly number[];
      readonly delayMs: number;
    })
  | (Window & { readonly kind: "session-change" });

/** A fault as the report shows it: `until = at + for`. */
export type AppliedFault = Fault & { readonly until: number };

export interface FaultPlan {
  readonly seed: number;
  /** Probability that one fault starts at a relay slot. */
  readonly perRelayBlock: number;
  readonly kinds: readonly FaultKind[];
}

interface AdversaryWindow {
  /** First relay slot it misbehaves in (default: from the start). */
  readonly at?: number;
  /** Slots it misbehaves for (default: to the end). */
  readonly for?: number;
}

export type Adversary =
  | (AdversaryWindow & {
      readonly kind: CollatorAdversaryKind;
      readonly para: number;
      readonly collators: readonly number[];
      /** Share of its blocks that misbehave (seeded). */
      readonly rate: number;
    })
  | (AdversaryWindow & {
      readonly kind: "malicious-author";
      readonly validators: readonly number[];
      /** Share of its relay blocks whose inherent misbehaves (seeded). */
      readonly rate: number;
    })
  | (AdversaryWindow & {
      readonly kind: Exclude<ValidatorAdversaryKind, "malicious-author">;
      readonly validators: readonly number[];
    });

/** Whether an adversary misbehaves in relay slot `slot`. */
export function adversaryActive(a: AdversaryWindow, slot: number): boolean {
  const from = a.at ?? 0;
  return slot >= from && (a.for === undefined || slot < from + a.for);
}

/** Whether a fault is active in relay slot `slot`. */
export function faultActive(f: Window, slot: number): boolean {
  return slot >= f.at && slot < f.at + f.for;
}

const validatorList = arr(int(0, 100_000), 1);
const WINDOW = { at: int(1, 1_000_000), for: int(1, 1_000_000) };
const ADVERSARY_WINDOW = { at: int(0, 1_000_000), for: int(1, 1_000_000) };

/** Each kind's keys (all required unless `optional` names them). */
const FAULT_SCHEMAS: Readonly<Record<FaultKind, Record<string, Schema>>> = {
  crash: { ...WINDOW, validators: validatorList, loseStore: bool },
  partition: { ...WINDOW, sides: arr(validatorList, 2) },
  link: {
    ...WINDOW,
    from: { kind: "any" },
    to: { kind: "any" },
    loss: num({ min: 0, max: 1 }),
    delayMs: num({ min: 0, max: 600_000 }),
  },
  slow: { ...WINDOW, validators: validatorList, speed: num({ above: 0, max: 1000 }) },
  "collator-offline": { ...WINDOW, para: int(0, 4_294_967_295), collators: arr(int(0, 1000), 1) },
  "late-bitfields": {
    ...WINDOW,
    validators: validatorList,
    delayMs: num({ min: 0, max: 600_000 }),
  },
  "session-change": { at: int(1, 1_000_000) },
};
const FAULT_OPTIONAL: Readonly<Partial<Record<FaultKind, readonly string[]>>> = {
  crash: ["loseStore"],
  link: ["loss", "delayMs"],
};

function adversarySchema(kind: AdversaryKind): Record<string, Schema> {
  if ((COLLATOR_ADVERSARY_KINDS as readonly string[]).includes(kind)) {
    return {
      ...ADVERSARY_WINDOW,
      para: int(0, 4_294_967_295),
      collators: arr(int(0, 1000), 1),
      rate: num({ min: 0, max: 1 }),
    };
  }
  if (kind === "malicious-author")
    return { ...ADVERSARY_WINDOW, validators: validatorList, rate: num({ min: 0, max: 1 }) };
  return { ...ADVERSARY_WINDOW, validators: validatorList };
}
const ADVERSARY_OPTIONAL = ["at", "for", "rate"];

export const FAULT_PLAN_SCHEMA: Schema = {
  kind: "nullable",
  inner: {
    kind: "object",
    fields: {
      seed: int(0, Number.MAX_SAFE_INTEGER),
      perRelayBlock: num({ min: 0, max: 1 }),
      kinds: arr(oneOf(...FAULT_KINDS), 1),
    },
  },
};

/**
 * Checks one tagged entry: `kind` first, then that kind's keys (unknown keys refused, required
 * ones present), then fills the defaults. Errors go to `errors` with the entry's path.
 */
function checkTagged(
  value: unknown,
  path: string,
  kinds: readonly string[],
  schemaOf: (kind: string) => Record<string, Schema>,
  optional: (kind: string) => readonly string[],
  errors: string[],
): boolean {
  if (!isPlainObject(value)) {
    errors.push(`${path}: expected an object with a kind, got ${show(value)}`);
    return false;
  }
  const kind = value.kind;
  if (typeof kind !== "string" || !kinds.includes(kind)) {
    errors.push(
      `${path}.kind: expected one of ${kinds.map((k) => JSON.stringify(k)).join(", ")}, got ${show(kind)}`,
    );
    return false;
  }
  const fields = { kind: oneOf(kind), ...schemaOf(kind) };
  const before = errors.length;
  check(value, partialObj(fields), path, errors, true);
  for (const key of Object.keys(fields)) {
    if (!(key in value) && !optional(kind).includes(key)) {
      errors.push(`${path}.${key}: missing (${kind} needs ${Object.keys(fields).join(", ")})`);
    }
  }
  return errors.length === before;
}

function checkValidatorSet(v: unknown, path: string, errors: string[]): void {
  if (v === "all") return;
  check(v, validatorList, path, errors, false);
}

/**
 * A list of tagged entries under `key`: each checked by `checkTagged`, then turned into its
 * typed form by `fill` (which may add errors and return null).
 */
function parseTaggedList<T>(
  input: unknown,
  key: string,
  kinds: readonly string[],
  schemaOf: (kind: string) => Record<string, Schema>,
  optional: (kind: string) => readonly string[],
  fill: (entry: Record<string, unknown>, path: string) => T | null,
  errors: string[],
): T[] {
  if (!Array.isArray(input)) {
    errors.push(`${key}: expected a list, got ${show(input)}`);
    return [];
  }
  const out: T[] = [];
  input.forEach((entry, i) => {
    const path = `${key}[${i}]`;
    if (!checkTagged(entry, path, kinds, schemaOf, optional, errors)) return;
    const typed = fill(entry as Record<string, unknown>, path);
    if (typed !== null) out.push(typed);
  });
  return out;
}

/**
 * The faults list as given: each entry checked and its defaults filled (`loseStore: false`,
 * `loss: 0`, `delayMs: 0`; `session-change` gets `for: 0`).
 */
export function parseFaults(input: unknown, errors: string[]): Fault[] {
  return parseTaggedList(
    input,
    "faults",
    FAULT_KINDS,
    (k) => FAULT_SCHEMAS[k as FaultKind],
    (k) => FAULT_OPTIONAL[k as FaultKind] ?? [],
    (e, path) => {
      if (e.kind === "link") {
        const before = errors.length;
        checkValidatorSet(e.from, `${path}.from`, errors);
        checkValidatorSet(e.to, `${path}.to`, errors);
        if (errors.length > before) return null;
        return { loss: 0, delayMs: 0, ...e } as Fault;
      }
      if (e.kind === "crash") return { loseStore: false, ...e } as Fault;
      if (e.kind === "session-change") return { ...e, for: 0 } as Fault;
      return e as unknown as Fault;
    },
    errors,
  );
}

/** The adversaries list as given, each entry checked (`rate` 1 where a kind takes one). */
export function parseAdversaries(input: unknown, errors: string[]): Adversary[] {
  return parseTaggedList(
    input,
    "adversaries",
    ADVERSARY_KINDS,
    (k) => adversarySchema(k as AdversaryKind),
    () => ADVERSARY_OPTIONAL,
    (e) => {
      const takesRate = "rate" in adversarySchema(e.kind as AdversaryKind);
      return (takesRate && e.rate === undefined ? { ...e, rate: 1 } : e) as unknown as Adversary;
    },
    errors,
  );
}

/** What the checks of targets and the budget need to know of the scenario. */
export interface FaultContext {
  readonly validators: number;
  /** Relay slots of the run, warm-up included. */
  readonly slots: number;
  /** Collators per para id. */
  readonly paras: ReadonlyMap<number, number>;
  readonly numCores: number;
  readonly maxValidatorsPerCore: number | null;
  readonly minimumBackingVotes: number;
}

/** `byzantine_threshold(n)`: the validators that may misbehave. */
export function faultBudget(n: number): number {
  return Math.floor((n - 1) / 3);
}

/** The backing threshold of the smallest group (see the header). */
export function smallestGroupThreshold(ctx: FaultContext): number {
  const perCore = ctx.maxValidatorsPerCore;
  const groups = Math.max(
    ctx.numCores,
    perCore !== null && perCore !== 0 ? Math.floor(ctx.validators / perCore) : 0,
  );
  if (groups === 0) return 0;
  return Math.min(Math.floor(ctx.validators / groups), ctx.minimumBackingVotes);
}

/** Targets that do not exist, overlapping sides, `for` past the run. */
export function faultTargetErrors(
  faults: readonly Fault[],
  adversaries: readonly Adversary[],
  ctx: FaultContext,
): string[] {
  const errors: string[] = [];
  const checkValidators = (vs: readonly number[], path: string) => {
    vs.forEach((v, j) => {
      if (v >= ctx.validators)
        errors.push(`${path}[${j}]: expected a validator index below ${ctx.validators}, got ${v}`);
    });
    if (new Set(vs).size !== vs.length) errors.push(`${path}: names a validator twice`);
  };
  const checkCollators = (para: number, cs: readonly number[], path: string) => {
    const n = ctx.paras.get(para);
    if (n === undefined) {
      errors.push(
        `${path}.para: expected one of the scenario's paras (${[...ctx.paras.keys()].join(", ")}), got ${para}`,
      );
      return;
    }
    cs.forEach((c, j) => {
      if (c >= n)
        errors.push(
          `${path}.collators[${j}]: expected a collator index below ${n} (para ${para} has ${n}), got ${c}`,
        );
    });
  };
  faults.forEach((f, i) => {
    const path = `faults[${i}]`;
    if (f.at > ctx.slots) {
      errors.push(`${path}.at: expected a relay slot of the run (1..${ctx.slots}), got ${f.at}`);
    } else if (f.at + f.for - 1 > ctx.slots) {
      errors.push(
        `${path}.for: runs past the run (slots ${f.at}..${f.at + f.for - 1}, the run ends at ${ctx.slots}), got ${f.for}`,
      );
    }
    switch (f.kind) {
      case "crash":
      case "slow":
      case "late-bitfields":
        checkValidators(f.validators, `${path}.validators`);
        break;
      case "partition": {
        f.sides.forEach((s, j) => {
          checkValidators(s, `${path}.sides[${j}]`);
        });
        const all = f.sides.flat();
        if (new Set(all).size !== all.length)
          errors.push(`${path}.sides: expected sides that do not overlap, got a validator in two`);
        break;
      }
      case "link":
        if (f.from !== "all") checkValidators(f.from, `${path}.from`);
        if (f.to !== "all") checkValidators(f.to, `${path}.to`);
        break;
      case "collator-offline":
        checkCollators(f.para, f.collators, path);
        break;
      case "session-change":
        break;
    }
  });
  adversaries.forEach((a, i) => {
    const path = `adversaries[${i}]`;
    if ("collators" in a) checkCollators(a.para, a.collators, path);
    else checkValidators(a.validators, `${path}.validators`);
    if (a.at !== undefined && a.at > ctx.slots)
      errors.push(`${path}.at: expected a relay slot of the run (0..${ctx.slots}), got ${a.at}`);
  });
  return errors;
}

/** The validators a fault takes out of the honest, live set (the budget's count). */
function faultyValidators(f: Fault): readonly number[] {
  switch (f.kind) {
    case "crash":
    case "slow":
      return f.validators;
    case "partition":
      return smallerSide(f.sides);
    default:
      return [];
  }
}

/** The partition's smaller side (with sides of equal size, the later one). */
export function smallerSide(sides: readonly (readonly number[])[]): readonly number[] {
  let best = sides[0] ?? [];
  for (const s of sides) if (s.length <= best.length) best = s;
  return best;
}

/**
 * Adversaries that misbehave as backers: voting Valid for anything, voting both ways, or
 * backing a candidate and then withholding its data (with every backer of a candidate
 * withholding, nobody can fetch its chunks: it times out, and the para's chain after it waits).
 */
const DISHONEST_BACKERS: readonly string[] = [
  "seconds-invalid",
  "double-votes",
  "withholds-chunks",
];

/**
 * Budget breaches (see the header), one message per kind of breach at its first slot; empty
 * when the scenario keeps the budget.
 */
export function budgetErrors(
  faults: readonly Fault[],
  adversaries: readonly Adversary[],
  ctx: FaultContext,
): string[] {
  const errors: string[] = [];
  const f = faultBudget(ctx.validators);
  for (let slot = 1; slot <= ctx.slots; slot++) {
    const out = faultySet(faults, adversaries, slot);
    if (out.size > f) {
      errors.push(
        `faults/adversaries: at relay slot ${slot}, ${out.size} validators are crashed, partitioned away, slow or adversarial (${[...out].sort((a, b) => a - b).join(", ")}); the budget is f = floor((n - 1) / 3) = ${f} of ${ctx.validators} (set beyondBudget: true to run it anyway)`,
      );
      break;
    }
  }
  const backers = new Set<number>();
  for (const a of adversaries)
    if (DISHONEST_BACKERS.includes(a.kind) && "validators" in a)
      for (const v of a.validators) backers.add(v);
  const threshold = smallestGroupThreshold(ctx);
  if (backers.size > 0 && backers.size >= threshold) {
    errors.push(
      `adversaries: ${backers.size} dishonest backers (seconds-invalid, double-votes, withholds-chunks: ${[...backers].join(", ")}) reach the smallest group's backing threshold ${threshold}; they must stay below it whatever the groups (set beyondBudget: true to run it anyway)`,
    );
  }
  return errors;
}

/** Validators counted against the budget at `slot`. */
function faultySet(
  faults: readonly Fault[],
  adversaries: readonly Adversary[],
  slot: number,
): Set<number> {
  const out = new Set<number>();
  for (const fault of faults)
    if (faultActive(fault, slot)) for (const v of faultyValidators(fault)) out.add(v);
  for (const a of adversaries)
    if ("validators" in a && adversaryActive(a, slot)) for (const v of a.validators) out.add(v);
  return out;
}

/** The longest fault a plan draws, relay slots. */
export const PLAN_MAX_DURATION = 10;

/**
 * The faults a run applies: the scenario's, then the plan's draws (see the header), sorted by
 * start slot (stable). Each plan draw is made from the plan's own stream, slot by slot: first
 * whether a fault starts (`perRelayBlock`), then its kind, duration (1..10 slots, clipped at the
 * end of the run) and targets.
 */
export function appliedFaults(
  faults: readonly Fault[],
  plan: FaultPlan | null,
  adversaries: readonly Adversary[],
  ctx: FaultContext,
): AppliedFault[] {
  const all: Fault[] = [...faults];
  if (plan !== null && plan.perRelayBlock > 0) {
    const rng = Prng.fromSeed(plan.seed).fork("fault-plan");
    const f = faultBudget(ctx.validators);
    const paraIds = [...ctx.paras.keys()];
    for (let slot = 1; slot <= ctx.slots; slot++) {
      if (!rng.bernoulli(plan.perRelayBlock)) continue;
      const kind = rng.pick(plan.kinds);
      const length = Math.min(1 + rng.int(PLAN_MAX_DURATION), ctx.slots - slot + 1);
      // The validators the budget leaves over the whole window.
      const busy = new Set<number>();
      for (let s = slot; s < slot + length; s++)
        for (const v of faultySet(all, adversaries, s)) busy.add(v);
      const room = Math.max(0, f - busy.size);
      const free = Array.from({ length: ctx.validators }, (_, v) => v).filter((v) => !busy.has(v));
      const pickValidators = (max: number): number[] =>
        rng.shuffle([...free]).slice(0, 1 + rng.int(Math.max(1, max)));
      const any = (): number[] => [rng.int(ctx.validators)];
      const window = { at: slot, for: length };
      switch (kind) {
        case "crash":
          if (room === 0) continue;
          all.push({
            ...window,
            kind,
            validators: pickValidators(room),
            loseStore: rng.bernoulli(0.5),
          });
          break;
        case "slow":
          if (room === 0) continue;
          all.push({ ...window, kind, validators: pickValidators(room), speed: 2 + rng.int(5) });
          break;
        case "partition": {
          if (room === 0) continue;
          const small = pickValidators(room);
          const rest = Array.from({ length: ctx.validators }, (_, v) => v).filter(
            (v) => !small.includes(v),
          );
          if (rest.length <= small.length) continue;
          all.push({ ...window, kind, sides: [rest, small] });
          break;
        }
        case "link":
          all.push({
            ...window,
            kind,
            from: "all",
            to: any(),
            loss: Math.round(rng.float() * 100) / 100,
            delayMs: 100 * rng.int(21),
          });
          break;
        case "late-bitfields":
          all.push({ ...window, kind, validators: any(), delayMs: 500 * (1 + rng.int(10)) });
          break;
        case "collator-offline": {
          const para = rng.pick(paraIds);
          all.push({ ...window, kind, para, collators: [rng.int(ctx.paras.get(para) ?? 1)] });
          break;
        }
        case "session-change":
          all.push({ at: slot, for: 0, kind });
          break;
      }
    }
  }
  return all
    .map((f, i) => ({ f: { ...f, until: f.at + f.for } as AppliedFault, i }))
    .sort((a, b) => a.f.at - b.f.at || a.i - b.i)
    .map(({ f }) => f);
}
