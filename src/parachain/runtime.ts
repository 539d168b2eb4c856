/**
 * The parachain runtime as a state machine: block execution in cumulus' order, for a block
 * builder (the collator's proposer) and for an importer or the PVF (re-execution).
 *
 * `BlockExecution.begin` runs everything before the transactions, in the order of a cumulus
 * runtime (pallets' `on_initialize` in `construct_runtime!` order, then the inherents):
 *  1. frame_executive initial checks (block number follows the parent's);
 *  2. parachain-system `on_initialize`: the last ancestor's head hash := parent hash;
 *  3. pallet_aura `on_initialize`: the slot of the `aura` pre-digest must not decrease (with
 *     `AllowMultipleBlocksPerSlot`) or must increase (without: the upgrade guide's pitfall);
 *  4. `set_validation_data`: `CheckAssociatedRelayNumber`, the relay state proof against
 *     `relay_parent_storage_root`, the consensus hook (`ExpectParentIncluded`, or
 *     `FixedVelocityConsensusHook`: velocity, para slot = relay-derived slot, `RelaySlotInfo`),
 *     `maybe_drop_included_ancestors` with the hook's capacity, the go-ahead signal, the
 *     messaging state; `HrmpWatermark` = relay parent number (no inbound HRMP is modelled);
 *  5. `pallet_timestamp::set` and aura's `on_timestamp_set` (timestamp slot = `CurrentSlot`).
 * Then the transfers (`applyTransfer`: an invalid one or one over the block weight panics), and
 * `finish` runs `on_finalize` (UMP bandwidth bookkeeping, the segment append, and for a block
 * carrying a `CoreInfo` digest the separator and `SelectCore(selector, offset)` signal) and
 * computes the state root, the extrinsics root and the header.
 *
 * Invariants:
 * - A failed Rust `assert!`/`expect`/`panic!` is a `RuntimePanic` with Rust's message; the
 *   partial execution is discarded (nothing in the parent state is mutated: the ledger is copied,
 *   the segment functions are pure).
 * - Weight = Σ txRefTimeUs of the block's transfers (rounded to whole µs); a transfer that
 *   would take them over the normal class's limit (`normalDispatchRatio` x
 *   `maximumBlockWeightMs`, frame_system's `CheckWeight` for `DispatchClass::Normal`) is
 *   `ExhaustsResources`. (Inherents, operational in Substrate, are not weighed: modelled.)
 * - `executeBlock(parent, block)` recomputes the header and panics with Substrate's messages
 *   when the state root, extrinsics root or digest differ from the block's.
 * - The state root is blake2b-256 over (parent state root, the runtime's storage items, the
 *   changed accounts): a chained commitment to the whole state.
 *
 * Simplifications (stated): no fees, no HRMP/DMP traffic, no code upgrades (the go-ahead signal
 * is read and handled but the relay never sends one), `MinimumPeriod` = 0 (the guide's async
 * setting: several blocks may share a timestamp), no Aura seal (the author's signature is not
 * part of a block, so import does not check who authored it); the set_validation_data inherent
 * checks only what is listed above.
 *
 * Ref: cumulus/pallets/parachain-system/src/lib.rs (on_initialize, set_validation_data,
 *      on_finalize, send_ump_signals), cumulus/pallets/aura-ext/src/consensus_hook.rs,
 *      substrate/frame/aura/src/lib.rs (on_initialize, on_timestamp_set),
 *      substrate/frame/timestamp/src/lib.rs (set), substrate/frame/executive/src/lib.rs
 *      (initial_checks, final_checks).
 */
import { blake2b } from "@noble/hashes/blake2.js";
import type { RuntimeConfig } from "../config/parachain-runtime.ts";
import { assert, assertNever, panic } from "../lib/assert.ts";
import { concatBytes, fromHex, type Hash, toHex, ZERO_HASH } from "../lib/hex.ts";
import type { BlockNumber, HeadData } from "../primitives/codecs.ts";
import type { ValidationResult } from "../primitives/pvf.ts";
import { withSelectCore } from "../primitives/ump.ts";
import { Slot } from "./aura.ts";
import {
  type CoreInfo,
  EMPTY_DIGEST,
  encodeHeader,
  extrinsicsRoot,
  type ParaBlock,
  type ParachainInherentData,
  type ParaHeader,
} from "./block.ts";
import { type RuntimeCode, runtimeCode, validationCodeOf } from "./code.ts";
import { FixedVelocityConsensusHook, type RelaySlotInfo } from "./consensus-hook.ts";
import {
  type InvalidTransaction,
  invalidTransactionMessage,
  Ledger,
  LedgerWriter,
  type Transfers,
  TransfersBuilder,
} from "./ledger.ts";
import {
  adjustEgressBandwidthLimits,
  checkAssociatedRelayNumber,
  EMPTY_UNINCLUDED_SEGMENT,
  ExpectParentIncluded,
  maybeDropIncludedAncestors,
  onFinalizeUnincludedSegment,
  onInitialize,
  processUpgradeGoAheadSignal,
  takeUpwardMessages,
  type UnincludedSegmentCapacity,
  type UnincludedSegmentState,
} from "./parachain-system.ts";
import {
  type MessagingStateSnapshot,
  OutboundBandwidthLimits,
  UsedBandwidth,
} from "./unincluded-segment.ts";

/**
 * The runtime's constants, defined beside the host configuration in
 * `src/config/parachain-runtime.ts` (`parachainRuntimeConfigFromScenario` sets them from a scenario).
 */
export type { RuntimeConfig };

/** Every account's genesis balance (large enough that the load never drains one). */
export const GENESIS_BALANCE = 1_000_000_000_000;

/** The runtime's state after a block (its storage). Immutable. */
export interface ParaState {
  /** `frame_system::Number`. */
  readonly number: BlockNumber;
  readonly stateRoot: Hash;
  readonly ledger: Ledger;
  /** `UnincludedSegment` and `AggregatedUnincludedSegment`. */
  readonly segment: UnincludedSegmentState;
  /** `LastRelayChainBlockNumber`. */
  readonly lastRelayChainBlockNumber: BlockNumber;
  /** `pallet_aura_ext::RelaySlotInfo`. */
  readonly relaySlotInfo: RelaySlotInfo | null;
  /** `pallet_aura::CurrentSlot`. */
  readonly auraCurrentSlot: number;
  /** `pallet_timestamp::Now`, ms. */
  readonly timestampMs: number;
  /** `:code`: the runtime the next block on this state runs (Substrate executes a block with its parent's code). */
  readonly code: RuntimeCode;
  /** parachain-system `PendingValidationCode`: scheduled by `set_code`, applied on `GoAhead`. */
  readonly pendingValidationCode: RuntimeCode | null;
}

/** What the block author decides for a block (the rest the runtime computes). */
export interface BlockInputs {
  readonly parentHash: Hash;
  readonly number: BlockNumber;
  readonly auraSlot: number | null;
  readonly coreInfo: CoreInfo | null;
  readonly inherent: ParachainInherentData;
  readonly timestampMs: number;
  /** A `set_code` call after the inherents (`ParaBlock.setCode`), or null. */
  readonly setCode: RuntimeConfig | null;
}

/** The result of executing (or building) a block. */
export interface ExecutedBlock {
  readonly header: ParaHeader;
  readonly headData: HeadData;
  readonly headHash: Hash;
  readonly state: ParaState;
  readonly outputs: ValidationResult;
  readonly transfers: Transfers;
  /** Σ txRefTimeUs, rounded to whole µs. */
  readonly weightUs: number;
  /** What the block's `set_code` call did (its event or dispatch error), null without one. */
  readonly setCodeOutcome: SetCodeOutcome | null;
  /** `ValidationFunctionApplied` (the pending code became `:code`) or `ValidationFunctionDiscarded`. */
  readonly codeEvent: "ValidationFunctionApplied" | "ValidationFunctionDiscarded" | null;
}

/**
 * The result of `set_code` -> `schedule_code_upgrade`: the event on success, else the dispatch
 * error (the call is in the block, without effect). `ValidationDataNotAvailable` cannot happen
 * (the call comes after the inherent); `TooBig` is not checked (modelled code is tiny).
 */
export type SetCodeOutcome =
  | "ValidationFunctionStored"
  | "ProhibitedByPolkadot"
  | "OverlappingUpgrades";

const TWO_POW_32 = 0x1_0000_0000;

function u64le(view: DataView, offset: number, n: number): void {
  view.setUint32(offset, n % TWO_POW_32, true);
  view.setUint32(offset + 4, Math.floor(n / TWO_POW_32), true);
}

/** The runtime's storage items other than the ledger, encoded for the state root. */
function encodeRuntimeItems(s: Omit<ParaState, "stateRoot" | "ledger">): Uint8Array {
  const segment = s.segment.unincludedSegment;
  // number, last relay number, aura slot, timestamp, Option<RelaySlotInfo>, segment, watermark,
  // the code's hash, Option<pending code's hash>.
  const out = new Uint8Array(4 + 4 + 8 + 8 + 13 + 4 + 32 * segment.length + 5 + 32 + 33);
  const view = new DataView(out.buffer);
  view.setUint32(0, s.number, true);
  view.setUint32(4, s.lastRelayChainBlockNumber, true);
  u64le(view, 8, s.auraCurrentSlot);
  u64le(view, 16, s.timestampMs);
  let o = 24;
  if (s.relaySlotInfo !== null) {
    out[o] = 1;
    u64le(view, o + 1, s.relaySlotInfo[0]);
    view.setUint32(o + 9, s.relaySlotInfo[1], true);
  }
  o += 13;
  view.setUint32(o, segment.length, true);
  o += 4;
  for (const a of segment) {
    if (a.paraHeadHash !== null) out.set(fromHex(a.paraHeadHash), o);
    o += 32;
  }
  const watermark = s.segment.aggregatedUnincludedSegment?.hrmpWatermark ?? null;
  if (watermark !== null) {
    out[o] = 1;
    view.setUint32(o + 1, watermark, true);
  }
  o += 5;
  out.set(fromHex(s.code.hash), o);
  o += 32;
  if (s.pendingValidationCode !== null) {
    out[o] = 1;
    out.set(fromHex(s.pendingValidationCode.hash), o + 1);
  }
  return out;
}

function stateRootOf(
  parentStateRoot: Hash,
  items: Omit<ParaState, "stateRoot" | "ledger">,
  ledgerChanges: Uint8Array,
): Hash {
  return toHex(
    blake2b
      .create({ dkLen: 32 })
      .update(fromHex(parentStateRoot))
      .update(encodeRuntimeItems(items))
      .update(ledgerChanges)
      .digest(),
  );
}

/** The genesis state: every account funded, an empty segment, slot 0. */
export function genesisState(config: RuntimeConfig, initialBalance = GENESIS_BALANCE): ParaState {
  const ledger = Ledger.genesis(config.accounts, initialBalance);
  const items = {
    number: 0,
    segment: EMPTY_UNINCLUDED_SEGMENT,
    lastRelayChainBlockNumber: 0,
    relaySlotInfo: null,
    auraCurrentSlot: 0,
    timestampMs: 0,
    code: runtimeCode(config),
    pendingValidationCode: null,
  };
  // Every account counts as changed at genesis.
  const genesisChanges = new Uint8Array(config.accounts * 16);
  const view = new DataView(genesisChanges.buffer);
  for (let a = 0; a < config.accounts; a++) {
    view.setUint32(16 * a, a, true);
    u64le(view, 16 * a + 4, ledger.balances[a]!);
    view.setUint32(16 * a + 12, 0, true);
  }
  return { ...items, ledger, stateRoot: stateRootOf(ZERO_HASH, items, genesisChanges) };
}

/** The hook's configuration from the runtime's constants. */
function hookConfig(config: RuntimeConfig) {
  return {
    relayChainSlotDurationMillis: config.relayChainSlotDurationMillis,
    paraSlotDurationMs: config.slotDurationMs,
    velocity: config.blockProcessingVelocity,
    capacity: config.unincludedSegmentCapacity,
  };
}

/**
 * One block in execution. `begin` runs the hooks and inherents (and may panic); transfers are
 * then applied one by one; `finish` finalizes and produces the header and post-state.
 */
export class BlockExecution {
  private readonly ledger: LedgerWriter;
  private readonly transfers = new TransfersBuilder();
  private finished = false;

  private constructor(
    private readonly config: RuntimeConfig,
    private readonly parent: ParaState,
    private readonly inputs: BlockInputs,
    private readonly segment: UnincludedSegmentState,
    private readonly relaySlotInfo: RelaySlotInfo | null,
    private readonly auraCurrentSlot: number,
    private readonly code: {
      readonly code: RuntimeCode;
      readonly pending: RuntimeCode | null;
      readonly event: ExecutedBlock["codeEvent"];
      readonly setCode: SetCodeOutcome | null;
      readonly newValidationCode: Uint8Array | null;
    },
  ) {
    this.ledger = LedgerWriter.begin(parent.ledger);
  }

  /**
   * Runs the block's initialization, inherents and `set_code` call with the parent's `:code`;
   * panics (`RuntimePanic`) as the runtime would.
   */
  static begin(parent: ParaState, inputs: BlockInputs): BlockExecution {
    const config = parent.code.config;
    // frame_executive::initial_checks.
    if (inputs.number !== parent.number + 1) panic("Parent hash should be valid.");

    // parachain-system on_initialize.
    let segment = onInitialize(parent.segment, inputs.parentHash);

    // pallet_aura on_initialize.
    let auraCurrentSlot = parent.auraCurrentSlot;
    if (inputs.auraSlot !== null) {
      const newSlot = inputs.auraSlot;
      if (config.allowMultipleBlocksPerSlot) {
        if (!(auraCurrentSlot <= newSlot)) panic("Slot must not decrease");
      } else if (!(auraCurrentSlot < newSlot)) {
        panic("Slot must increase");
      }
      auraCurrentSlot = newSlot;
    }

    // parachain-system set_validation_data.
    const vfp = inputs.inherent.validationData;
    const proof = inputs.inherent.relayChainState;
    checkAssociatedRelayNumber(
      config.checkAssociatedRelayNumber,
      vfp.relayParentNumber,
      parent.lastRelayChainBlockNumber,
    );
    if (proof.stateRoot !== vfp.relayParentStorageRoot) panic("Invalid relay chain state proof");

    let capacity: UnincludedSegmentCapacity;
    let relaySlotInfo = parent.relaySlotInfo;
    switch (config.consensusHook) {
      case "expect-parent-included":
        capacity = ExpectParentIncluded.onStateProof();
        break;
      case "fixed-velocity": {
        const r = FixedVelocityConsensusHook.onStateProof(
          hookConfig(config),
          parent.relaySlotInfo,
          auraCurrentSlot,
          proof.currentSlot,
        );
        capacity = r.capacity;
        relaySlotInfo = r.relaySlotInfo;
        break;
      }
      default:
        return assertNever(config.consensusHook, "consensus hook");
    }
    segment = maybeDropIncludedAncestors(
      segment.unincludedSegment,
      segment.aggregatedUnincludedSegment,
      proof.includedParaHead,
      inputs.parentHash,
      capacity,
    );
    // The go-ahead: the pending code becomes `:code` (`update_code_in_storage`; this block still
    // runs the old code, the next one the new), or an `Abort` discards it.
    let code = parent.code;
    let pending = parent.pendingValidationCode;
    let event: ExecutedBlock["codeEvent"] = null;
    switch (
      processUpgradeGoAheadSignal(
        segment.aggregatedUnincludedSegment,
        proof.upgradeGoAhead,
        pending !== null,
      )
    ) {
      case "applyPendingCode":
        code = pending!;
        pending = null;
        event = "ValidationFunctionApplied";
        break;
      case "discardPendingCode":
        pending = null;
        event = "ValidationFunctionDiscarded";
        break;
      default:
        break;
    }

    // pallet_timestamp::set (MinimumPeriod 0) and pallet_aura::on_timestamp_set.
    if (!(parent.timestampMs === 0 || inputs.timestampMs >= parent.timestampMs)) {
      panic("Timestamp must increment by at least <MinimumPeriod> between sequential blocks");
    }
    if (inputs.auraSlot !== null) {
      const timestampSlot = Slot.fromTimestamp(inputs.timestampMs, config.slotDurationMs);
      if (timestampSlot !== auraCurrentSlot) {
        panic(
          `assertion \`left == right\` failed: Timestamp slot must match \`CurrentSlot\`. This likely means that the configured block time in the node and/or rest of the runtime is not compatible with Aura's \`SlotDuration\`\n  left: Slot(${auraCurrentSlot})\n right: Slot(${timestampSlot})`,
        );
      }
    }
    // The `set_code` call (`schedule_code_upgrade`, checks in Rust's order).
    let setCode: SetCodeOutcome | null = null;
    let newValidationCode: Uint8Array | null = null;
    if (inputs.setCode !== null) {
      if (proof.upgradeRestriction !== null) setCode = "ProhibitedByPolkadot";
      else if (pending !== null) setCode = "OverlappingUpgrades";
      else {
        pending = runtimeCode(inputs.setCode);
        newValidationCode = pending.code;
        setCode = "ValidationFunctionStored";
      }
    }
    return new BlockExecution(config, parent, inputs, segment, relaySlotInfo, auraCurrentSlot, {
      code,
      pending,
      event,
      setCode,
      newValidationCode,
    });
  }

  get count(): number {
    return this.transfers.count;
  }

  /** The normal dispatch class's `max_total`: `NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT`, µs. */
  private get normalMaxTotalUs(): number {
    return this.config.normalDispatchRatio * this.config.maximumBlockWeightUs;
  }

  /** Σ txRefTimeUs so far, whole µs. */
  get weightUs(): number {
    return Math.round(this.transfers.count * this.config.txRefTimeUs);
  }

  /** Why this transfer cannot be applied now, or null. */
  checkTransfer(
    from: number,
    to: number,
    amount: number,
    nonce: number,
  ): InvalidTransaction | "ExhaustsResources" | null {
    if ((this.transfers.count + 1) * this.config.txRefTimeUs > this.normalMaxTotalUs) {
      return "ExhaustsResources";
    }
    return this.ledger.check(from, to, amount, nonce);
  }

  /** Apply a transfer; an invalid one panics (a block containing it is invalid). */
  applyTransfer(from: number, to: number, amount: number, nonce: number): void {
    assert(!this.finished, "block execution already finished");
    const invalid = this.checkTransfer(from, to, amount, nonce);
    if (invalid !== null) panic(invalidTransactionMessage(invalid));
    this.ledger.apply(from, to, amount);
    this.transfers.push(from, to, amount, nonce);
  }

  /** `on_finalize`, roots and header. */
  finish(): ExecutedBlock {
    assert(!this.finished, "block execution already finished");
    this.finished = true;
    const vfp = this.inputs.inherent.validationData;
    const proof = this.inputs.inherent.relayChainState;

    // parachain-system on_finalize.
    const messagingState: MessagingStateSnapshot = {
      relayDispatchQueueRemainingCapacity: proof.relayDispatchQueueRemainingCapacity,
      egressChannels: new Map(),
    };
    const totalBandwidthOut = OutboundBandwidthLimits.fromRelayChainState(messagingState);
    const adjusted = adjustEgressBandwidthLimits(
      messagingState,
      this.segment.aggregatedUnincludedSegment,
    );
    const sent = takeUpwardMessages(
      [],
      adjusted.relayDispatchQueueRemainingCapacity.remainingCount,
      adjusted.relayDispatchQueueRemainingCapacity.remainingSize,
      proof.maxUpwardMessageNumPerCandidate,
    );
    const usedBandwidth: UsedBandwidth = {
      ...UsedBandwidth.default(),
      umpMsgCount: sent.umpMsgCount,
      umpTotalBytes: sent.umpTotalBytes,
    };
    const hrmpWatermark = vfp.relayParentNumber;
    const segment = onFinalizeUnincludedSegment(this.segment, {
      usedBandwidth,
      relayUpgradeGoAhead: proof.upgradeGoAhead,
      hrmpWatermark,
      relayParentNumber: vfp.relayParentNumber,
      totalBandwidthOut,
    });
    const coreInfo = this.inputs.coreInfo;
    const upwardMessages =
      coreInfo === null
        ? [...sent.sent]
        : withSelectCore(sent.sent, coreInfo.selector, coreInfo.claimQueueOffset);

    const transfers = this.transfers.finish();
    const items = {
      number: this.inputs.number,
      segment,
      lastRelayChainBlockNumber: vfp.relayParentNumber,
      relaySlotInfo: this.relaySlotInfo,
      auraCurrentSlot: this.auraCurrentSlot,
      timestampMs: this.inputs.timestampMs,
      code: this.code.code,
      pendingValidationCode: this.code.pending,
    };
    const stateRoot = stateRootOf(this.parent.stateRoot, items, this.ledger.encodeChanges());
    const state: ParaState = { ...items, stateRoot, ledger: this.ledger.snapshot() };
    const header: ParaHeader = {
      parentHash: this.inputs.parentHash,
      number: this.inputs.number,
      stateRoot,
      extrinsicsRoot: extrinsicsRoot(
        this.inputs.inherent,
        this.inputs.timestampMs,
        transfers,
        this.inputs.setCode === null ? null : validationCodeOf(this.inputs.setCode),
      ),
      digest: {
        auraSlot: this.inputs.auraSlot,
        coreInfo,
        relayParentStorageRoot: vfp.relayParentStorageRoot,
        relayParentNumber: vfp.relayParentNumber,
        relayParent: proof.relayParent,
      },
    };
    const headBytes = encodeHeader(header);
    const head = toHex(headBytes);
    const outputs: ValidationResult = {
      headData: head,
      newValidationCode: this.code.newValidationCode,
      upwardMessages,
      horizontalMessages: [],
      processedDownwardMessages: 0,
      hrmpWatermark,
    };
    return {
      header,
      headData: head,
      headHash: toHex(blake2b(headBytes, { dkLen: 32 })),
      state,
      outputs,
      transfers,
      weightUs: this.weightUs,
      setCodeOutcome: this.code.setCode,
      codeEvent: this.code.event,
    };
  }
}

function digestEquals(a: ParaHeader, b: ParaHeader): boolean {
  const ea = encodeHeader({ ...a, stateRoot: ZERO_HASH, extrinsicsRoot: ZERO_HASH });
  const eb = encodeHeader({ ...b, stateRoot: ZERO_HASH, extrinsicsRoot: ZERO_HASH });
  return ea.length === eb.length && ea.every((x, i) => x === eb[i]);
}

/**
 * Import-time execution of a block on its parent's state (`Executive::execute_block`): panics
 * (`RuntimePanic`) if the block is invalid, including when its header does not match the one
 * execution computes.
 */
export function executeBlock(parent: ParaState, block: ParaBlock): ExecutedBlock {
  const h = block.header;
  const exec = BlockExecution.begin(parent, {
    parentHash: h.parentHash,
    number: h.number,
    auraSlot: h.digest.auraSlot,
    coreInfo: h.digest.coreInfo,
    inherent: block.inherent,
    timestampMs: block.timestampMs,
    setCode: block.setCode ?? null,
  });
  const t = block.transfers;
  for (let i = 0; i < t.count; i++) {
    exec.applyTransfer(t.from[i]!, t.to[i]!, t.amount[i]!, t.nonce[i]!);
  }
  const result = exec.finish();
  // frame_executive::final_checks.
  if (!digestEquals(result.header, h)) panic("Digest item must match that calculated.");
  if (result.header.stateRoot !== h.stateRoot) panic("Storage root must match that calculated.");
  if (result.header.extrinsicsRoot !== h.extrinsicsRoot) {
    panic("Transactions trie root must be valid.");
  }
  return result;
}

/**
 * The `AuraUnincludedSegmentApi::can_build_upon(included_hash, slot)` runtime API at a block
 * whose post-state is `state` (run by that state's `:code`); null when the runtime does not implement it (a runtime whose
 * consensus hook is `ExpectParentIncluded`, i.e. not yet upgraded).
 */
export function canBuildUpon(
  state: ParaState,
  includedHash: Hash,
  relaySlot: number,
): boolean | null {
  const config = state.code.config;
  if (config.consensusHook !== "fixed-velocity") return null;
  return FixedVelocityConsensusHook.canBuildUpon(
    hookConfig(config),
    state.relaySlotInfo,
    state.segment.unincludedSegment,
    includedHash,
    relaySlot,
  );
}

/** The genesis header: empty digest, no extrinsics. */
export function genesisHeader(state: ParaState): ParaHeader {
  return {
    parentHash: ZERO_HASH,
    number: 0,
    stateRoot: state.stateRoot,
    extrinsicsRoot: toHex(blake2b(concatBytes(), { dkLen: 32 })),
    digest: EMPTY_DIGEST,
  };
}
