import { describe, expect, it } from "vitest";
import { candidateHash } from "../../src/primitives/candidate.ts";
import { signBitfield } from "../../src/primitives/statements.ts";
import { PLANTED_BUGS, type PlantedBug } from "../../src/relay/buggify.ts";
import type { RelayEvent } from "../../src/relay/state.ts";
import { back, buildCandidate, scenarioConfig, TestChain } from "./chain.ts";

// Each planted bug (src/relay/buggify.ts) changes exactly its own behaviour of `applyBlock`; the
// same blocks without the option behave as polkadot-sdk's runtime does.

const P = 2000;

const kinds = (events: readonly RelayEvent[]) =>
  events.map((e) => (e.kind === "UpwardMessagesReceived" ? e.kind : [e.kind, e.candidateHash]));

/** One para on core 0; 6 validators in 2 groups of 3; availability needs 5 of 6. */
function singleCoreChain(bug?: PlantedBug, scheduler: Parameters<typeof scenarioConfig>[0] = {}) {
  const config = scenarioConfig({
    numCores: 1,
    maxValidatorsPerCore: 3,
    lookahead: 3,
    groupRotationFrequency: 10,
    ...scheduler,
  });
  const chain = new TestChain(config, 6, [{ id: P, cores: [0] }]);
  chain.buggify = bug;
  return chain;
}

/** One para on cores 0..2; 12 validators in 3 groups of 4 (availability needs 9). */
function elasticChain(bug?: PlantedBug) {
  const config = scenarioConfig({ numCores: 3, maxValidatorsPerCore: 4, lookahead: 3 });
  const chain = new TestChain(config, 12, [{ id: P, cores: [0, 1, 2] }]);
  chain.buggify = bug;
  return chain;
}

function twoChained(chain: TestChain) {
  const a = buildCandidate(P, { n: 1, core: 0, selectCore: [0, 0] }, chain);
  const b = buildCandidate(
    P,
    { n: 2, core: 1, selectCore: [1, 0], parentHead: a.receipt.commitments.headData },
    chain,
  );
  return [a, b].map((x, core) => ({
    receipt: x.receipt,
    hash: candidateHash(x.receipt),
    backed: back(x.receipt, core, chain),
  }));
}

describe("planted bugs", () => {
  it("names five bugs", () => {
    expect(PLANTED_BUGS).toEqual([
      "backing-votes-minus-one",
      "availability-threshold-minus-one",
      "skip-bitfield-signature",
      "enact-out-of-order",
      "never-time-out",
    ]);
  });

  it("backing-votes-minus-one: one backing vote of a group of 3 (minimum 2) is accepted", () => {
    for (const bug of [undefined, "backing-votes-minus-one"] as const) {
      const chain = singleCoreChain(bug);
      const weak = buildCandidate(P, { n: 1, core: 0 }, chain);
      const r = chain.build({ backedCandidates: [back(weak.receipt, 0, chain, 1)] });
      if (bug === undefined) {
        expect(r.events).toEqual([]);
        expect(r.dropped.candidates[0]).toMatchObject({
          stage: "backing",
          reason: { code: "InsufficientBacking" },
        });
      } else {
        expect(kinds(r.events)).toEqual([["CandidateBacked", candidateHash(weak.receipt)]]);
        expect(r.dropped.candidates).toEqual([]);
      }
    }
    // No votes at all stay refused even with the bug (the minimum is 2 - 1 = 1).
    const chain = singleCoreChain("backing-votes-minus-one");
    const none = buildCandidate(P, { n: 1, core: 0 }, chain);
    const r = chain.build({ backedCandidates: [back(none.receipt, 0, chain, 0)] });
    expect(r.events).toEqual([]);
  });

  it("availability-threshold-minus-one: 4 of 6 bitfields (exactly 2/3) include", () => {
    for (const bug of [undefined, "availability-threshold-minus-one"] as const) {
      const chain = singleCoreChain(bug);
      const a = buildCandidate(P, { n: 1, core: 0 }, chain);
      chain.build({ backedCandidates: [back(a.receipt, 0, chain)] });
      const r = chain.build({ bitfields: chain.bitfields([0, 1, 2, 3], [0]) });
      expect(kinds(r.events)).toEqual(
        bug === undefined ? [] : [["CandidateIncluded", candidateHash(a.receipt)]],
      );
      // Three of six never include, bug or not.
      const c = singleCoreChain(bug);
      const x = buildCandidate(P, { n: 1, core: 0 }, c);
      c.build({ backedCandidates: [back(x.receipt, 0, c)] });
      expect(c.build({ bitfields: c.bitfields([0, 1, 2], [0]) }).events).toEqual([]);
    }
  });

  it("skip-bitfield-signature: a bitfield signed by another validator's key counts", () => {
    for (const bug of [undefined, "skip-bitfield-signature"] as const) {
      const chain = singleCoreChain(bug);
      const a = buildCandidate(P, { n: 1, core: 0 }, chain);
      chain.build({ backedCandidates: [back(a.receipt, 0, chain)] });
      // Validator 5's bitfield signed with validator 0's key (a forgery).
      const forged = {
        ...chain.bitfields([5], [0])[0]!,
        signature: signBitfield(chain.crypto, chain.keys[0]!.secretKey, [true, false], {
          sessionIndex: 0,
          parentHash: chain.tip.header.hash,
        }),
      };
      const r = chain.build({ bitfields: [...chain.bitfields([0, 1, 2, 3], [0]), forged] });
      if (bug === undefined) {
        expect(r.dropped.bitfields).toEqual([
          { validatorIndex: 5, reason: { code: "InvalidSignature" } },
        ]);
        expect(r.events).toEqual([]);
      } else {
        expect(r.dropped.bitfields).toEqual([]);
        expect(kinds(r.events)).toEqual([["CandidateIncluded", candidateHash(a.receipt)]]);
      }
      // The other checks still hold: a bitfield of the wrong length is dropped either way.
      const short = { ...chain.bitfields([1], [0])[0]!, payload: [] as boolean[] };
      expect(chain.build({ bitfields: [short] }).dropped.bitfields).toEqual([
        { validatorIndex: 1, reason: { code: "WrongLength", expected: 2, found: 0 } },
      ]);
    }
  });

  it("enact-out-of-order: an available candidate behind an unavailable one is enacted", () => {
    const all = Array.from({ length: 12 }, (_, i) => i);
    for (const bug of [undefined, "enact-out-of-order"] as const) {
      const chain = elasticChain(bug);
      const [a, b] = twoChained(chain);
      chain.build({ backedCandidates: [a!.backed, b!.backed] });
      // B available, A not.
      const r = chain.build({ bitfields: chain.bitfields(all, [1]) });
      if (bug === undefined) {
        expect(kinds(r.events)).toEqual([]);
      } else {
        expect(kinds(r.events)).toEqual([["CandidateIncluded", b!.hash]]);
        // A stays pending, B's head is now the para's head: the chain is broken.
        expect(chain.tip.state.paras.heads.get(P)).toBe(b!.receipt.commitments.headData);
        expect(
          chain.tip.api.paraBackingState(P)!.pendingAvailability.map((c) => c.candidateHash),
        ).toEqual([a!.hash]);
      }
      // Both available in chain order: the same either way once A is available too.
      const r2 = chain.build({ bitfields: chain.bitfields(all, [0]) });
      expect(kinds(r2.events)).toEqual(
        bug === undefined
          ? [
              ["CandidateIncluded", a!.hash],
              ["CandidateIncluded", b!.hash],
            ]
          : [["CandidateIncluded", a!.hash]],
      );
    }
  });

  it("never-time-out: a candidate that never becomes available keeps its core", () => {
    for (const bug of [undefined, "never-time-out"] as const) {
      // Rotation every 4 blocks, availability period 2: without the bug A times out at block 4.
      const chain = singleCoreChain(bug, {
        groupRotationFrequency: 4,
        parasAvailabilityPeriod: 2,
      });
      const a = buildCandidate(P, { n: 1, core: 0 }, chain);
      chain.build({ backedCandidates: [back(a.receipt, 0, chain)] });
      const events = [2, 3, 4, 5, 6, 7, 8, 9].flatMap(() => kinds(chain.build().events));
      expect(events).toEqual(
        bug === undefined ? [["CandidateTimedOut", candidateHash(a.receipt)]] : [],
      );
      expect(chain.tip.api.availabilityCores()[0]!.kind).toBe(
        bug === undefined ? "Scheduled" : "Occupied",
      );
    }
  });

  it("a bug changes nothing it does not name: the same honest blocks give the same headers", () => {
    const all = Array.from({ length: 12 }, (_, i) => i);
    const headers = [undefined, ...PLANTED_BUGS].map((bug) => {
      const chain = elasticChain(bug);
      const [a, b] = twoChained(chain);
      chain.build({ backedCandidates: [a!.backed, b!.backed] });
      chain.build({ bitfields: chain.bitfields(all, [0, 1]) });
      return chain.blocks.map((blk) => blk.header.hash);
    });
    for (const h of headers) expect(h).toEqual(headers[0]);
  });
});
