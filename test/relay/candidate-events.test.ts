/**
 * The `candidate_events` runtime API: at a relay block, that block's own backing, inclusion and
 * time-out events (approval voting reads the included candidates of each block through it).
 */
import { describe, expect, it } from "vitest";
import { run } from "../sim/helpers.ts";

describe("candidate_events", () => {
  it("answers each block's own candidate events, as the block deposited them", () => {
    const { world } = run({ preset: "async", relayBlocks: 6, crypto: "none" }, true);
    let seen = 0;
    for (const b of world.relayBlocks) {
      const api = world.chain.api(b.header.hash)!;
      const fromApi = api.candidateEvents().map((e) => [e.kind, e.candidateHash, e.core]);
      const recorded = b.events
        .filter((e) => e.kind !== "UpwardMessagesReceived")
        .map((e) => [
          e.kind,
          (e as { candidateHash: string }).candidateHash,
          (e as { core: number }).core,
        ]);
      expect(fromApi).toEqual(recorded);
      seen += fromApi.length;
    }
    expect(seen).toBeGreaterThan(5);
  });
});

describe("approval parameters (session_info)", () => {
  it("are the scenario's host configuration", () => {
    const { world } = run({
      preset: "async",
      relayBlocks: 2,
      crypto: "none",
      relay: { hostConfiguration: { neededApprovals: 7, noShowSlots: 3 } },
    });
    const api = world.chain.api(world.chain.tip.header.hash)!;
    // n_cores is the number of availability cores, one per group: 12 validators with at most
    // 5 per core make 2 groups, though `num_cores` is 1.
    expect(api.approvalParams()).toMatchObject({ neededApprovals: 7, noShowSlots: 3, nCores: 2 });
    expect(world.scenario.relay.hostConfiguration.schedulerParams.numCores).toBe(1);
  });
});
