/**
 * The `session-change` fault end to end: a new session at relay block 10 of a 25-block run (the
 * same validators, groups reshuffled from the seed). The runtime drops the candidates pending
 * availability and clears the allowed relay parents; the nodes pick the new session, groups and
 * rotation up from the runtime API, and every para includes again within the liveness bound
 * (`parasAvailabilityPeriod + 3` relay blocks), with no safety violation.
 */
import { describe, expect, it } from "vitest";
import { livenessRelayBlocks } from "../../src/config/scenario.ts";
import { Prng } from "../../src/lib/prng.ts";
import { candidateHash } from "../../src/primitives/candidate.ts";
import { validatorKeypair } from "../../src/primitives/keys.ts";
import { pureCrypto } from "../../src/primitives/signing.ts";
import { SafetyChecker } from "../../src/sim/checkers.ts";
import { SessionChanges } from "../../src/sim/session-changes.ts";
import { run, scenario } from "./helpers.ts";

const AT = 10;
const input = (preset: string, seed = 1) => ({
  preset,
  seed,
  crypto: "none",
  relayBlocks: 25,
  faults: [{ at: AT, kind: "session-change" }],
});

describe.each(["async", "elastic-3"])("a session change at block 10 (%s)", (preset) => {
  it("applies at block 10: new session, reshuffled groups, rotation from block 11", () => {
    const { world } = run(input(preset), true);
    const genesis = world.chain.at(0)!.state;
    const before = world.chain.at(AT - 1)!.state;
    const after = world.chain.at(AT)!.state;
    expect(before.shared.currentSessionIndex).toBe(0);
    expect(after.shared.currentSessionIndex).toBe(1);
    expect(after.scheduler.sessionStartBlock).toBe(AT + 1);
    expect(after.shared.activeValidatorKeys).toEqual(genesis.shared.activeValidatorKeys);
    const groups = after.scheduler.validatorGroups;
    expect(groups).not.toEqual(genesis.scheduler.validatorGroups);
    // The same validators, each in exactly one group, groups of the same sizes.
    expect(groups.flat().sort((a, b) => a - b)).toEqual(genesis.scheduler.validatorGroups.flat());
    expect(groups.map((g) => g.length)).toEqual(
      genesis.scheduler.validatorGroups.map((g) => g.length),
    );
    expect(after.inclusion.pendingAvailability.size).toBe(0);
  });

  it("every para includes again within the liveness bound, no safety violation", () => {
    const { world, report } = run(input(preset), true);
    expect(report.safety.violations).toEqual([]);
    const bound = livenessRelayBlocks(world.scenario);
    for (const para of world.paras) {
      const id = para.spec.id;
      const after = world.events.filter(
        (e) => e.type === "CandidateIncluded" && e.paraId === id && e.relayBlock > AT,
      );
      expect(after.length).toBeGreaterThan(0);
      expect(after[0]!.relayBlock).toBeLessThanOrEqual(AT + bound);
      // ... and keeps including: one inclusion or more in most blocks to the end.
      expect(new Set(after.map((e) => e.relayBlock)).size).toBeGreaterThan(
        world.scenario.relayBlocks - AT,
      );
    }
  });

  it("no candidate of an old-session relay parent is backed after the change", () => {
    const { world } = run(input(preset), true);
    const backed = world.events.filter((e) => e.type === "CandidateBacked" && e.relayBlock > AT);
    expect(backed.length).toBeGreaterThan(0);
    for (const e of backed) {
      const block = world.chain.at(e.relayBlock)!;
      const receipt = block.api
        .candidateEvents()
        .find((c) => c.kind === "CandidateBacked" && c.candidateHash === e.candidateHash)!;
      const rp = world.chain.header(receipt.receipt.descriptor.relayParent)!;
      expect(rp.number).toBeGreaterThanOrEqual(AT);
      expect(receipt.receipt.descriptor).toMatchObject({ sessionIndex: 1 });
    }
  });

  it("the nodes back as the new groups: signers span genesis groups", () => {
    const { world } = run(input(preset), true);
    const genesisGroups = world.chain.at(0)!.state.scheduler.validatorGroups;
    const groups = world.chain.at(AT)!.state.scheduler.validatorGroups;
    let spanning = 0;
    let checked = 0;
    for (const b of world.relayBlocks) {
      if (b.header.number <= AT) continue;
      const groupOf = new Map<string, number>();
      for (const e of b.events)
        if (e.kind === "CandidateBacked") groupOf.set(e.candidateHash, e.group);
      for (const bc of b.accepted.backedCandidates) {
        const members = groups[groupOf.get(candidateHash(bc.candidate))!]!;
        const signers = members.filter((_, i) => bc.validatorIndices[i] === true);
        expect(signers.length).toBeGreaterThan(0);
        checked++;
        // Validators that back together now were in different groups in session 0.
        if (!genesisGroups.some((g) => signers.every((v) => g.includes(v)))) spanning++;
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect(spanning).toBeGreaterThan(0);
  });

  it("finality moves past the session change", () => {
    const { world } = run(input(preset), true);
    expect(world.finality.finalized).toBeGreaterThan(AT + 5);
  });
});

describe("the safety checker across the session change", () => {
  /** Replay the run's blocks into a fresh checker; `hook`: tell it about the new session. */
  function replay(hook: boolean): string[] {
    const w = run(input("async"), true).world;
    const g = w.chain.at(0)!.state;
    const crypto = pureCrypto(w.scenario.crypto);
    const keys = Array.from(
      { length: w.scenario.relay.validators },
      (_, i) => validatorKeypair(crypto, i).publicKey,
    );
    const checker = new SafetyChecker({
      config: g.config,
      validators: w.scenario.relay.validators,
      groups: g.scheduler.validatorGroups,
      sessionStartBlock: g.scheduler.sessionStartBlock,
      genesisHeads: new Map(w.paras.map((p) => [p.spec.id, p.genesis.headHash])),
      blockFacts: (hash) => w.blocks.get(hash),
      relayNumber: (hash) => w.chain.header(hash)?.number,
      validatorKeys: keys,
      sessionIndex: 0,
      verify: (m, sig, k) => crypto.verify(m, sig, k),
    });
    for (const b of w.relayBlocks) {
      checker.onBlock(b);
      if (hook && b.header.number === AT) {
        const post = w.chain.at(AT)!.state;
        checker.onNewSession({
          startBlock: AT + 1,
          sessionIndex: 1,
          validatorKeys: keys,
          groups: post.scheduler.validatorGroups,
        });
      }
    }
    return checker.violations.map((v) => v.invariant);
  }

  it("with onNewSession: no violation; without: the new session's bitfields do not verify", () => {
    expect(replay(true)).toEqual([]);
    expect(replay(false)).toContain("bitfield-threshold");
  });
});

describe("the session-change fault's draws", () => {
  it("a run with the fault is deterministic (same seed, same trace hash)", () => {
    const one = run(input("async", 3));
    const two = run(input("async", 3), true); // another run (keeping history changes nothing drawn)
    expect(two.report.traceHash).toBe(one.report.traceHash);
  }, 120_000);

  it("SessionChanges: due at the first slot >= at, several in one block apply once", () => {
    const s = scenario(input("async"));
    const rng = Prng.fromSeed(5);
    const changes = new SessionChanges(
      [
        { at: 4, for: 0, until: 4, kind: "session-change" },
        { at: 4, for: 0, until: 4, kind: "session-change" },
        { at: 9, for: 0, until: 9, kind: "session-change" },
      ],
      rng,
    );
    const { world } = run(input("async"), true);
    const parent = world.chain.at(0)!.state;
    const n = parent.shared.activeValidatorKeys.length;
    expect(changes.at(3, parent)).toBeUndefined();
    const first = changes.at(4, parent)!;
    expect(first.sessionIndex).toBe(2); // two rotations due: the last one applies
    expect([...first.shuffle].sort((a, b) => a - b)).toEqual(
      Array.from({ length: n }, (_, i) => i),
    );
    expect(changes.at(5, parent)).toBeUndefined();
    // A slot skipped (no block at 9): the change applies in the first block after it.
    const later = changes.at(11, parent)!;
    expect(later.sessionIndex).toBe(1);
    // The shuffle of session s comes from its own stream: the same for the same seed.
    const again = new SessionChanges(
      [{ at: 4, for: 0, until: 4, kind: "session-change" }],
      Prng.fromSeed(5),
    );
    expect(again.at(4, parent)!.shuffle).toEqual(
      new SessionChanges(
        [{ at: 7, for: 0, until: 7, kind: "session-change" }],
        Prng.fromSeed(5),
      ).at(7, parent)!.shuffle,
    );
    expect(s.faults).toHaveLength(1);
  });
});
