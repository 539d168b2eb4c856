import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseScenarioText, resolveScenario } from "../../src/config/scenario.ts";
import { runScenario } from "../../src/report/run.ts";

const DIR = join(import.meta.dirname, "../../examples");

describe("example scenarios", () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith(".yaml"));
  it("exist", () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });
  for (const f of files) {
    it(`${f} is a valid scenario`, () => {
      const parsed = parseScenarioText(readFileSync(join(DIR, f), "utf8"));
      expect(parsed.ok).toBe(true);
      const r = resolveScenario(parsed.ok ? parsed.value : null);
      expect(r.ok ? [] : r.error).toEqual([]);
    });
  }
});

/**
 * What each example's comment says a run gives (its seed). Run with `crypto: none` (fast) where
 * the mode changes nothing the comment states; `ownCrypto` where it does (the approval checkers'
 * VRF is keyed by the validators' keys).
 */
const STATED: Record<
  string,
  {
    readonly generation?: "current" | "2024";
    readonly ownCrypto?: boolean;
    readonly expect: object;
  }
> = {
  "full-blocks-handover-2024.yaml": {
    expect: { backed15: "116..144", authored: { blocks: 708, forks: 44 } },
  },
  "elastic-3-one-collator.yaml": {
    expect: { backed15: "45..45", authored: { blocks: 177, forks: 0 } },
  },
  // With its own crypto mode (sr25519): the assignment VRF picks the approval checkers, whose
  // recoveries share the lossy network, so the figures are the command's, not `none`'s.
  "lossy-network.yaml": {
    ownCrypto: true,
    expect: { backed15: "13..14", intervalS: "6.55", edge: 5 },
  },
  "async-capacity-1.yaml": { expect: { backed15: "7..8", intervalS: "12.00" } },
  // Faults and adversaries: its own crypto mode, as the comment quotes it.
  "under-attack.yaml": {
    ownCrypto: true,
    expect: {
      included: 24,
      stalls: "32..41, 44..49",
      recovered: 6,
      violations: 0,
      invalidBacked: 0,
      acts: { "invalid-pov": 34, "seconds-invalid": 18 },
    },
  },
};

describe("example scenarios give what their comments say", () => {
  for (const [file, stated] of Object.entries(STATED)) {
    it(file, () => {
      const parsed = parseScenarioText(readFileSync(join(DIR, file), "utf8"));
      if (!parsed.ok) throw new Error(parsed.error.join());
      const crypto = stated.ownCrypto === true ? {} : { crypto: "none" };
      const r = resolveScenario({ ...(parsed.value as object), ...crypto });
      if (!r.ok) throw new Error(r.error.join());
      const { report } = runScenario(r.value);
      const p = report.paras["2000"]!;
      const got: Record<string, unknown> = {
        backed15: `${p.backedPer15RelayBlocks?.min}..${p.backedPer15RelayBlocks?.max}`,
        authored: p.authored,
        intervalS: ((p.inclusionIntervalMs ?? 0) / 1000).toFixed(2),
        edge: report.safety.availabilityEdgeDrops,
        included: p.included,
        stalls: report.liveness?.["2000"]?.stalls
          .map((st) => `${st.fromRelayBlock}..${st.toRelayBlock}`)
          .join(", "),
        recovered: report.liveness?.["2000"]?.recoveredWithinRelayBlocks,
        violations: report.safety.violations.length,
        invalidBacked: report.invalidCandidates?.length,
        acts: report.adversaries?.acts,
      };
      const picked = Object.fromEntries(Object.keys(stated.expect).map((k) => [k, got[k]]));
      expect(picked).toEqual(stated.expect);
    }, 120_000);
  }
});
