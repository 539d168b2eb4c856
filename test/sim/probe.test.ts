import { it } from "vitest";
import { run } from "./helpers.ts";

it("probe", () => {
  const { world, report } = run({ preset: "async", seed: 1, crypto: "none", warmupRelayBlocks: 2, relayBlocks: 24,
    faults: [{ at: 6, for: 5, kind: "crash", validators: [3, 4, 11], loseStore: false }] }, true);
  console.log(world.relayBlocks.map((r) => `${r.header.number}@${r.header.slot}:${r.author}:${r.events.filter((e) => e.kind === "CandidateIncluded").length}`).join(" "));
  console.log(JSON.stringify(report.safety.violations), world.finality.finalized, report.paras["2000"]?.included ?? Object.keys(report.paras["2000"]!));
}, 120_000);
