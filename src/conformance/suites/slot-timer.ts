/** Conformance suite `slot-timer` (FORMAT.md). Not implemented yet: every vector of it is an ERROR. */
import { VectorError } from "../json.ts";
import type { Suite } from "../suite.ts";

export const slotTimerSuite: Suite = {
  name: "slot-timer",
  init() {
    throw new VectorError('suite "slot-timer" is not implemented yet');
  },
};
