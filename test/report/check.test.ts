/**
 * The configuration doctor (`src/report/check`): the presets are clean on both generations, each
 * bad configuration gives exactly its finding(s), the handover timeline follows the slot-timer
 * rules, and the evidence is what the simulations of the given and fixed configurations measure.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PRESET_NAMES } from "../../src/config/presets.ts";
import { parseScenarioText, resolveScenario, type Scenario } from "../../src/config/scenario.ts";
import { InvariantError } from "../../src/lib/assert.ts";
import { checkScenario, evidenceScenarios, type Finding } from "../../src/report/check/check.ts";
import {
  applyFix,
  type Measured,
  measure,
  type SimulatedEvidence,
} from "../../src/report/check/evidence.ts";
import { formatCheck } from "../../src/report/check/format.ts";
import { handover } from "../../src/report/check/handover.ts";
import { diagnose, FINDING_IDS } from "../../src/report/check/rules.ts";
import { runScenario } from "../../src/report/run.ts";

function scenario(input: object): Scenario {
  const r = resolveScenario(input);
  if (!r.ok) throw new Error(r.error.join("\n"));
  return r.value;
}

function example(file: string, extra: object = {}): Scenario {
  const text = readFileSync(join(import.meta.dirname, "../../examples", file), "utf8");
  const parsed = parseScenarioText(text);
  if (!parsed.ok) throw new Error(parsed.error.join());
  return scenario({ ...(parsed.value as object), ...extra });
}

const ids = (s: Scenario) => diagnose(s).map((d) => `${d.severity} ${d.id}`);
const para = (p: object) => ({ parachains: [{ id: 2000, ...p }] });
const FULL_BLOCKS = {
  collator: { proposalTimeFraction: 1 },
  runtime: { normalDispatchRatio: 1, importCostOfWeight: 1 },
};

/** A simulator that must not be called (a check without findings runs nothing). */
const noSimulation = () => {
  throw new Error("simulated although nothing was found");
};

/** Runs scenarios and counts them. */
function countingSimulator() {
  const runs: Scenario[] = [];
  return {
    runs,
    simulate: (s: Scenario) => {
      runs.push(s);
      return runScenario(s);
    },
  };
}

function simulated(f: Finding | undefined): SimulatedEvidence {
  if (f === undefined || "rule" in f.evidence) throw new Error("expected simulated evidence");
  return f.evidence;
}

describe("check: the presets", () => {
  for (const generation of ["current", "2024"] as const) {
    for (const preset of PRESET_NAMES) {
      it(`${preset} (${generation}) has no finding and runs no simulation`, () => {
        const s = scenario({ preset, generation });
        expect(checkScenario(s, { simulate: noSimulation })).toEqual({ findings: [] });
      });
    }
  }
});

describe("check: each bad configuration gives exactly its finding(s)", () => {
  const cases: readonly [string, object, readonly string[]][] = [
    [
      "lookahead 1 on async backing",
      { preset: "async", relay: { hostConfiguration: { schedulerParams: { lookahead: 1 } } } },
      ["warning lookahead-too-short", "warning lookahead-below-ancestry"],
    ],
    [
      "lookahead 2 with allowed ancestry 2",
      { preset: "async", relay: { hostConfiguration: { schedulerParams: { lookahead: 2 } } } },
      ["warning lookahead-below-ancestry"],
    ],
    [
      "capacity 1 with 6 s slots",
      { preset: "async", ...para({ runtime: { unincludedSegmentCapacity: 1 } }) },
      ["error capacity-one-6s-slots"],
    ],
    [
      "capacity 1 under the expect-parent-included hook",
      { preset: "async", ...para({ runtime: { consensusHook: "expect-parent-included" } }) },
      ["error capacity-one-6s-slots"],
    ],
    [
      "capacity 6 on 3 cores",
      { preset: "elastic-3", ...para({ runtime: { unincludedSegmentCapacity: 6 } }) },
      ["warning capacity-too-small-for-cores"],
    ],
    [
      "depth 3 on 3 cores, 2024",
      {
        preset: "elastic-3",
        generation: "2024",
        relay: { hostConfiguration: { asyncBackingParams: { maxCandidateDepth: 3 } } },
      },
      ["warning candidate-depth-too-small"],
    ],
    [
      "depth 3 on 3 cores, current (the claim queue bounds the chain)",
      {
        preset: "elastic-3",
        relay: { hostConfiguration: { asyncBackingParams: { maxCandidateDepth: 3 } } },
      },
      [],
    ],
    [
      "runtime relay slot 12 s on a 6 s relay chain",
      { preset: "async", ...para({ runtime: { relayChainSlotDurationMillis: 12000 } }) },
      ["error relay-slot-mismatch"],
    ],
    [
      "runtime relay slot 12 s under the expect-parent-included hook (latent)",
      { preset: "sync", ...para({ runtime: { relayChainSlotDurationMillis: 12000 } }) },
      ["warning relay-slot-mismatch"],
    ],
    [
      "2 s para slots with the slot-based collator",
      { preset: "elastic-3", ...para({ runtime: { slotDurationMs: 2000 } }) },
      ["error para-slot-mismatch"],
    ],
    [
      "12 s para slots on 6 s relay slots (valid)",
      { preset: "elastic-3", ...para({ runtime: { slotDurationMs: 12000 } }) },
      [],
    ],
    [
      "velocity 1 on 3 cores",
      { preset: "elastic-3", ...para({ runtime: { blockProcessingVelocity: 1 } }) },
      ["warning velocity-below-cores"],
    ],
    [
      "3 s of weight against a 2.5 s backing timeout",
      {
        preset: "async",
        ...para({
          collator: { authoringDurationMs: 3000 },
          runtime: { maximumBlockWeightMs: 3000 },
        }),
      },
      ["error execution-over-backing-timeout", "warning collator-handover-too-tight"],
    ],
    [
      "validators twice as slow as the collator",
      { preset: "async", validatorSpeed: 2 },
      ["error execution-over-backing-timeout"],
    ],
    [
      "authoring 1 s for 2 s of weight",
      { preset: "async", ...para({ collator: { authoringDurationMs: 1000 } }) },
      ["warning authoring-shorter-than-weight"],
    ],
    [
      "authoring 3 s on a 2 s tick",
      { preset: "elastic-3", ...para({ collator: { authoringDurationMs: 3000 } }) },
      ["warning authoring-longer-than-slot-share"],
    ],
    [
      "strict relay numbers on 3 cores",
      { preset: "elastic-3", ...para({ runtime: { checkAssociatedRelayNumber: "strict" } }) },
      ["error strict-relay-number-with-multiple-blocks"],
    ],
    [
      "strict relay numbers with the lookahead collator at velocity 1 (latent)",
      { preset: "async", ...para({ runtime: { checkAssociatedRelayNumber: "strict" } }) },
      ["warning strict-relay-number-with-multiple-blocks"],
    ],
    [
      "one block per slot on 12 cores",
      { preset: "elastic-12", ...para({ runtime: { allowMultipleBlocksPerSlot: false } }) },
      ["error single-block-per-slot-with-multiple-blocks"],
    ],
    [
      "one block per slot with the lookahead collator at velocity 1 (latent)",
      { preset: "async", ...para({ runtime: { allowMultipleBlocksPerSlot: false } }) },
      ["warning single-block-per-slot-with-multiple-blocks"],
    ],
    [
      "full blocks on 3 cores, current",
      { preset: "elastic-3", ...para(FULL_BLOCKS) },
      ["warning collator-handover-too-tight"],
    ],
    [
      "full blocks on 3 cores, 2024",
      { preset: "elastic-3", generation: "2024", ...para(FULL_BLOCKS) },
      ["warning collator-handover-too-tight"],
    ],
    [
      "full blocks on 3 cores with one collator (no handover)",
      { preset: "elastic-3", ...para({ ...FULL_BLOCKS, collators: 1 }) },
      [],
    ],
    [
      "full blocks on 12 cores, current (#10154 leaves the room)",
      { preset: "elastic-12", ...para(FULL_BLOCKS) },
      [],
    ],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      expect(ids(scenario(input))).toEqual(expected);
    });
  }

  it("the examples: capacity 1 and full blocks under 2024", () => {
    expect(ids(example("async-capacity-1.yaml"))).toEqual(["error capacity-one-6s-slots"]);
    expect(ids(example("full-blocks-handover-2024.yaml"))).toEqual([
      "warning collator-handover-too-tight",
    ]);
    expect(ids(example("full-blocks-handover-2024.yaml", { generation: "current" }))).toEqual([]);
    expect(ids(example("elastic-3-one-collator.yaml"))).toEqual([]);
  });

  it("every finding id of SCENARIO.md is produced by some case above", () => {
    const produced = new Set(cases.flatMap(([, , e]) => e.map((x) => x.split(" ")[1])));
    expect(FINDING_IDS.filter((id) => !produced.has(id))).toEqual([]);
  });

  it("names the para's key paths and values in the message", () => {
    const [d] = diagnose(
      scenario({ preset: "elastic-3", ...para({ runtime: { unincludedSegmentCapacity: 6 } }) }),
    );
    expect(d?.message).toContain("parachains[0].runtime.unincludedSegmentCapacity 6");
    expect(d?.message).toContain("= 7");
    expect(d?.reference).toContain("BLOCK_PROCESSING_VELOCITY");
  });
});

describe("check: examples/check has one scenario per finding id, giving what its first line says", () => {
  for (const id of FINDING_IDS) {
    it(id, () => {
      const text = readFileSync(
        join(import.meta.dirname, "../../examples/check", `${id}.yaml`),
        "utf8",
      );
      const stated = /^# parapipe check: (.*)$/m.exec(text)?.[1]?.split(", ");
      expect(stated).toContain(id);
      const parsed = parseScenarioText(text);
      if (!parsed.ok) throw new Error(parsed.error.join());
      expect(diagnose(scenario(parsed.value as object)).map((d) => d.id)).toEqual(stated);
    });
  }
});

describe("check: the handover timeline, from the slot-timer rules", () => {
  const h = (input: object) => {
    const s = scenario(input);
    return handover(s, s.parachains[0]!, s.generation, s.network.latencyMs.mean);
  };

  it("2024, 12 cores, full blocks: the last block starts one tick (500 ms) before the next author", () => {
    const x = h({ preset: "elastic-12", generation: "2024", ...para(FULL_BLOCKS) });
    expect(x?.gapMs).toBe(500);
    expect(x?.lastBlock.authoringMs).toBe(400);
    expect(x?.lastBlock.executionMs).toBe(250); // the block is full at its weight
    expect(x?.slackMs).toBeLessThan(0);
  });

  it("current, 12 cores: #10154 builds nothing in the last second, the gap is 1.5 s", () => {
    const x = h({ preset: "elastic-12", ...para(FULL_BLOCKS) });
    expect(x?.gapMs).toBe(1500);
    expect(x?.slackMs).toBeGreaterThan(0);
  });

  it("current, 3 cores, full blocks: authoring cut to 1000 ms, the block still takes 1000 ms", () => {
    const x = h({ preset: "elastic-3", ...para(FULL_BLOCKS) });
    expect(x?.gapMs).toBe(2000);
    expect(x?.lastBlock.authoringMs).toBe(1000);
    expect(x?.lastBlock.buildMs).toBe(1000);
    expect(x?.slackMs).toBeLessThan(0);
  });

  it("the presets keep room (2024's elastic-12 by less than the latency's jitter and more)", () => {
    for (const generation of ["current", "2024"] as const) {
      for (const preset of ["async", "elastic-3", "elastic-12"]) {
        expect(h({ preset, generation })?.slackMs).toBeGreaterThan(0);
      }
    }
    expect(h({ preset: "sync" })).toBeNull(); // the basic collator builds on the included block
  });
});

describe("check: evidence by simulation", () => {
  it("capacity 1 with 6 s slots: 12 s blocks given, 6 s with the guide's capacity 3", () => {
    const { findings } = checkScenario(example("async-capacity-1.yaml"));
    const e = simulated(findings[0]);
    expect(e.fix).toEqual({ "parachains[0].runtime.unincludedSegmentCapacity": 3 });
    expect(e.given.blockTimeMsMean).toBe(12000);
    expect(e.fixed.blockTimeMsMean).toBe(6000);
    expect(e.simulation).toEqual({
      seed: 1,
      relayBlocks: 30,
      warmupRelayBlocks: 5,
      generation: "current",
      crypto: "none",
    });
  });

  it("lookahead 1: the block time holds, the second block per relay block is wasted", () => {
    const counting = countingSimulator();
    const { findings } = checkScenario(
      scenario({
        preset: "async",
        relay: { hostConfiguration: { schedulerParams: { lookahead: 1 } } },
      }),
      counting,
    );
    const e = simulated(findings.find((f) => f.id === "lookahead-too-short"));
    expect(e.given.inclusionIntervalMs).toBe(6000);
    expect(e.fixed.inclusionIntervalMs).toBe(6000);
    expect(e.given.wastedBlocks).toBeGreaterThan(20);
    expect(e.fixed.wastedBlocks).toBe(0);
    expect(findings.find((f) => f.id === "lookahead-below-ancestry")?.evidence).toEqual({
      rule: "schedulingLookahead - 1 = 0 < allowedAncestryLen = 2",
    });
    expect(counting.runs.length).toBe(2);
  });

  it("relay slot mismatch: every block panics in the consensus hook, none with the matching value", () => {
    const { findings } = checkScenario(
      scenario({ preset: "async", ...para({ runtime: { relayChainSlotDurationMillis: 12000 } }) }),
    );
    const e = simulated(findings[0]);
    expect(e.given.runtimePanics).toBeGreaterThan(0);
    expect(e.given.firstPanicRelayBlock).toBe(1);
    expect(e.given.firstPanicMessage).toContain("Parachain slot must match relay-derived slot");
    expect(e.given.inclusionIntervalMs).toBeNull();
    expect(e.fixed.runtimePanics).toBe(0);
  });

  it("strict relay numbers and one block per slot on 3 cores: panics, 6 s blocks; one given run for both", () => {
    const counting = countingSimulator();
    const { findings } = checkScenario(
      scenario({
        preset: "elastic-3",
        ...para({
          runtime: { checkAssociatedRelayNumber: "strict", allowMultipleBlocksPerSlot: false },
        }),
      }),
      counting,
    );
    expect(findings.map((f) => f.id)).toEqual([
      "strict-relay-number-with-multiple-blocks",
      "single-block-per-slot-with-multiple-blocks",
    ]);
    const strict = simulated(findings[0]);
    expect(strict.given.firstPanicMessage).toMatch(/Slot must increase|strictly increase/);
    expect(strict.given.blockTimeMsMean).toBe(6000);
    expect(counting.runs.length).toBe(3); // the given run is shared
  });

  it("evidenceScenarios lists the runs in checkScenario's order; their figures handed back give the same findings", () => {
    const s = example("async-capacity-1.yaml");
    const figures = new Map<string, Measured>();
    const direct = checkScenario(s, {
      simulate: (run) => {
        const outcome = runScenario(run);
        figures.set(JSON.stringify(run), measure(outcome));
        return outcome;
      },
    });
    const runs = evidenceScenarios(s);
    expect(runs.map((r) => JSON.stringify(r))).toEqual([...figures.keys()]);
    expect(runs).toHaveLength(2);
    // As `check --jobs` does: the runs made elsewhere, their figures given back.
    const handed = checkScenario(s, {
      simulate: noSimulation,
      figures: (run) => figures.get(JSON.stringify(run))!,
    });
    expect(handed).toEqual(direct);
    expect(evidenceScenarios(scenario({ preset: "async", validatorSpeed: 2 }))).toEqual([]);
  });

  it("full blocks on 3 cores (current): the handover forks; the weight fix removes every fork", () => {
    const { findings } = checkScenario(scenario({ preset: "elastic-3", ...para(FULL_BLOCKS) }));
    const e = simulated(findings[0]);
    expect(e.fix).toEqual({ "parachains[0].runtime.maximumBlockWeightMs": 900 });
    expect(e.given.forks).toBeGreaterThan(0);
    expect(e.fixed.forks).toBe(0);
    expect(e.fixed.wastedBlocks).toBe(0);
    expect(e.computed?.given?.slackMs).toBeLessThan(0);
    expect(e.computed?.fixed?.slackMs).toBeGreaterThanOrEqual(0);
  });

  it("full blocks on 12 cores (2024, the example): the current generation removes every fork", () => {
    const { findings } = checkScenario(example("full-blocks-handover-2024.yaml"));
    const e = simulated(findings[0]);
    expect(e.fix).toEqual({ generation: "current" });
    expect(e.given.forks).toBeGreaterThan(0);
    expect(e.fixed.forks).toBe(0);
    expect(e.simulation.generation).toBe("2024");
  });

  it("a static finding carries its rule with the scenario's figures, and no simulation runs", () => {
    const { findings } = checkScenario(scenario({ preset: "async", validatorSpeed: 2 }), {
      simulate: noSimulation,
    });
    expect(findings[0]?.evidence).toEqual({
      rule: expect.stringContaining("= 4000 ms > pvfExecTimeoutBackingMs = 2500 ms"),
    });
  });

  it("evidence runs are no longer than the scenario asks for", () => {
    const counting = countingSimulator();
    checkScenario(
      scenario({
        preset: "async",
        relayBlocks: 15,
        ...para({ runtime: { relayChainSlotDurationMillis: 3000 } }),
      }),
      counting,
    );
    expect(counting.runs.map((s) => [s.relayBlocks, s.crypto])).toEqual([
      [15, "none"],
      [15, "none"],
    ]);
  });
});

describe("check: fixes and the text", () => {
  it("a fix sets its key paths and is checked as a scenario", () => {
    const s = scenario({ preset: "async" });
    const fixed = applyFix(s, {
      "parachains[0].runtime.unincludedSegmentCapacity": 5,
      "relay.hostConfiguration.schedulerParams.lookahead": 2,
    });
    expect(fixed.parachains[0]?.runtime.unincludedSegmentCapacity).toBe(5);
    expect(fixed.relay.hostConfiguration.schedulerParams.lookahead).toBe(2);
    expect(s.parachains[0]?.runtime.unincludedSegmentCapacity).toBe(3);
    expect(() => applyFix(s, { "parachains[0].runtime.slotDurationMs": -1 })).toThrow(
      InvariantError,
    );
    expect(() => applyFix(s, { "parachains[3].cores": 2 })).toThrow(InvariantError);
  });

  it("prints each finding with its figures and units, and a closing line", () => {
    const text = formatCheck("examples/async-capacity-1.yaml", "current", {
      findings: checkScenario(example("async-capacity-1.yaml")).findings,
    });
    expect(text).toContain("error capacity-one-6s-slots");
    expect(text).toMatch(/block time, mean\s+12\.00 s -> 6\.00 s/);
    expect(text).toContain("reference: polkadot-sdk docs/sdk/src/guides/async_backing_guide.rs");
    expect(text.split("\n").at(-1)).toBe(
      "examples/async-capacity-1.yaml (generation current): 1 finding, 1 error, 0 warnings",
    );
    expect(formatCheck("preset sync", "2024", { findings: [] })).toBe(
      "preset sync (generation 2024): no findings",
    );
  });
});
