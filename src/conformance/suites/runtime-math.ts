/** Conformance suite `runtime-math` (FORMAT.md). Not implemented yet: every vector of it is an ERROR. */
import { VectorError } from "../json.ts";
import type { Suite } from "../suite.ts";

export const runtimeMathSuite: Suite = {
  name: "runtime-math",
  init() {
    throw new VectorError('suite "runtime-math" is not implemented yet');
  },
};
