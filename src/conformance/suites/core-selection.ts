/**
 * Conformance suite `core-selection` (FORMAT.md): `CommittedCandidateReceiptV2::parse_ump_signals`
 * (which runs `check_core_index`) against a claim queue given per core and transposed with
 * `transposeClaimQueue`.
 *
 * given: `{"claimQueue": {"<core>": [para, ...]}}` (optional; default empty).
 * Ops:
 * - `checkCoreIndex {"paraId", "descriptorVersion": "v1"|"v2"|"unknown", "descriptorCoreIndex",
 *   "upwardMessages": [hex...], "internalVersion"?}` → "ok" (value: the parsed signals) or the
 *   `CommittedCandidateReceiptError`. For "unknown" the raw version byte is `internalVersion`
 *   (default 1); it is reported as `UnknownVersion`'s `version`.
 * - `umpSignals {"upwardMessages"}` → `CandidateCommitments::ump_signals()`: `{"selectCore":
 *   [selector, offset] | null, "approvedPeer": hex | null}` or the error.
 *
 * Ref: polkadot/primitives/src/v9/mod.rs (parse_ump_signals, check_core_index, ump_signals).
 */
import { fromHex } from "../../lib/hex.ts";
import type { Result } from "../../lib/result.ts";
import { transposeClaimQueue } from "../../primitives/claim-queue.ts";
import type { CoreIndex, DescriptorVersion, ParaId } from "../../primitives/codecs.ts";
import { parseUmpSignalsOf } from "../../primitives/core-selection.ts";
import {
  type CandidateUMPSignals,
  type CommittedCandidateReceiptError,
  umpSignals,
} from "../../primitives/ump.ts";
import { describe, VectorError } from "../json.ts";
import { errOutcome, type Outcome, okOutcome, type Suite } from "../suite.ts";
import { readUint } from "./codec.ts";

function signalsJson(s: CandidateUMPSignals) {
  return {
    selectCore:
      s.selectCore === null ? null : [s.selectCore.coreSelector, s.selectCore.claimQueueOffset],
    approvedPeer: s.approvedPeer,
  };
}

function outcome(r: Result<CandidateUMPSignals, CommittedCandidateReceiptError>): Outcome {
  return r.ok ? okOutcome(signalsJson(r.value)) : errOutcome(r.error);
}

export const coreSelectionSuite: Suite = {
  name: "core-selection",
  givenKeys: ["claimQueue"],
  ops: {
    checkCoreIndex: [
      "paraId",
      "descriptorVersion",
      "descriptorCoreIndex",
      "upwardMessages",
      "internalVersion",
    ],
    umpSignals: ["upwardMessages"],
  },
  init(given) {
    const claimQueue = given.has("claimQueue")
      ? given.numKeyed<ParaId[]>("claimQueue", (value, path) => {
          if (
            !Array.isArray(value) ||
            !value.every((p) => typeof p === "number" && Number.isSafeInteger(p) && p >= 0)
          ) {
            throw new VectorError(`${path}: expected an array of para ids, got ${describe(value)}`);
          }
          return value as number[];
        })
      : new Map<CoreIndex, ParaId[]>();
    const transposed = transposeClaimQueue(claimQueue);
    return (op, step) => {
      switch (op) {
        case "checkCoreIndex": {
          const version = step.oneOf<DescriptorVersion>("descriptorVersion", [
            "v1",
            "v2",
            "unknown",
          ]);
          const internalVersion =
            version === "unknown"
              ? step.has("internalVersion")
                ? readUint(step, "internalVersion", 8)
                : 1
              : 0;
          if (version === "unknown" && internalVersion === 0) {
            step.fail("internalVersion", "a non-zero version byte for an unknown version");
          }
          const descriptor = {
            paraId: readUint(step, "paraId", 32),
            version,
            internalVersion,
            // Only a V2 descriptor's core index is ever read.
            coreIndex:
              version === "v2" || step.has("descriptorCoreIndex")
                ? readUint(step, "descriptorCoreIndex", 16)
                : 0,
          };
          const upwardMessages = step.has("upwardMessages")
            ? step.hexes("upwardMessages").map(fromHex)
            : [];
          return outcome(parseUmpSignalsOf(descriptor, upwardMessages, transposed));
        }
        case "umpSignals":
          return outcome(umpSignals({ upwardMessages: step.hexes("upwardMessages").map(fromHex) }));
      }
      throw new VectorError(
        `unknown op ${JSON.stringify(op)} of suite "core-selection" (checkCoreIndex, umpSignals)`,
      );
    };
  },
};
