import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/report/run.ts";
import { scenario } from "./helpers.ts";

const json = (s: ReturnType<typeof scenario>) => JSON.stringify(runScenario(s).report);

describe("determinism", () => {
  const base = scenario({ preset: "async", relayBlocks: 15, network: { loss: 0.01 } });

  it("gives a byte-identical report and trace hash for the same scenario and seed", () => {
    const a = runScenario(base).report;
    const b = runScenario(base).report;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(b.traceHash).toBe(a.traceHash);
    expect(a.events.length).toBeGreaterThan(20);
  });

  it("gives another trace for another seed", () => {
    const other = scenario({ preset: "async", relayBlocks: 15, network: { loss: 0.01 }, seed: 2 });
    expect(json(other)).not.toBe(json(base));
  });

  it("does not depend on the crypto mode for what it models, but for who checks approvals", () => {
    const none = runScenario(scenario({ preset: "async", relayBlocks: 10, crypto: "none" })).report;
    const ed = runScenario(
      scenario({ preset: "async", relayBlocks: 10, crypto: "ed25519" }),
    ).report;
    // The assignment VRF is keyed by the validators' keys, which differ per scheme: with 2
    // availability cores (2 groups) and 2 modulo samples, who checks at tranche 0 differs, and
    // with it the approval figures. Everything else is the same.
    const withoutApproval = (paras: typeof none.paras) =>
      Object.fromEntries(
        Object.entries(paras).map(([id, { approval, approvalMs, ...rest }]) => [id, rest]),
      );
    expect(withoutApproval(ed.paras)).toEqual(withoutApproval(none.paras));
    expect(ed.paras["2000"]?.approval.candidates.length).toBe(
      none.paras["2000"]?.approval.candidates.length,
    );
  });
});
