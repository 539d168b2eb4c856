/** Conformance suite `fragment-chain` (FORMAT.md). Not implemented yet: every vector of it is an ERROR. */
import { VectorError } from "../json.ts";
import type { Suite } from "../suite.ts";

export const fragmentChainSuite: Suite = {
  name: "fragment-chain",
  init() {
    throw new VectorError('suite "fragment-chain" is not implemented yet');
  },
};
