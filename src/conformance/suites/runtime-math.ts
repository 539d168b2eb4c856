/**
 * Conformance suite `runtime-math` (FORMAT.md): availability threshold, effective minimum backing
 * votes and the group-rotation arithmetic of `GroupRotationInfo`. Stateless.
 */

import {
  coreForGroup,
  type GroupRotationInfo,
  groupForCore,
} from "../../primitives/group-rotation.ts";
import {
  availabilityThreshold,
  effectiveMinimumBackingVotes,
} from "../../primitives/thresholds.ts";
import { type Reader, VectorError } from "../json.ts";
import { okOutcome, type Suite } from "../suite.ts";

function rotationInfo(step: Reader): GroupRotationInfo {
  return {
    sessionStartBlock: step.num("sessionStartBlock"),
    groupRotationFrequency: step.num("groupRotationFrequency"),
    now: step.num("now"),
  };
}

export const runtimeMathSuite: Suite = {
  name: "runtime-math",
  givenKeys: null,
  ops: {
    availabilityThreshold: ["validators"],
    effectiveMinimumBackingVotes: ["groupLen", "configured"],
    groupForCore: ["sessionStartBlock", "groupRotationFrequency", "now", "core", "cores"],
    coreForGroup: ["sessionStartBlock", "groupRotationFrequency", "now", "group", "cores"],
  },
  init() {
    return (op, step) => {
      switch (op) {
        case "availabilityThreshold":
          return okOutcome(availabilityThreshold(step.num("validators")));
        case "effectiveMinimumBackingVotes":
          return okOutcome(
            effectiveMinimumBackingVotes(step.num("groupLen"), step.num("configured")),
          );
        case "groupForCore":
          return okOutcome(groupForCore(rotationInfo(step), step.num("core"), step.num("cores")));
        case "coreForGroup":
          return okOutcome(coreForGroup(rotationInfo(step), step.num("group"), step.num("cores")));
        default:
          throw new VectorError(`op: unknown op ${JSON.stringify(op)} for suite runtime-math`);
      }
    };
  },
};
