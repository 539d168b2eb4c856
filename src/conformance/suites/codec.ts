/** Conformance suite `codec` (FORMAT.md). Not implemented yet: every vector of it is an ERROR. */
import { VectorError } from "../json.ts";
import type { Suite } from "../suite.ts";

export const codecSuite: Suite = {
  name: "codec",
  init() {
    throw new VectorError('suite "codec" is not implemented yet');
  },
};
