import { it } from "vitest";
import { scenarioFaults } from "../../src/config/scenario.ts";
import { runScenario } from "../../src/report/run.ts";
import { scenario } from "./helpers.ts";

it("probe", () => {
  for (const preset of ["async", "elastic-3", "sync"]) for (let seed = 1; seed <= 5; seed++) {
    const s = scenario({ preset, seed, crypto: "none", warmupRelayBlocks: 2, relayBlocks: 30, network: { loss: seed % 2 ? 0.05 : 0 },
      faultPlan: { seed, perRelayBlock: 0.25, kinds: ["crash", "collator-offline"] } });
    try {
      const o = runScenario(s);
      const f = scenarioFaults(s);
      const incl = o.world.events.filter((e) => e.type === "CandidateIncluded").length;
      console.log(preset, seed, f.map((x) => `${x.kind}@${x.at}+${x.for}${"validators" in x ? JSON.stringify(x.validators) : ""}`).join(" "), "tip", o.world.chain.tip.header.number, "incl", incl, "fin", o.world.finality.finalized, "viol", JSON.stringify(o.report.safety.violations).slice(0, 300));
    } catch (e) { console.log(preset, seed, "ERROR", (e as Error).stack?.slice(0, 800)); }
  }
}, 900_000);
