/**
 * The parachain's validation function (PVF): `validate_block(params)` re-executes the block of a
 * PoV on its parent's state and returns the candidate's outputs, or why the block is invalid;
 * and the `ParaStateStore` it reads the parent state from.
 *
 * What the PVF checks, in cumulus' order: the block's parent hash is the hash of the parent head
 * ("Invalid parent hash"); its validation-data inherent matches the parameters (parent head,
 * relay parent number, relay parent storage root); then the block executes on the parent state
 * (every runtime panic of `runtime.ts`, including the final root and digest checks). The
 * `createPvf` adapter adds what candidate validation checks around it: the PoV size against
 * `max_pov_size` and the PoV hash and size against the block's content.
 *
 * Invariants:
 * - Valid outputs are exactly those the block's author computed when building (same code).
 * - The CPU cost of a validation is the block's weight (Σ txRefTimeUs, whole µs) at the
 *   collator's speed: the world scales it by `validatorSpeed`. An invalid block costs its full
 *   declared weight (most failures are found at the end, by the root checks).
 *
 * Simplifications (stated):
 * - `ParaStateStore` models the PoV's storage witness: instead of carrying the state it touches
 *   (Merkle proofs whose size is the modelled proof size, `txProofBytes` per transfer), the PoV
 *   names its parent by head hash and the validator reads the parent state from a store shared
 *   by the para's collators and every validator. A PoV whose parent state was never stored is
 *   invalid (its witness would not open).
 * - Execution is a pure function of (parent state, block): the store memoises the result per
 *   block OBJECT (blocks are immutable), so a block is executed once per run however many
 *   validators and collators check it; a changed block is a new object and executes afresh.
 *
 * Ref: cumulus/pallets/parachain-system/src/validate_block/implementation.rs
 *      (validate_block, validate_validation_data), polkadot/node/core/candidate-validation
 *      (PoV size and hash checks before execution).
 */

import { RuntimePanic } from "../lib/assert.ts";
import type { Hash } from "../lib/hex.ts";
import { getOrInsertComputed } from "../lib/memo.ts";
import { err, ok, type Result } from "../lib/result.ts";
import type { PersistedValidationData } from "../primitives/codecs.ts";
import { hashHex } from "../primitives/hashing.ts";
import type { ValidationParams, ValidationResult } from "../primitives/pvf.ts";
import { type ParaBlock, povHash, povSizeBytes } from "./block.ts";
import { type RuntimeCode, runtimeCode } from "./code.ts";
import { type ExecutedBlock, executeBlock, type ParaState, type RuntimeConfig } from "./runtime.ts";

/** A block's execution: the executed block, or the message of the runtime panic that aborted it. */
type Execution = Result<ExecutedBlock, string>;

/** Post-states of a para's blocks by block hash (= head-data hash): the storage witness model. */
export class ParaStateStore {
  private readonly states = new Map<Hash, ParaState>();
  private readonly executions = new WeakMap<ParaBlock, Execution>();

  /** @param memoise reuse a block object's execution result (off: always re-execute). */
  constructor(private readonly memoise = true) {}

  get size(): number {
    return this.states.size;
  }

  get(headHash: Hash): ParaState | null {
    return this.states.get(headHash) ?? null;
  }

  /** Store a block's post-state (write-once: a hash names one state). */
  put(headHash: Hash, state: ParaState): void {
    if (!this.states.has(headHash)) this.states.set(headHash, state);
  }

  /**
   * Forget the post-states of blocks below number `number` (a long run's memory): nothing builds
   * on them or validates a block on them any more (the world's pruning says from where).
   */
  prune(number: number): void {
    for (const [hash, state] of this.states) if (state.number < number) this.states.delete(hash);
  }

  /** Record a block its author built (its execution result) and its post-state. */
  recordBuilt(block: ParaBlock, executed: ExecutedBlock): void {
    this.put(executed.headHash, executed.state);
    if (this.memoise) this.executions.set(block, ok(executed));
  }

  /**
   * Execute `block` on its parent's stored state (memoised per block object). Null when the
   * parent state is unknown; the panic message when the block is invalid. A valid block's
   * post-state is stored.
   */
  execute(block: ParaBlock): Execution | null {
    const known = this.memoise ? this.executions.get(block) : undefined;
    if (known !== undefined) return known;
    const parent = this.get(block.header.parentHash);
    if (parent === null) return null;
    let result: Execution;
    try {
      const executed = executeBlock(parent, block);
      this.put(executed.headHash, executed.state);
      result = ok(executed);
    } catch (e) {
      if (!(e instanceof RuntimePanic)) throw e;
      result = err(e.message);
    }
    if (this.memoise) this.executions.set(block, result);
    return result;
  }
}

/** A validation's result (the node's `PvfOutcome` has this shape). */
export type PvfResult =
  | { readonly kind: "Valid"; readonly outputs: ValidationResult; readonly cpuUs: number }
  | { readonly kind: "Invalid"; readonly reason: string; readonly cpuUs: number };

/** Whether `data` has the shape of a para block (block data is opaque to the relay side). */
function asParaBlock(data: unknown): ParaBlock | null {
  if (typeof data !== "object" || data === null) return null;
  const b = data as Partial<ParaBlock>;
  if (typeof b.header !== "object" || typeof b.inherent !== "object") return null;
  if (typeof b.transfers !== "object" || typeof b.timestampMs !== "number") return null;
  return data as ParaBlock;
}

function declaredWeightUs(config: RuntimeConfig, block: ParaBlock): number {
  return Math.round(block.transfers.count * config.txRefTimeUs);
}

/**
 * `validate_block` of the runtime `code`: the block's outputs, or why it is invalid. A block built
 * on a state whose `:code` is other code is invalid (that runtime's execution would not reproduce
 * its state root).
 */
export function validateBlock(
  code: RuntimeCode,
  store: ParaStateStore,
  params: ValidationParams,
): PvfResult {
  const config = code.config;
  const block = asParaBlock(params.blockData);
  if (block === null) return { kind: "Invalid", reason: "Invalid block data", cpuUs: 0 };
  const cpuUs = declaredWeightUs(config, block);
  const invalid = (reason: string): PvfResult => ({ kind: "Invalid", reason, cpuUs });
  if (block.header.parentHash !== hashHex(params.parentHead)) return invalid("Invalid parent hash");
  const vd = block.inherent.validationData;
  if (vd.parentHead !== params.parentHead) return invalid("Parent head doesn't match");
  if (vd.relayParentNumber !== params.relayParentNumber) {
    return invalid("Relay parent number doesn't match");
  }
  if (vd.relayParentStorageRoot !== params.relayParentStorageRoot) {
    return invalid("Relay parent storage root doesn't match");
  }
  const parentState = store.get(block.header.parentHash);
  if (parentState !== null && parentState.code.hash !== code.hash) {
    return invalid("Storage root must match that calculated.");
  }
  const execution = store.execute(block);
  if (execution === null) return invalid("Parent state is not in the PoV's storage witness");
  if (!execution.ok) return invalid(execution.error);
  return { kind: "Valid", outputs: execution.value.outputs, cpuUs: execution.value.weightUs };
}

/** A PoV as the relay side hands it over (`node/protocol.ts` `PoV` has this shape). */
export interface PovLike {
  readonly hash: Hash;
  readonly sizeBytes: number;
  readonly blockData: unknown;
}

/** The para's validation function as the world registers it with validators. */
export type Pvf = (pvd: PersistedValidationData, pov: PovLike) => PvfResult;

/**
 * The PVF of a para whose runtime has these constants, over its state store: candidate
 * validation's PoV checks, then `validate_block`. `ParamsTooLarge` and `PoVHashMismatch` name
 * candidate-validation's `InvalidCandidate` variants.
 */
export function createPvf(store: ParaStateStore, config: RuntimeConfig): Pvf {
  const code = runtimeCode(config);
  // The PoV hash and size a valid block must have, per block object: a pure function of the
  // (immutable) block and its memoised execution, checked by every validator of the group.
  const expected = new WeakMap<ParaBlock, { readonly hash: Hash; readonly sizeBytes: number }>();
  return (pvd, pov) => {
    if (pov.sizeBytes > pvd.maxPovSize) {
      return { kind: "Invalid", reason: `ParamsTooLarge(${pov.sizeBytes})`, cpuUs: 0 };
    }
    const result = validateBlock(code, store, {
      parentHead: pvd.parentHead,
      blockData: pov.blockData,
      relayParentNumber: pvd.relayParentNumber,
      relayParentStorageRoot: pvd.relayParentStorageRoot,
    });
    if (result.kind === "Invalid") return result;
    const block = pov.blockData as ParaBlock;
    const want = getOrInsertComputed(expected, block, (b) => ({
      hash: povHash(hashHex(result.outputs.headData), b.header.extrinsicsRoot),
      sizeBytes: povSizeBytes(b, config.txProofBytes),
    }));
    if (pov.hash !== want.hash || pov.sizeBytes !== want.sizeBytes) {
      return { kind: "Invalid", reason: "PoVHashMismatch", cpuUs: result.cpuUs };
    }
    return result;
  };
}
