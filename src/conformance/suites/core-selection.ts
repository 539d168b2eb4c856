/** Conformance suite `core-selection` (FORMAT.md). Not implemented yet: every vector of it is an ERROR. */
import { VectorError } from "../json.ts";
import type { Suite } from "../suite.ts";

export const coreSelectionSuite: Suite = {
  name: "core-selection",
  init() {
    throw new VectorError('suite "core-selection" is not implemented yet');
  },
};
