/**
 * Candidate validation for backing (`ValidateFromExhaustive`, `PvfExecKind::Backing`): the basic
 * checks, the PVF execution on the `pvf` CPU pool, the checks of the outputs against the receipt.
 *
 * - Basic checks (`perform_basic_checks`), in Rust's order: PoV size <= the PVD's max PoV size
 *   (`ParamsTooLarge`), PoV hash (`PoVHashMismatch`), PVD hash (`PersistedValidationDataMismatch`).
 *   A candidate failing them is rejected before execution: no worker time, the result is given
 *   in a zero-delay timer (a message round trip of no modelled duration).
 * - Execution: `pvf.execute` gives the outputs and the CPU time on this validator. The candidate
 *   times out iff that time is strictly greater than `executor_params`' backing timeout; the
 *   worker is then busy for the timeout, not longer.
 * - Outputs (`validate_candidate_exhaustive` after execution): head hash = the descriptor's para
 *   head (`ParaHeadHashMismatch`), commitments hash (`CommitmentsHashMismatch`), UMP signals
 *   against the claim queue at the relay parent (`InvalidUMPSignals`).
 *
 * Simplified: the erasure root is not computed, so `InvalidErasureRoot` cannot happen (real
 * erasure coding comes with the availability issue); the validation code is looked up by hash
 * in the PVF host, with no pre-checking or compilation time.
 *
 * Ref: polkadot/node/core/candidate-validation/src/lib.rs (perform_basic_checks,
 *      validate_candidate_exhaustive, the backing timeout `pvf_exec_timeout`),
 *      polkadot/primitives (`CommittedCandidateReceiptV2::parse_ump_signals`).
 */
import type { PvfHost, ValidatorEnv } from "../../actors/env.ts";
import type { PoV } from "../../actors/protocol.ts";
import { commitmentsHash, pvdHash } from "../../primitives/candidate.ts";
import type {
  CommittedCandidateReceipt,
  PersistedValidationData,
} from "../../primitives/codecs.ts";
import { parseUmpSignals } from "../../primitives/core-selection.ts";
import { hashHex } from "../../primitives/hashing.ts";
import { commitmentsOf, type ValidationResult } from "../../primitives/pvf.ts";
import type {
  CandidateValidationMessage,
  CandidateValidity,
  InvalidCandidate,
} from "../subsystem-types.ts";
import type { BlockContext } from "../util/block-context.ts";

const VALID: CandidateValidity = { kind: "Valid" };

/** `perform_basic_checks`: the first failing check, or null. */
export function performBasicChecks(
  receipt: CommittedCandidateReceipt,
  pvd: PersistedValidationData,
  pov: PoV,
): InvalidCandidate | null {
  const d = receipt.descriptor;
  if (pov.sizeBytes > pvd.maxPovSize) return "ParamsTooLarge";
  if (pov.hash !== d.povHash) return "PoVHashMismatch";
  if (pvdHash(pvd) !== d.persistedValidationDataHash) return "PersistedValidationDataMismatch";
  return null;
}

/** The outputs of a valid execution checked against the receipt. */
export function checkOutputs(
  ctx: BlockContext,
  receipt: CommittedCandidateReceipt,
  outputs: ValidationResult,
): CandidateValidity {
  if (hashHex(outputs.headData) !== receipt.descriptor.paraHead) {
    return { kind: "Invalid", code: "ParaHeadHashMismatch" };
  }
  if (commitmentsHash(commitmentsOf(outputs)) !== commitmentsHash(receipt.commitments)) {
    return { kind: "Invalid", code: "CommitmentsHashMismatch" };
  }
  const signals = parseUmpSignals(receipt, ctx.transposedClaimQueue);
  if (!signals.ok) {
    return { kind: "Invalid", code: "InvalidUMPSignals", detail: signals.error.code };
  }
  return VALID;
}

export class CandidateValidation implements CandidateValidationMessage {
  constructor(
    private readonly env: Pick<ValidatorEnv, "after" | "cpu"> & { readonly pvf: PvfHost },
  ) {}

  validateFromExhaustive(
    ctx: BlockContext,
    receipt: CommittedCandidateReceipt,
    pvd: PersistedValidationData,
    pov: PoV,
    done: (result: CandidateValidity) => void,
  ): void {
    const basic = performBasicChecks(receipt, pvd, pov);
    if (basic !== null) {
      // Rejected before execution: no worker time.
      this.env.after(0, () => done({ kind: "Invalid", code: basic }));
      return;
    }
    const outcome = this.env.pvf.execute(receipt.descriptor.validationCodeHash, pvd, pov);
    const timeoutUs = ctx.executorTimeouts.backingMs * 1000;
    const timedOut = outcome.cpuUs > timeoutUs;
    const chargeUs = Math.ceil(Math.min(outcome.cpuUs, timeoutUs));
    this.env.cpu("pvf", chargeUs, () => {
      if (timedOut) done({ kind: "Invalid", code: "Timeout" });
      else if (outcome.kind === "Invalid") {
        done({ kind: "Invalid", code: "ExecutionError", detail: outcome.reason });
      } else done(checkOutputs(ctx, receipt, outcome.outputs));
    });
  }
}
