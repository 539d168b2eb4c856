/** Conformance suite `inclusion` (FORMAT.md). Not implemented yet: every vector of it is an ERROR. */
import { VectorError } from "../json.ts";
import type { Suite } from "../suite.ts";

export const inclusionSuite: Suite = {
  name: "inclusion",
  init() {
    throw new VectorError('suite "inclusion" is not implemented yet');
  },
};
