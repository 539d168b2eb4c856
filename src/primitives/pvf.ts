/**
 * The PVF's interface: what a parachain validation function gets and returns.
 * Ref: polkadot/parachain/src/primitives.rs (ValidationParams, ValidationResult).
 */
import type { Hex } from "../lib/hex.ts";
import { getOrInsertComputed } from "../lib/memo.ts";
import type { BlockNumber, CandidateCommitments, HeadData, OutboundHrmpMessage } from "./codecs.ts";

/** `ValidationParams`: the parent head, the PoV's block data and the relay-parent context. */
export interface ValidationParams {
  readonly parentHead: HeadData;
  readonly blockData: unknown;
  readonly relayParentNumber: BlockNumber;
  readonly relayParentStorageRoot: Hex;
}

/** `ValidationResult`: the candidate's outputs, which become its commitments. */
export interface ValidationResult {
  readonly headData: HeadData;
  readonly newValidationCode: Uint8Array | null;
  readonly upwardMessages: readonly Uint8Array[];
  readonly horizontalMessages: readonly OutboundHrmpMessage[];
  readonly processedDownwardMessages: number;
  readonly hrmpWatermark: BlockNumber;
}

/**
 * Commitments by outputs object: both are read-only, and a validation's outputs object reaches
 * every validator checking that block (the PVF memoises executions), so its commitments and their
 * hash are built once.
 */
const commitmentsMemo = new WeakMap<ValidationResult, CandidateCommitments>();

/** The commitments a candidate receipt makes to a validation's outputs (field for field). */
export function commitmentsOf(outputs: ValidationResult): CandidateCommitments {
  return getOrInsertComputed(commitmentsMemo, outputs, buildCommitments);
}

function buildCommitments(outputs: ValidationResult): CandidateCommitments {
  return {
    upwardMessages: [...outputs.upwardMessages],
    horizontalMessages: [...outputs.horizontalMessages],
    newValidationCode: outputs.newValidationCode,
    headData: outputs.headData,
    processedDownwardMessages: outputs.processedDownwardMessages,
    hrmpWatermark: outputs.hrmpWatermark,
  };
}
