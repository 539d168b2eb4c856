/** Conformance suite `unincluded-segment` (FORMAT.md). Not implemented yet: every vector of it is an ERROR. */
import { VectorError } from "../json.ts";
import type { Suite } from "../suite.ts";

export const unincludedSegmentSuite: Suite = {
  name: "unincluded-segment",
  init() {
    throw new VectorError('suite "unincluded-segment" is not implemented yet');
  },
};
