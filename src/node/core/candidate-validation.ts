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
 * Approval (`PvfExecKind::Approval`, `validateForApproval`): the same basic checks, the approval
 * timeout, the outputs against the receipt's commitments hash; no UMP signal check ("Backing-only"
 * in Rust). Modelled: approvals execute on their own worker (`pvf-approval` pool), so they never
 * delay a backing execution. The node runs two execute workers (Polkadot, Kusama) and its queue
 * gives backing and approvals each a share (PVF execution priority, polkadot-sdk #4837); that
 * share-based queue is not modelled.
 *
 * Simplified: the erasure root is checked where the data is stored (the av-store refuses a root
 * that does not match, backing then treats the candidate as invalid), not here; the validation
 * code is looked up by hash in the PVF host, with no pre-checking or compilation time.
 *
 * Ref: polkadot/node/core/candidate-validation/src/lib.rs (perform_basic_checks,
 *      validate_candidate_exhaustive, the backing timeout `pvf_exec_timeout`),
 *      polkadot/primitives (`CommittedCandidateReceiptV2::parse_ump_signals`).
 */
import type { PvfHost, ValidatorEnv } from "../../actors/env.ts";
import type { PoV } from "../../actors/protocol.ts";
import type { PvfExecKind } from "../../config/host-configuration.ts";
import { commitmentsHash, pvdHash } from "../../primitives/candidate.ts";
import type {
  CandidateDescriptor,
  CandidateReceipt,
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
  d: CandidateDescriptor,
  pvd: PersistedValidationData,
  pov: PoV,
): InvalidCandidate | null {
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
  /** Invalid verdicts given, by `InvalidCandidate` code (observation: reports and tests). */
  readonly invalidVerdicts = new Map<string, number>();

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
    this.execute(receipt.descriptor, pvd, pov, "Backing", ctx, done, (outputs) =>
      checkOutputs(ctx, receipt, outputs),
    );
  }

  /**
   * `ValidateFromExhaustive` with `PvfExecKind::Approval`, as approval voting's `launch_approval`
   * asks it: the receipt (not committed) of an included candidate, the approval timeout, and the
   * outputs checked against the receipt's commitments hash (the UMP signals are backing-only).
   */
  validateForApproval(
    ctx: BlockContext,
    receipt: CandidateReceipt,
    pvd: PersistedValidationData,
    pov: PoV,
    done: (result: CandidateValidity) => void,
  ): void {
    this.execute(receipt.descriptor, pvd, pov, "Approval", ctx, done, (outputs) => {
      if (hashHex(outputs.headData) !== receipt.descriptor.paraHead) {
        return { kind: "Invalid", code: "ParaHeadHashMismatch" };
      }
      if (commitmentsHash(commitmentsOf(outputs)) !== receipt.commitmentsHash) {
        return { kind: "Invalid", code: "CommitmentsHashMismatch" };
      }
      return VALID;
    });
  }

  /**
   * The basic checks, then the execution under `kind`'s timeout on its worker (backing on the
   * `pvf` pool; approval on `pvf-approval`, see the header), then `check` of the outputs.
   */
  private execute(
    descriptor: CandidateDescriptor,
    pvd: PersistedValidationData,
    pov: PoV,
    kind: PvfExecKind,
    ctx: BlockContext,
    give: (result: CandidateValidity) => void,
    check: (outputs: ValidationResult) => CandidateValidity,
  ): void {
    const verdicts = this.invalidVerdicts;
    const done = (result: CandidateValidity) => {
      if (result.kind === "Invalid")
        verdicts.set(result.code, (verdicts.get(result.code) ?? 0) + 1);
      give(result);
    };
    const basic = performBasicChecks(descriptor, pvd, pov);
    if (basic !== null) {
      // Rejected before execution: no worker time.
      this.env.after(0, () => done({ kind: "Invalid", code: basic }));
      return;
    }
    const outcome = this.env.pvf.execute(descriptor.validationCodeHash, pvd, pov);
    const timeouts = ctx.executorTimeouts;
    const timeoutUs = (kind === "Backing" ? timeouts.backingMs : timeouts.approvalMs) * 1000;
    const timedOut = outcome.cpuUs > timeoutUs;
    const chargeUs = Math.ceil(Math.min(outcome.cpuUs, timeoutUs));
    this.env.cpu(kind === "Backing" ? "pvf" : "pvf-approval", chargeUs, () => {
      if (timedOut) done({ kind: "Invalid", code: "Timeout" });
      else if (outcome.kind === "Invalid") {
        done({ kind: "Invalid", code: "ExecutionError", detail: outcome.reason });
      } else done(check(outcome.outputs));
    });
  }
}
