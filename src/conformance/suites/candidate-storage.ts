/**
 * Conformance suite `candidate-storage` (FORMAT.md): CandidateEntry and CandidateStorage of the
 * fragment chain, on one storage that starts empty; candidates are named in `given`.
 * Ref: polkadot/node/core/prospective-parachains/src/fragment_chain/mod.rs
 */
import {
  CandidateEntry,
  CandidateStorage,
} from "../../node/core/prospective-parachains/candidate-storage.ts";
import { hashHex } from "../../primitives/hashing.ts";
import { VectorError } from "../json.ts";
import {
  errOutcome,
  fromResult,
  type Outcome,
  okOutcome,
  type Suite,
  UnorderedList,
} from "../suite.ts";
import { Candidates, readState } from "./parse-prospective.ts";

export const candidateStorageSuite: Suite = {
  name: "candidate-storage",
  givenKeys: ["candidates"],
  ops: {
    newEntry: ["candidate", "state"],
    add: ["candidate", "state"],
    addPendingAvailability: ["candidate"],
    markBacked: ["candidate"],
    remove: ["candidate"],
    contains: ["candidate"],
    possibleBackedParaChildren: ["parentHead"],
    headDataByHash: ["head"],
  },
  init(given) {
    const candidates = new Candidates(given);
    const storage = new CandidateStorage();
    return (op, step): Outcome => {
      switch (op) {
        case "newEntry": {
          const c = candidates.get(step, "candidate");
          return fromResult(
            CandidateEntry.new(
              c.candidateHash,
              c.receipt,
              c.persistedValidationData,
              readState(step, "state"),
            ),
            () => undefined,
          );
        }
        case "add": {
          const c = candidates.get(step, "candidate");
          const entry = CandidateEntry.new(
            c.candidateHash,
            c.receipt,
            c.persistedValidationData,
            readState(step, "state"),
          );
          if (!entry.ok) return errOutcome(entry.error);
          return fromResult(storage.addCandidateEntry(entry.value));
        }
        case "addPendingAvailability": {
          const c = candidates.get(step, "candidate");
          return fromResult(
            storage.addPendingAvailabilityCandidate(
              c.candidateHash,
              c.receipt,
              c.persistedValidationData,
            ),
          );
        }
        case "markBacked":
          storage.markBacked(candidates.get(step, "candidate").candidateHash);
          return okOutcome();
        case "remove":
          storage.removeCandidate(candidates.get(step, "candidate").candidateHash);
          return okOutcome();
        case "contains":
          return okOutcome(storage.contains(candidates.get(step, "candidate").candidateHash));
        case "possibleBackedParaChildren": {
          const parentHash = hashHex(step.hex("parentHead"));
          const names = [...storage.possibleBackedParaChildren(parentHash)].map((e) =>
            candidates.nameOf(e.candidateHash),
          );
          return okOutcome(new UnorderedList(names));
        }
        case "headDataByHash":
          return okOutcome(storage.headDataByHash(hashHex(step.hex("head"))) ?? null);
        default:
          throw new VectorError(`op: unknown op ${JSON.stringify(op)} for suite candidate-storage`);
      }
    };
  },
};
