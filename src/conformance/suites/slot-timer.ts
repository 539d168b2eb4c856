/**
 * Conformance suite `slot-timer` (FORMAT.md): the slot-based collator's
 * `compute_next_wake_up_time`. Stateless; `given` is ignored.
 */
import { computeNextWakeUpTime } from "../../collator/slot-timer.ts";
import { VectorError } from "../json.ts";
import { okOutcome, type Suite } from "../suite.ts";

export const slotTimerSuite: Suite = {
  name: "slot-timer",
  givenKeys: null,
  ops: { computeNextWakeUp: ["paraSlotMs", "relaySlotMs", "cores", "nowMs", "offsetMs"] },
  init() {
    return (op, step) => {
      if (op !== "computeNextWakeUp") {
        throw new VectorError(`op: unknown op ${JSON.stringify(op)} for suite "slot-timer"`);
      }
      const paraSlotMs = step.num("paraSlotMs");
      const relaySlotMs = step.num("relaySlotMs");
      if (paraSlotMs === 0) step.fail("paraSlotMs", "a positive slot duration");
      if (relaySlotMs === 0) step.fail("relaySlotMs", "a positive slot duration");
      if (!step.has("cores") && step.raw("cores") !== null) step.fail("cores", "a number or null");
      const { waitMs } = computeNextWakeUpTime(
        paraSlotMs,
        relaySlotMs,
        step.optNum("cores"),
        step.num("nowMs"),
        step.num("offsetMs"),
      );
      return okOutcome(waitMs);
    };
  },
};
