/**
 * The nine adversaries (SCENARIO.md "Faults and adversaries"), each in a short run: the attack
 * happens (its acts are counted) and the honest side's own checks meet it (no invalid candidate
 * backed, misbehaviour reported by the statement tables, the runtime's filters drop what a
 * malicious author adds, approvals escalate past no-shows), with no safety violation. Beyond the
 * budget (a whole backing group seconding anything), an invalid candidate is backed and included,
 * and approval checking holds finality back before it; the report says so.
 *
 * Four runs (few validators, 12 measured relay blocks, crypto `none`, C `ed25519` so that the
 * bitfield signatures are checked for real), shared by the tests:
 * - A, async with 7 validators (one group of 7): collator 1 of para 2000 sends wrong parent heads
 *   and garbage PoVs; validator 0 seconds anything.
 * - B, async with 13 validators (f = 4; groups 0-6 and 7-12, the first backing the para's core
 *   in these blocks, the second checking approvals): collator 1 sends oversized PoVs; validator 1
 *   double-votes, 2 withholds chunks, 9 forges bitfields, 10 never sends its approvals.
 * - C, elastic-3 with 7 validators, ed25519 (three cores for one para, so an inherent holds a chain of its
 *   candidates): validators 0 and 1 author tampered inherents.
 * - D, elastic-3 with 6 validators (three groups of 2), `beyondBudget: true`: collator 1 sends
 *   garbage PoVs and validators 0 and 1, a whole group, second anything.
 */
import { describe, expect, it } from "vitest";
import { type RunOutcome, runScenario, runStatus } from "../../src/report/run.ts";
import { run, scenario } from "./helpers.ts";

const BASE = { relayBlocks: 12, warmupRelayBlocks: 2, crypto: "none" } as const;
const PARA = 2000;
const TIMEOUT = 600_000;

const A = () =>
  run({
    ...BASE,
    preset: "async",
    relay: { validators: 7 },
    adversaries: [
      { kind: "wrong-parent-head", para: PARA, collators: [1], rate: 0.4 },
      { kind: "invalid-pov", para: PARA, collators: [1], rate: 1 },
      { kind: "seconds-invalid", validators: [0] },
    ],
  });
const B = () =>
  run({
    ...BASE,
    preset: "async",
    // Two dishonest backers (double-votes, withholds-chunks): within the budget with a backing
    // threshold of 3.
    relay: { validators: 13, hostConfiguration: { minimumBackingVotes: 3 } },
    adversaries: [
      { kind: "oversized-pov", para: PARA, collators: [1], rate: 0.5 },
      { kind: "double-votes", validators: [1] },
      { kind: "withholds-chunks", validators: [2] },
      { kind: "forges-bitfields", validators: [9] },
      { kind: "no-show", validators: [10] },
    ],
  });
const C_INPUT = {
  ...BASE,
  preset: "elastic-3",
  crypto: "ed25519",
  relay: { validators: 7 },
  // Three validators' bitfields too late for the next block: a pending core then lacks its
  // supermajority when a block is authored, and a forger has votes to add.
  faults: [{ at: 4, for: 6, kind: "late-bitfields", validators: [4, 5, 6], delayMs: 6000 }],
  adversaries: [{ kind: "malicious-author", validators: [0, 1], rate: 1 }],
};
const C = () => run(C_INPUT, true);
const D = () =>
  run({
    ...BASE,
    preset: "elastic-3",
    relay: { validators: 6 },
    beyondBudget: true,
    adversaries: [
      { kind: "invalid-pov", para: PARA, collators: [1], rate: 0.5 },
      { kind: "seconds-invalid", validators: [0, 1] },
    ],
  });

const acts = (r: RunOutcome, kind: string) => r.report.adversaries?.acts[kind] ?? 0;
const included = (r: RunOutcome) =>
  r.world.events.filter((e) => e.type === "CandidateIncluded" && e.paraId === PARA).length;
/** No candidate a dishonest collator made bad is backed on chain. */
const noneBacked = (r: RunOutcome) => {
  const bad = r.world.adversaries.badCandidates;
  expect(r.world.events.filter((e) => bad.has(e.candidateHash))).toEqual([]);
  expect(r.report.invalidCandidates).toEqual([]);
};

describe("collator adversaries: the backers' candidate validation and collator protocol refuse", () => {
  it(
    "invalid-pov, wrong-parent-head: advertised, never backed; a seconds-invalid backer alone cannot back them",
    () => {
      const r = A();
      expect(r.report.adversaries!.badCandidates["invalid-pov"]).toBeGreaterThan(0);
      expect(r.report.adversaries!.badCandidates["wrong-parent-head"]).toBeGreaterThan(0);
      // The honest checks: the collator protocol refused the wrong parent heads, candidate
      // validation found the garbage PoVs invalid (the PVF fails on them).
      const a = r.report.adversaries!;
      expect(a.refusedCollations.PersistedValidationDataMismatch).toBeGreaterThan(0);
      expect(a.invalidVerdicts.ExecutionError).toBeGreaterThan(0);
      // The dishonest backer replaced the PVF's verdict on the garbage PoVs it was given...
      expect(acts(r, "seconds-invalid")).toBeGreaterThan(0);
      // ...and its Seconded stayed alone: no invalid candidate backed.
      noneBacked(r);
      // The para keeps going on the honest collator's blocks.
      expect(included(r)).toBeGreaterThanOrEqual(4);
      expect(r.report.safety.violations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "oversized-pov: advertised, refused (ParamsTooLarge), never backed",
    () => {
      const r = B();
      expect(r.report.adversaries!.badCandidates["oversized-pov"]).toBeGreaterThan(0);
      expect(r.report.adversaries!.invalidVerdicts.ParamsTooLarge).toBeGreaterThan(0);
      noneBacked(r);
      expect(included(r)).toBeGreaterThanOrEqual(4);
      expect(r.report.safety.violations).toEqual([]);
    },
    TIMEOUT,
  );
});

describe("validator adversaries within the budget", () => {
  it(
    "double-votes: the group's statement tables report ValidityDoubleVote::IssuedAndValidity",
    () => {
      const r = B();
      expect(acts(r, "double-votes")).toBeGreaterThan(0);
      expect(
        r.report.adversaries!.misbehaviorReports["ValidityDoubleVote::IssuedAndValidity"],
      ).toBeGreaterThan(0);
      // Only the double voter is reported, by the honest members of its group.
      const offenders = new Set(
        r.world.validators.flatMap((v) => [...v.backing.misbehavingValidators]),
      );
      expect([...offenders]).toEqual([1]);
      noneBacked(r);
      expect(r.report.safety.violations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "withholds-chunks and forges-bitfields: chunks refused and availability claimed without data; candidates still become available, approved and final",
    () => {
      const r = B();
      expect(acts(r, "withholds-chunks")).toBeGreaterThan(0);
      expect(acts(r, "forges-bitfields")).toBeGreaterThan(0);
      const para = r.report.paras[String(PARA)]!;
      expect(para.included).toBeGreaterThanOrEqual(4);
      expect(para.approval.unapproved).toBe(0);
      expect(r.report.adversaries!.approvalChecksInvalid).toBe(0);
      expect(r.report.safety.violations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "no-show: its approvals are never sent; approval escalates past it and finality follows",
    () => {
      const r = B();
      expect(acts(r, "no-show")).toBeGreaterThan(0);
      const para = r.report.paras[String(PARA)]!;
      expect(para.approval.noShows).toBeGreaterThan(0);
      expect(r.world.finality.finalized).toBeGreaterThanOrEqual(
        r.world.chain.tip.header.number - 4,
      );
      expect(r.report.safety.violations).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "malicious-author's forged bitfields, kept by a runtime that skips their signatures (planted bug), include unavailable candidates: available and bitfield-threshold fire",
    () => {
      const honest = C();
      expect(honest.report.safety.violations).toEqual([]);
      const bugged = runScenario(scenario(C_INPUT), { buggify: "skip-bitfield-signature" });
      const broken = new Set(bugged.report.safety.violations.map((v) => v.invariant));
      expect([...broken].sort()).toEqual(["available", "bitfield-threshold"]);
    },
    TIMEOUT,
  );

  it(
    "malicious-author: forged bitfields are dropped by sanitize_bitfields; a block with an under-backed or unchained candidate fails enter and its slot stays empty",
    () => {
      const r = C();
      const a = r.report.adversaries!;
      expect(acts(r, "malicious-author")).toBeGreaterThan(0);
      expect(a.authorActs.underBacked).toBeGreaterThan(0);
      expect(a.authorActs.forgedBitfields).toBeGreaterThan(0);
      expect(a.authorActs.wrongOrder).toBeGreaterThan(0);
      // sanitize_bitfields drops each forged bitfield (its signature is over the true payload).
      expect(a.runtimeDrops.bitfields).toBeGreaterThanOrEqual(a.authorActs.forgedBitfields);
      // Every block with a tampered candidate was rejected: the runtime kept none of them.
      const rejected = Object.values(a.rejectedBlocks).reduce((n, k) => n + k, 0);
      expect(rejected).toBe(a.authorActs.underBacked + a.authorActs.wrongOrder);
      expect(a.rejectedBlocks.InsufficientBacking).toBeGreaterThan(0);
      expect(a.runtimeDrops.candidates).toEqual({});
      // A rejected block leaves its slot empty: fewer blocks than slots.
      const slots = BASE.warmupRelayBlocks + BASE.relayBlocks;
      expect(r.world.chain.tip.header.number).toBe(slots - rejected);
      expect(included(r)).toBeGreaterThanOrEqual(10);
      expect(r.report.safety.violations).toEqual([]);
    },
    TIMEOUT,
  );
});

describe("beyond the budget: a whole backing group seconds anything", () => {
  it(
    "an invalid candidate is backed and included, honest approval checkers find it invalid, it is never finalized, and the report says so",
    () => {
      const r = D();
      const inv = r.report.invalidCandidates!;
      expect(inv.length).toBeGreaterThan(0);
      expect(inv.some((c) => c.includedIn !== null)).toBe(true);
      expect(inv.every((c) => !c.finalized)).toBe(true);
      expect(r.report.adversaries!.approvalChecksInvalid).toBeGreaterThan(0);
      const firstIncluded = Math.min(
        ...inv.flatMap((c) => (c.includedIn === null ? [] : [c.includedIn])),
      );
      expect(r.world.finality.finalized).toBeLessThan(firstIncluded);
    },
    TIMEOUT,
  );
});

describe("determinism", () => {
  it(
    "a run with adversaries replays byte for byte (same trace hash and report)",
    () => {
      const input = {
        ...BASE,
        preset: "async",
        relay: { validators: 7 },
        adversaries: [
          { kind: "invalid-pov", para: PARA, collators: [1], rate: 0.5 },
          { kind: "seconds-invalid", validators: [0] },
        ],
      };
      const a = runScenario(scenario(input));
      const b = runScenario(scenario(input));
      expect(a.report.traceHash).toBe(b.report.traceHash);
      expect(JSON.stringify(a.report.adversaries)).toBe(JSON.stringify(b.report.adversaries));
      // ...and the adversaries change the run (their acts reach the trace).
      const honest = runScenario(scenario({ ...input, adversaries: [] }));
      expect(honest.report.traceHash).not.toBe(a.report.traceHash);
    },
    TIMEOUT,
  );
});

describe("a run without adversaries", () => {
  it(
    "has neither `adversaries` nor `invalidCandidates` in its report, and its status line no clause",
    () => {
      const r = run({ ...BASE, relayBlocks: 3, preset: "async", relay: { validators: 4 } });
      expect("adversaries" in r.report).toBe(false);
      expect("invalidCandidates" in r.report).toBe(false);
      expect(runStatus(r.report)).not.toContain("adversaries");
      expect(runStatus(A().report)).toContain("adversaries: ");
      expect(runStatus(A().report)).toContain("no invalid candidate backed");
      expect(runStatus(D().report)).toMatch(
        /invalid candidates backed, \d+ included, 0 finalized \(approval checking held finality back\)/,
      );
    },
    TIMEOUT,
  );
});
