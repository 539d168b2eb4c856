import { describe, expect, it } from "vitest";
import { repeatByte, ZERO_HASH } from "../../src/lib/hex.ts";
import { forceOpenHrmpChannel, queueOutboundHrmp } from "../../src/relay/hrmp.ts";
import { registerPara } from "../../src/relay/paras.ts";
import { trackerUpdate } from "../../src/relay/shared.ts";
import { newRelayState } from "../../src/relay/state.ts";
import { DUMMY_CODE, head } from "./helpers.ts";

describe("RelayState", () => {
  it("is plain data: a structuredClone is equal and independent", () => {
    const s = newRelayState();
    registerPara(s.paras, 1, head(1), DUMMY_CODE);
    trackerUpdate(
      s.shared.allowedRelayParents,
      repeatByte(1),
      ZERO_HASH,
      new Map([[0, [1]]]),
      3,
      2,
    );
    forceOpenHrmpChannel(s.hrmp, 1, 2, 5, 5, 5);
    queueOutboundHrmp(s.hrmp, 1, [{ recipient: 2, data: new Uint8Array([1]) }], 3);
    s.scheduler.claimQueue.set(0, [{ kind: "Bulk", paraId: 1 }]);
    const copy = structuredClone(s);
    expect(copy).toEqual(s);
    copy.paras.heads.set(1, head(9));
    copy.scheduler.claimQueue.get(0)!.pop();
    copy.shared.allowedRelayParents.buffer.length = 0;
    expect(s.paras.heads.get(1)).toBe(head(1));
    expect(s.scheduler.claimQueue.get(0)!.length).toBe(1);
    expect(s.shared.allowedRelayParents.buffer.length).toBe(1);
    expect(copy.config.schedulerParams.onDemandBaseFee).toBe(10_000_000n);
  });
});
