/** Conformance suite `consensus-hook` (FORMAT.md). Not implemented yet: every vector of it is an ERROR. */
import { VectorError } from "../json.ts";
import type { Suite } from "../suite.ts";

export const consensusHookSuite: Suite = {
  name: "consensus-hook",
  init() {
    throw new VectorError('suite "consensus-hook" is not implemented yet');
  },
};
