/**
 * Issue 20's done-when: with `n_delay_tranches` > 1, `needed_approvals <= n/3` and validators
 * offline above the no-show budget (but under a third), approval escalates to later tranches and
 * finality lags, measurably, then recovers when they return.
 *
 * The elastic-3 preset widened to 24 validators (groups of 4: 6 groups, so 6 availability cores
 * for the assignments, 3 of them scheduled), one modulo sample (so a tranche-0 checker covers one
 * core in six: later tranches exist, and are used even without faults), 4 approvals needed (8
 * would approve outright by the one-third rule). Seven validators go offline 0.9 s into relay
 * block 10's slot, after they have gossiped their tranche-0 assignments for the candidates block
 * 10 included and before their checks end: those that were checkers become no-shows, which later
 * tranches must cover (a candidate none of them checked is approved as usual). They return at
 * 120 s (block 20). Offline validators through a world option (the faults issue exposes it to
 * scenarios).
 */
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/report/run.ts";
import { scenario } from "./helpers.ts";

const SCENARIO = scenario({
  preset: "elastic-3",
  relayBlocks: 30,
  crypto: "none",
  relay: { validators: 24, hostConfiguration: { neededApprovals: 4, relayVrfModuloSamples: 1 } },
});
const OFFLINE = [{ validators: [0, 1, 2, 3, 4, 5, 6], fromUs: 60_900_000, toUs: 120_000_000 }];
const SLOT_MS = SCENARIO.relay.slotDurationMs;

describe("approval escalates past offline checkers, finality lags, then recovers", () => {
  const base = runScenario(SCENARIO);
  const cut = runScenario(SCENARIO, { offline: OFFLINE });
  const para = (r: typeof base) => r.report.paras["2000"]!;
  const inBlock = (r: typeof base, b: number) =>
    para(r).approval.candidates.filter((c) => c.includedAtBlock === b);

  it("is set up as the done-when says", () => {
    const c = SCENARIO.relay.hostConfiguration;
    const n = SCENARIO.relay.validators;
    expect(c.nDelayTranches).toBeGreaterThan(1);
    expect(c.neededApprovals).toBeLessThanOrEqual(n / 3);
    expect(OFFLINE[0]!.validators.length).toBeLessThan(n / 3);
  });

  it("without faults: every candidate approved within the slot, finality one block behind", () => {
    expect(para(base).approval.unapproved).toBe(0);
    expect(para(base).approval.noShows).toBe(0);
    expect(base.report.finality!.lagBlocks.max).toBe(1);
    for (const c of inBlock(base, 10)) expect(c.approvalMs!).toBeLessThan(SLOT_MS);
    expect(base.report.safety.violations).toEqual([]);
  });

  it("the offline checkers are no-shows: block 10's approval escalates to later tranches", () => {
    const before = inBlock(base, 10);
    const after = inBlock(cut, 10);
    expect(after.length).toBe(before.length);
    const maxTranche = (cs: typeof after) => Math.max(...cs.map((c) => c.tranchesNeeded ?? 0));
    expect(maxTranche(after)).toBeGreaterThan(maxTranche(before));
    const escalated = after.filter((c) => c.noShows > 0);
    expect(escalated.length).toBeGreaterThanOrEqual(2);
    expect(before.every((c) => c.noShows === 0)).toBe(true);
    // Covering a no-show waits for it to be one (no_show_slots = 2: 12 s after its assignment).
    for (const c of escalated) expect(c.approvalMs!).toBeGreaterThan(2 * SLOT_MS);
  });

  it("finality lags by several blocks, then recovers to one block behind", () => {
    const lags = cut.world.finality.samples;
    const maxLag = Math.max(...lags.map((s) => s.lagBlocks));
    expect(maxLag).toBeGreaterThanOrEqual(3);
    const worst = lags.find((s) => s.lagBlocks === maxLag)!;
    expect(worst.relayBlock).toBeGreaterThan(10);
    expect(worst.relayBlock).toBeLessThan(20);
    // After they return, and long before: one block behind, as without faults.
    for (const s of lags.filter((s) => s.relayBlock >= 20)) expect(s.lagBlocks).toBe(1);
    for (const s of lags.filter((s) => s.relayBlock < 10)) expect(s.lagBlocks).toBe(1);
    expect(cut.report.safety.violations).toEqual([]);
  });
});
