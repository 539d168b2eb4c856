/** Conformance suite `relay-parents-tracker` (FORMAT.md). Not implemented yet: every vector of it is an ERROR. */
import { VectorError } from "../json.ts";
import type { Suite } from "../suite.ts";

export const relayParentsTrackerSuite: Suite = {
  name: "relay-parents-tracker",
  init() {
    throw new VectorError('suite "relay-parents-tracker" is not implemented yet');
  },
};
