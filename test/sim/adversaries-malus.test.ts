/**
 * The world's side of the adversaries (src/sim/adversaries.ts), without a run: who gets a malus,
 * its window (`at`/`for` in relay slots), its seeded `rate`, and what a `malicious-author` does to
 * an offer.
 */
import { describe, expect, it } from "vitest";
import type { Adversary } from "../../src/config/faults.ts";
import type { ParachainsInherentData } from "../../src/primitives/inherent.ts";
import {
  Adversaries,
  type AuthorActs,
  type AuthorView,
  tamper,
} from "../../src/sim/adversaries.ts";

const at = (list: Adversary[], slot: { now: number }) => new Adversaries(list, 1, () => slot.now);

describe("Adversaries: who misbehaves, and when", () => {
  it("hands a malus only to the actors the scenario names", () => {
    const a = at(
      [
        { kind: "no-show", validators: [2] },
        { kind: "invalid-pov", para: 2000, collators: [1], rate: 1 },
      ],
      { now: 0 },
    );
    expect(a.validatorMalus(1)).toBeUndefined();
    expect(a.validatorMalus(2)).toBeDefined();
    expect(a.collatorMalus(2000, 0)).toBeUndefined();
    expect(a.collatorMalus(2001, 1)).toBeUndefined();
    expect(a.collatorMalus(2000, 1)).toBeDefined();
    expect(new Adversaries([], 1, () => 0).any).toBe(false);
  });

  it("misbehaves only in its window, only in its own kinds", () => {
    const slot = { now: 0 };
    const m = at(
      [{ kind: "withholds-chunks", validators: [0], at: 5, for: 3 }],
      slot,
    ).validatorMalus(0)!;
    const seen = [4, 5, 7, 8].map((s) => {
      slot.now = s;
      return m.withholdChunks();
    });
    expect(seen).toEqual([false, true, true, false]);
    slot.now = 6;
    expect([m.fakeValid(), m.doubleVote(), m.forgeBitfield(), m.noShow()]).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it("a collator's rate is drawn from its own seeded stream: 0 never, 1 always, the same per seed", () => {
    const never = at([{ kind: "invalid-pov", para: 2000, collators: [0], rate: 0 }], { now: 1 });
    const always = at([{ kind: "oversized-pov", para: 2000, collators: [0], rate: 1 }], { now: 1 });
    const half = () =>
      at([{ kind: "wrong-parent-head", para: 2000, collators: [0], rate: 0.5 }], {
        now: 1,
      }).collatorMalus(2000, 0)!;
    const draws = (m: ReturnType<typeof half>) => Array.from({ length: 40 }, () => m.draw());
    expect(draws(never.collatorMalus(2000, 0)!).every((d) => d === null)).toBe(true);
    expect(draws(always.collatorMalus(2000, 0)!).every((d) => d === "oversized-pov")).toBe(true);
    const a = draws(half());
    expect(a).toEqual(draws(half()));
    expect(a.filter((d) => d !== null).length).toBeGreaterThan(5);
    expect(a.filter((d) => d === null).length).toBeGreaterThan(5);
  });
});

describe("tamper: a malicious author's offer", () => {
  const receipt = (para: number, n: number) =>
    ({ descriptor: { paraId: para }, commitments: { n } }) as never;
  const backed = (para: number, n: number, votes: number) => ({
    candidate: receipt(para, n),
    validityVotes: Array.from(
      { length: votes },
      (_, i) => ({ kind: "Explicit", signature: i }) as never,
    ),
    // A group of 4 whose first `votes` members voted, then an injected core index 0b101.
    validatorIndices: [...[0, 1, 2, 3].map((i) => i < votes), true, false, true],
  });
  const offer: ParachainsInherentData = {
    bitfields: [{ validatorIndex: 0, payload: [true], signature: new Uint8Array([7, 7]) }],
    backedCandidates: [backed(2000, 1, 3), backed(2001, 1, 2), backed(2000, 2, 2)],
    disputes: [],
  };
  const NO_VIEW: AuthorView = { validators: 0, pendingCores: () => [] };
  const fresh = (): AuthorActs => ({ underBacked: 0, forgedBitfields: 0, wrongOrder: 0 });

  it("under-backs the first candidate: one vote left, its bit only, the core bits kept", () => {
    const acts = fresh();
    const out = tamper(offer, acts, 0, NO_VIEW);
    expect(acts).toEqual({ underBacked: 1, forgedBitfields: 0, wrongOrder: 0 });
    const c = out.backedCandidates[0]!;
    expect(c.validityVotes.length).toBe(1);
    expect(c.validatorIndices).toEqual([true, false, false, false, true, false, true]);
    expect(out.backedCandidates.slice(1)).toEqual(offer.backedCandidates.slice(1));
    expect(out.bitfields).toEqual(offer.bitfields);
  });

  it("forges, for a pending core some validator does not claim, every validator's claim of it", () => {
    // 4 validators; cores 0 and 1 pending; core 0 has 2 honest votes, core 1 has 3.
    const view: AuthorView = { validators: 4, pendingCores: () => [0, 1] };
    const partial = {
      ...offer,
      bitfields: [
        { validatorIndex: 0, payload: [true, true], signature: new Uint8Array([7, 7]) },
        { validatorIndex: 2, payload: [false, true], signature: new Uint8Array([8, 8]) },
        { validatorIndex: 3, payload: [true, true], signature: new Uint8Array([9, 9]) },
      ],
    };
    const acts = fresh();
    const out = tamper(partial, acts, 1, view);
    expect(acts.forgedBitfields).toBe(1);
    expect(out.bitfields).toEqual([
      partial.bitfields[0],
      { validatorIndex: 1, payload: [true, true], signature: new Uint8Array(64) },
      { validatorIndex: 2, payload: [true, true], signature: new Uint8Array([8, 8]) },
      partial.bitfields[2],
    ]);
    expect(out.backedCandidates).toEqual(offer.backedCandidates);
    // Nothing to add when every validator claims every pending core: the next act.
    const all = {
      ...partial,
      bitfields: [0, 1, 2, 3].map((v) => ({
        validatorIndex: v,
        payload: [false, true],
        signature: new Uint8Array([v]),
      })),
    };
    const acts2 = fresh();
    tamper(all, acts2, 1, { validators: 4, pendingCores: () => [1] });
    expect(acts2).toEqual({ underBacked: 0, forgedBitfields: 0, wrongOrder: 1 });
  });

  it("swaps a para's first two candidates; with one candidate per para it tries the next act", () => {
    const acts = fresh();
    const out = tamper(offer, acts, 2, NO_VIEW);
    expect(acts.wrongOrder).toBe(1);
    expect(out.backedCandidates.map((c) => c.candidate)).toEqual([
      receipt(2000, 2),
      receipt(2001, 1),
      receipt(2000, 1),
    ]);
    const single = { ...offer, backedCandidates: offer.backedCandidates.slice(0, 2) };
    const acts2 = fresh();
    tamper(single, acts2, 2, NO_VIEW);
    expect(acts2).toEqual({ underBacked: 1, forgedBitfields: 0, wrongOrder: 0 });
    const empty = { bitfields: [], backedCandidates: [], disputes: [] };
    expect(tamper(empty, fresh(), 0, NO_VIEW)).toBe(empty);
  });
});
