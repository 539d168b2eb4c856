/** Conformance suite `inclusion-emulator` (FORMAT.md). Not implemented yet: every vector of it is an ERROR. */
import { VectorError } from "../json.ts";
import type { Suite } from "../suite.ts";

export const inclusionEmulatorSuite: Suite = {
  name: "inclusion-emulator",
  init() {
    throw new VectorError('suite "inclusion-emulator" is not implemented yet');
  },
};
