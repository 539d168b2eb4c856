import { describe, expect, it } from "vitest";
import {
  type CoreSelectionParent,
  claimsAtDepthForPara,
  determineCore,
} from "../../src/collator/core-selector.ts";
import { repeatByte } from "../../src/lib/hex.ts";

const RP = { hash: repeatByte(0xaa), stateRoot: repeatByte(0xbb) };
// Cores 0, 1 and 3 serve para 1 at depth 0; core 2 serves para 2; at depth 1 only core 3 is para 1.
const CQ = new Map([
  [3, [1, 1]],
  [0, [1, 2]],
  [1, [1, 2]],
  [2, [2, 2]],
]);

const parent = (p: Partial<CoreSelectionParent>): CoreSelectionParent => ({
  number: 5,
  relayParent: null,
  relayParentStorageRoot: null,
  coreInfo: null,
  ...p,
});

describe("determine_core (slot_based/block_builder_task.rs)", () => {
  it("iter_claims_at_depth_for_para orders cores by index", () => {
    expect(claimsAtDepthForPara(CQ, 0, 1)).toEqual([0, 1, 3]);
    expect(claimsAtDepthForPara(CQ, 1, 1)).toEqual([3]);
    expect(claimsAtDepthForPara(CQ, 2, 1)).toEqual([]);
  });

  it("determine_core_new_relay_parent: the first core with selector 0", () => {
    const r = determineCore(CQ, RP, 1, parent({ relayParent: repeatByte(0x01) }), 0);
    expect(r).toEqual({
      ok: true,
      value: { selector: 0, claimQueueOffset: 0, coreIndex: 0, numberOfCores: 3 },
    });
    // The genesis block as parent always starts over.
    expect(determineCore(CQ, RP, 1, parent({ number: 0 }), 0)).toMatchObject({
      ok: true,
      value: { selector: 0, coreIndex: 0 },
    });
  });

  it("same relay parent: the selector after the parent's CoreInfo", () => {
    const p = parent({
      relayParent: RP.hash,
      coreInfo: { selector: 1, claimQueueOffset: 0, numberOfCores: 3 },
    });
    expect(determineCore(CQ, RP, 1, p, 0)).toMatchObject({
      ok: true,
      value: { selector: 2, coreIndex: 3, numberOfCores: 3 },
    });
    const last = parent({
      relayParent: RP.hash,
      coreInfo: { selector: 2, claimQueueOffset: 0, numberOfCores: 3 },
    });
    expect(determineCore(CQ, RP, 1, last, 0)).toEqual({ ok: true, value: null });
  });

  it("the relay-parent storage root identifies the relay parent when no hash digest exists", () => {
    const same = parent({
      relayParentStorageRoot: RP.stateRoot,
      coreInfo: { selector: 0, claimQueueOffset: 0, numberOfCores: 3 },
    });
    expect(determineCore(CQ, RP, 1, same, 0)).toMatchObject({
      value: { selector: 1, coreIndex: 1 },
    });
    const other = parent({ relayParentStorageRoot: repeatByte(1) });
    expect(determineCore(CQ, RP, 1, other, 0)).toMatchObject({ value: { selector: 0 } });
    expect(determineCore(CQ, RP, 1, parent({}), 0)).toEqual({
      ok: false,
      error: { code: "RelayParentDigestMissing" },
    });
  });

  it("without CoreInfo: last claimed selector + 1 (an unset one counts as 0)", () => {
    const p = parent({ relayParent: RP.hash });
    expect(determineCore(CQ, RP, 1, p, 0)).toMatchObject({ value: { selector: 1, coreIndex: 1 } });
    expect(determineCore(CQ, RP, 1, p, 0, 1)).toMatchObject({
      value: { selector: 2, coreIndex: 3 },
    });
  });

  it("determine_core_no_cores_available and the claim queue offset", () => {
    expect(determineCore(CQ, RP, 7, parent({ number: 0 }), 0)).toEqual({ ok: true, value: null });
    expect(determineCore(CQ, RP, 1, parent({ number: 0 }), 1)).toEqual({
      ok: true,
      value: { selector: 0, claimQueueOffset: 1, coreIndex: 3, numberOfCores: 1 },
    });
  });
});
