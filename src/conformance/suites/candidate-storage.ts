/** Conformance suite `candidate-storage` (FORMAT.md). Not implemented yet: every vector of it is an ERROR. */
import { VectorError } from "../json.ts";
import type { Suite } from "../suite.ts";

export const candidateStorageSuite: Suite = {
  name: "candidate-storage",
  init() {
    throw new VectorError('suite "candidate-storage" is not implemented yet');
  },
};
