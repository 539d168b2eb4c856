/**
 * Conformance suite `inclusion-emulator` (FORMAT.md): Constraints, ConstraintModifications and
 * Fragment of the node's inclusion emulator, against the constraints of `given`.
 * Ref: polkadot/node/subsystem-util/src/inclusion_emulator/mod.rs
 */
import {
  ConstraintModifications,
  Constraints,
  Fragment,
  validateCommitments,
} from "../../emulator/inclusion-emulator.ts";
import { Reader, VectorError } from "../json.ts";
import { fromResult, type Outcome, okOutcome, type Suite } from "../suite.ts";
import {
  modificationsToJson,
  readCommitments,
  readConstraints,
  readModifications,
  readProspectiveCandidate,
  readRelayChainBlockInfo,
} from "./parse-prospective.ts";

export const inclusionEmulatorSuite: Suite = {
  name: "inclusion-emulator",
  givenKeys: ["constraints"],
  ops: {
    stackModifications: ["mods"],
    checkModifications: ["modifications"],
    applyModifications: ["modifications"],
    fragment: ["relayParent", "candidate"],
    validateCommitments: ["relayParent", "candidate"],
  },
  init(given) {
    const constraints = readConstraints(given.sub("constraints"));
    return (op, step): Outcome => {
      switch (op) {
        case "stackModifications": {
          const mods = step
            .arr("mods")
            .map((m, i) => readModifications(Reader.of(m, `${step.at("mods")}[${i}]`)));
          return okOutcome(modificationsToJson(ConstraintModifications.stackAll(mods)));
        }
        case "checkModifications":
          return fromResult(
            Constraints.checkModifications(
              constraints,
              readModifications(step.sub("modifications")),
            ),
          );
        case "applyModifications":
          return fromResult(
            Constraints.applyModifications(
              constraints,
              readModifications(step.sub("modifications")),
            ),
          );
        case "fragment": {
          const r = Fragment.new(
            readRelayChainBlockInfo(step.sub("relayParent")),
            constraints,
            readProspectiveCandidate(step.sub("candidate")),
          );
          return fromResult(r, (f) => modificationsToJson(f.modifications));
        }
        // Not in FORMAT.md's list: `validate_commitments` alone (used by G3 for unconnected
        // candidates).
        case "validateCommitments": {
          const c = step.sub("candidate").onlyKeys(["commitments", "validationCodeHash"]);
          return fromResult(
            validateCommitments(
              constraints,
              readRelayChainBlockInfo(step.sub("relayParent")),
              readCommitments(c.sub("commitments")),
              c.hash("validationCodeHash"),
            ),
          );
        }
        default:
          throw new VectorError(
            `op: unknown op ${JSON.stringify(op)} for suite inclusion-emulator`,
          );
      }
    };
  },
};
