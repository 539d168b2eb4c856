/**
 * Conformance suite `relay-parents-tracker` (FORMAT.md): the relay runtime's
 * `AllowedRelayParentsTracker` (shared.rs, G2). One tracker per vector, empty at the start.
 */
import type { ClaimQueueSnapshot } from "../../primitives/claim-queue.ts";
import {
  acquireInfo,
  hypotheticalEarliestBlockNumber,
  newAllowedRelayParentsTracker,
  trackerUpdate,
} from "../../relay/shared.ts";
import { describe, type Json, type Reader, VectorError } from "../json.ts";
import { okOutcome, type Suite } from "../suite.ts";

function paraList(value: Json, path: string): number[] {
  if (!Array.isArray(value))
    throw new VectorError(`${path}: expected an array of para ids, got ${describe(value)}`);
  return value.map((v, i) => {
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
      throw new VectorError(`${path}[${i}]: expected a para id (integer >= 0), got ${describe(v)}`);
    }
    return v;
  });
}

function readClaimQueue(step: Reader): ClaimQueueSnapshot {
  return step.has("claimQueue") ? step.numKeyed("claimQueue", paraList) : new Map();
}

export const relayParentsTrackerSuite: Suite = {
  name: "relay-parents-tracker",
  givenKeys: null,
  ops: {
    update: ["relayParent", "stateRoot", "number", "maxAncestryLen", "claimQueue"],
    acquireInfo: ["relayParent", "prev"],
    hypotheticalEarliestBlockNumber: ["now", "maxAncestryLen"],
    bufferLength: [],
  },
  init() {
    const tracker = newAllowedRelayParentsTracker();
    return (op, step) => {
      switch (op) {
        case "update":
          trackerUpdate(
            tracker,
            step.hash("relayParent"),
            step.hash("stateRoot"),
            readClaimQueue(step),
            step.num("number"),
            step.num("maxAncestryLen"),
          );
          return okOutcome();
        case "acquireInfo": {
          const acquired = acquireInfo(tracker, step.hash("relayParent"), step.optNum("prev"));
          if (acquired === null) return okOutcome(null);
          return okOutcome({
            stateRoot: acquired.info.stateRoot,
            number: acquired.number,
            claimQueue: acquired.info.claimQueue,
          });
        }
        case "hypotheticalEarliestBlockNumber":
          return okOutcome(
            hypotheticalEarliestBlockNumber(tracker, step.num("now"), step.num("maxAncestryLen")),
          );
        case "bufferLength":
          return okOutcome(tracker.buffer.length);
        default:
          throw new VectorError(
            `op: unknown op ${JSON.stringify(op)} for suite relay-parents-tracker`,
          );
      }
    };
  },
};
