/**
 * The safety checkers must be able to fail: replay a real run's blocks into a fresh checker,
 * tamper with one block, and see the right invariant fire.
 */
import { describe, expect, it } from "vitest";
import { SafetyChecker } from "../../src/sim/checkers.ts";
import type { RelayBlockRecord } from "../../src/sim/records.ts";
import { run } from "./helpers.ts";

function replay(tamper: (b: RelayBlockRecord, i: number) => RelayBlockRecord) {
  const o = run({ preset: "async", relayBlocks: 10 });
  const w = o.world;
  const g = w.chain.at(0)!.state;
  const checker = new SafetyChecker({
    config: g.config,
    validators: w.scenario.relay.validators,
    groups: g.scheduler.validatorGroups,
    sessionStartBlock: g.scheduler.sessionStartBlock,
    genesisHeads: new Map(w.paras.map((p) => [p.spec.id, p.genesis.headHash])),
    blockFacts: (hash) => w.blocks.get(hash),
    relayNumber: (hash) => w.chain.header(hash)?.number,
  });
  w.relayBlocks.forEach((b, i) => {
    const t = tamper(b, i);
    checker.onBlock({
      number: t.header.number,
      events: t.events,
      offered: t.offered,
      accepted: t.accepted,
      dropped: { candidates: [] },
      decision: null,
    });
  });
  return checker.violations.map((v) => v.invariant);
}

describe("safety checkers", () => {
  it("accept an untampered run", () => {
    expect(replay((b) => b)).toEqual([]);
  });

  it("catch a candidate included without availability", () => {
    const v = replay((b) => ({ ...b, accepted: { ...b.accepted, bitfields: [] } }));
    expect(v).toContain("available");
  });

  it("catch a candidate included twice", () => {
    const v = replay((b) => ({
      ...b,
      events: [...b.events, ...b.events.filter((e) => e.kind === "CandidateIncluded")],
    }));
    expect(v).toContain("included-twice");
  });

  it("catch a candidate backed with too few votes", () => {
    const v = replay((b) => ({
      ...b,
      accepted: {
        ...b.accepted,
        backedCandidates: b.accepted.backedCandidates.map((c) => ({
          ...c,
          validityVotes: c.validityVotes.slice(0, 1),
          validatorIndices: c.validatorIndices.map(
            (bit, i) => bit && i === c.validatorIndices.indexOf(true),
          ),
        })),
      },
    }));
    expect(v).toContain("backed-by-group");
  });

  it("catch included heads that do not chain", () => {
    let dropped = false;
    const v = replay((b) => {
      if (dropped || !b.events.some((e) => e.kind === "CandidateIncluded")) return b;
      dropped = true;
      return { ...b, events: b.events.filter((e) => e.kind !== "CandidateIncluded") };
    });
    expect(v).toContain("heads-chain");
  });
});
