/**
 * Block import and the implicit view: one active leaf on a fork-free chain; per leaf, the relay
 * parents allowed for each para down to its minimum (backing_implicit_view.rs).
 */
import { describe, expect, it } from "vitest";
import { ImplicitView, LeafTracker } from "../../../src/node/util/backing-implicit-view.ts";
import { chain } from "../fake-relay.ts";

const blocks = chain(6);
const hashOf = (n: number) => blocks[n]!.hash;
const headerOf = (h: string) => blocks.find((b) => b.hash === h) ?? null;

describe("LeafTracker", () => {
  it("makes each higher block the only leaf and ignores late or duplicate ones", () => {
    const t = new LeafTracker();
    expect(t.importBlock(blocks[1]!)).toEqual({ activated: blocks[1], deactivated: [] });
    expect(t.importBlock(blocks[2]!)).toEqual({ activated: blocks[2], deactivated: [hashOf(1)] });
    expect(t.importBlock(blocks[2]!)).toBeNull();
    expect(t.importBlock(blocks[1]!)).toBeNull();
    // A missed announcement: the older leaf is still replaced.
    expect(t.importBlock(blocks[4]!)).toEqual({ activated: blocks[4], deactivated: [hashOf(2)] });
    expect(t.isActiveLeaf(hashOf(4))).toBe(true);
    expect(t.isActiveLeaf(hashOf(2))).toBe(false);
  });
});

describe("ImplicitView", () => {
  it("allows, per para, the leaf and its ancestors down to the para's minimum", () => {
    const view = new ImplicitView(headerOf);
    const fresh = view.activateLeaf(
      blocks[5]!,
      new Map([
        [2000, 3],
        [2001, 5],
      ]),
    );
    expect(fresh).toEqual([hashOf(5), hashOf(4), hashOf(3)]);
    expect(view.knownAllowedRelayParentsUnder(hashOf(5), 2000)).toEqual([
      hashOf(5),
      hashOf(4),
      hashOf(3),
    ]);
    expect(view.knownAllowedRelayParentsUnder(hashOf(5), 2001)).toEqual([hashOf(5)]);
    expect(view.knownAllowedRelayParentsUnder(hashOf(5), 2002)).toEqual([]);
    expect(view.knownAllowedRelayParentsUnder(hashOf(4), null)).toBeNull();
    expect(view.isAllowedFor(hashOf(4), 2000)).toBe(true);
    expect(view.isAllowedFor(hashOf(4), 2001)).toBe(false);
    view.deactivateLeaf(hashOf(5));
    expect(view.allAllowedRelayParents().size).toBe(0);
  });

  it("allows only the leaf when no para is scheduled, and stops at unknown ancestors", () => {
    const view = new ImplicitView(headerOf);
    expect(view.activateLeaf(blocks[3]!, new Map())).toEqual([hashOf(3)]);
    const partial = new ImplicitView((h) => (h === hashOf(1) ? null : headerOf(h)));
    expect(partial.activateLeaf(blocks[3]!, new Map([[2000, 0]]))).toEqual([hashOf(3), hashOf(2)]);
  });
});
