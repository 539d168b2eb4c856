import { describe, expect, it } from "vitest";
import { PRESETS } from "../../src/config/presets.ts";
import { parseScenarioText, resolveScenario } from "../../src/config/scenario.ts";

const resolve = (input: unknown) => {
  const r = resolveScenario(input);
  if (!r.ok) throw new Error(r.error.join("\n"));
  return r.value;
};
const errorsOf = (input: unknown) => {
  const r = resolveScenario(input);
  return r.ok ? [] : r.error;
};

describe("presets", () => {
  it("hold the values of SCENARIO.md's table", () => {
    const rows: [string, number, number, number, number, number, string, number, number][] = [
      // name, validators, depth, lookahead, cores, maxValidatorsPerCore, collator, capacity, velocity
      ["sync", 10, 0, 1, 1, 5, "basic", 1, 1],
      ["async", 12, 3, 3, 1, 5, "lookahead", 3, 1],
      ["elastic-3", 12, 6, 3, 3, 4, "slot-based", 7, 3],
      ["elastic-12", 12, 24, 3, 12, 1, "slot-based", 25, 12],
    ];
    for (const [
      name,
      validators,
      depth,
      lookahead,
      cores,
      perCore,
      kind,
      capacity,
      velocity,
    ] of rows) {
      const p = PRESETS[name as keyof typeof PRESETS];
      const hc = p.relay.hostConfiguration;
      expect(p.relay.validators, name).toBe(validators);
      expect(hc.asyncBackingParams.maxCandidateDepth, name).toBe(depth);
      expect(hc.schedulerParams.lookahead, name).toBe(lookahead);
      expect(hc.schedulerParams.numCores, name).toBe(cores);
      expect(hc.schedulerParams.maxValidatorsPerCore, name).toBe(perCore);
      expect(p.parachains[0]!.cores, name).toBe(cores);
      expect(p.parachains[0]!.collator.kind, name).toBe(kind);
      expect(p.parachains[0]!.runtime.unincludedSegmentCapacity, name).toBe(capacity);
      expect(p.parachains[0]!.runtime.blockProcessingVelocity, name).toBe(velocity);
    }
    expect(PRESETS.sync.parachains[0]!.runtime.slotDurationMs).toBe(12000);
    expect(PRESETS.sync.relay.hostConfiguration.asyncBackingParams.allowedAncestryLen).toBe(0);
    expect(PRESETS["elastic-3"].parachains[0]!.collator.slotOffsetMs).toBe(1000);
    // SEMANTICS.md §7: the current generation, and C5-C7's defaults, in every preset.
    for (const p of Object.values(PRESETS)) {
      expect(p.generation, p.name).toBe("current");
      expect(p.relay.blockArrivalDelayMs, p.name).toBe(0);
      const para = p.parachains[0]!;
      expect(para.collator.proposalTimeFraction, p.name).toBeCloseTo(2 / 3, 12);
      expect(para.collator.softDeadlinePercent, p.name).toBe(50);
      expect(para.runtime.normalDispatchRatio, p.name).toBe(0.75);
      expect(para.runtime.importCostOfWeight, p.name).toBe(1);
    }
  });

  it("are valid scenarios themselves", () => {
    for (const name of Object.keys(PRESETS)) expect(errorsOf({ preset: name })).toEqual([]);
  });
});

describe("resolveScenario", () => {
  it("defaults to the async preset", () => {
    expect(resolve({}).preset).toBe("async");
    expect(resolve({}).parachains[0]!.collator.kind).toBe("lookahead");
  });

  it("merges objects key by key", () => {
    const s = resolve({
      preset: "sync",
      relay: { hostConfiguration: { schedulerParams: { lookahead: 2 } } },
    });
    expect(s.relay.hostConfiguration.schedulerParams.lookahead).toBe(2);
    expect(s.relay.hostConfiguration.schedulerParams.groupRotationFrequency).toBe(10);
    expect(s.relay.validators).toBe(10);
  });

  it("replaces the parachains list, each entry starting from the preset's parachain", () => {
    const s = resolve({
      relay: { hostConfiguration: { schedulerParams: { numCores: 2 } } },
      parachains: [{ id: 2000 }, { id: 2001, runtime: { unincludedSegmentCapacity: 1 } }],
    });
    expect(s.parachains.map((p) => p.id)).toEqual([2000, 2001]);
    expect(s.parachains[1]!.runtime.unincludedSegmentCapacity).toBe(1);
    expect(s.parachains[1]!.runtime.blockProcessingVelocity).toBe(1);
    expect(s.parachains[1]!.collator.kind).toBe("lookahead");
  });

  it("lets txPerSecond replace saturation", () => {
    const s = resolve({ parachains: [{ load: { txPerSecond: 50 } }] });
    expect(s.parachains[0]!.load).toMatchObject({ saturate: false, txPerSecond: 50 });
  });

  it("names the key, what was expected and what was found", () => {
    expect(errorsOf({ parachains: [{ runtime: { blockProcessingVelocity: "fast" } }] })).toEqual([
      'parachains[0].runtime.blockProcessingVelocity: expected an integer from 0 to 10000, got "fast"',
    ]);
    expect(errorsOf({ relay: { validatorz: 3 } })[0]).toMatch(/^relay\.validatorz: unknown key/);
    expect(errorsOf({ crypto: "rsa" })[0]).toBe(
      'crypto: expected one of "sr25519", "ed25519", "none", got "rsa"',
    );
    expect(errorsOf({ preset: "turbo" })[0]).toMatch(/^preset: expected one of "sync"/);
    expect(errorsOf({ network: { loss: 2 } })[0]).toBe(
      "network.loss: expected a number >= 0 and <= 1, got 2",
    );
    expect(errorsOf({ parachains: [] })[0]).toBe(
      "parachains: expected a list of at least 1, got a list",
    );
    expect(errorsOf([1])[0]).toBe("(top level): expected an object, got a list");
    expect(errorsOf({ generation: "2025" })[0]).toBe(
      'generation: expected one of "current", "2024", got "2025"',
    );
    expect(errorsOf({ parachains: [{ collator: { proposalTimeFraction: 0 } }] })[0]).toBe(
      "parachains[0].collator.proposalTimeFraction: expected a number > 0 and <= 1, got 0",
    );
    expect(errorsOf({ parachains: [{ runtime: { normalDispatchRatio: 1.5 } }] })[0]).toBe(
      "parachains[0].runtime.normalDispatchRatio: expected a number > 0 and <= 1, got 1.5",
    );
  });

  it("refuses scenarios whose parts disagree", () => {
    expect(errorsOf({ parachains: [{ id: 1 }, { id: 2 }] })[0]).toMatch(
      /numCores: expected at least 2/,
    );
    expect(
      errorsOf({
        relay: { hostConfiguration: { schedulerParams: { numCores: 2 } } },
        parachains: [{ id: 1 }, { id: 1 }],
      })[0],
    ).toMatch(/parachains\[1\]\.id/);
    expect(errorsOf({ parachains: [{ load: { saturate: true, txPerSecond: 3 } }] })[0]).toMatch(
      /either saturate/,
    );
    expect(errorsOf({ relay: { blockArrivalDelayMs: 6000 } })[0]).toBe(
      "relay.blockArrivalDelayMs: expected less than the relay slot (6000 ms), got 6000",
    );
  });
});

describe("parseScenarioText", () => {
  it("reads YAML and JSON", () => {
    expect(parseScenarioText("name: x\nseed: 3\n")).toEqual({
      ok: true,
      value: { name: "x", seed: 3 },
    });
    expect(parseScenarioText('{"seed": 4}')).toEqual({ ok: true, value: { seed: 4 } });
  });
  it("reports syntax errors", () => {
    const r = parseScenarioText("name: [unclosed\n");
    expect(r.ok).toBe(false);
  });
});
