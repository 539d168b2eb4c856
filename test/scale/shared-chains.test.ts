/**
 * Prospective parachains share fragment chains between validators copy-on-write: validators
 * that apply the same operations to the same chain hold the same chain object, and an update by
 * one never shows in another's chains.
 */
import { describe, expect, it } from "vitest";
import type { HeadData } from "../../src/primitives/codecs.ts";
import { chain, constraints, makeCandidate } from "../node/fake-relay.ts";
import { prospectiveWorld } from "../node/prospective-world.ts";

const PARA = 2000;
const H0: HeadData = "0x00aa";
const blocks = chain(5);

function validators(count: number) {
  const { subsystem } = prospectiveWorld({
    blocks,
    para: PARA,
    claims: [PARA],
    state: (n) => ({ constraints: constraints(H0, Math.max(n - 2, 0)), pendingAvailability: [] }),
    allowedAncestryLen: 2,
  });
  return Array.from({ length: count }, (_, i) => subsystem(`v${i}`));
}

describe("shared fragment chains", () => {
  it("validators applying the same operations hold the same chain objects", () => {
    const [a, b] = validators(2);
    const c = makeCandidate({
      paraId: PARA,
      relayParent: blocks[2]!,
      parentHead: H0,
      headData: "0x01",
    });
    for (const v of [a!, b!]) {
      v.activate(2);
      expect(v.pp.introduceSecondedCandidate(PARA, c.receipt, c.pvd)).toBe(true);
      v.pp.candidateBacked(PARA, c.candidateHash);
      v.activate(3);
    }
    const at3 = (v: typeof a) => v!.pp.fragmentChain(blocks[3]!.hash, PARA);
    expect(at3(a)?.bestChainVec()).toEqual([c.candidateHash]);
    expect(at3(a)).toBe(at3(b));
    expect(a!.pp.fragmentChain(blocks[2]!.hash, PARA)).toBe(
      b!.pp.fragmentChain(blocks[2]!.hash, PARA),
    );
  });

  it("an update by one validator never shows in another's chains", () => {
    const [a, b] = validators(2);
    a!.activate(2);
    b!.activate(2);
    const shared = b!.pp.fragmentChain(blocks[2]!.hash, PARA);
    expect(a!.pp.fragmentChain(blocks[2]!.hash, PARA)).toBe(shared);
    const c = makeCandidate({
      paraId: PARA,
      relayParent: blocks[2]!,
      parentHead: H0,
      headData: "0x01",
    });
    a!.pp.introduceSecondedCandidate(PARA, c.receipt, c.pvd);
    a!.pp.candidateBacked(PARA, c.candidateHash);
    expect(a!.pp.fragmentChain(blocks[2]!.hash, PARA)?.bestChainVec()).toEqual([c.candidateHash]);
    // b's chain is the one it had, untouched.
    expect(b!.pp.fragmentChain(blocks[2]!.hash, PARA)).toBe(shared);
    expect(shared?.bestChainLen()).toBe(0);
    expect(shared?.unconnectedLen()).toBe(0);
    // Its next leaf is populated from its own (empty) chain.
    b!.activate(3);
    expect(b!.pp.fragmentChain(blocks[3]!.hash, PARA)?.bestChainLen()).toBe(0);
  });
});
