/**
 * What the three Aura collators share: the relay-chain view (imported relay blocks, the best
 * one), the para block tree (own blocks and peers' announced blocks, imported by executing them),
 * Aura authorship (`claim_slot`), parent search and `can_build_upon` over the tree, block
 * building (the proposer: inherents, then transactions from the shared pool within the limits),
 * and submission: the collation-generation subsystem (candidate receipt, V1 or V2 descriptor)
 * and the collator protocol (advertise to the backing group, serve fetches).
 *
 * Invariants:
 * - All time goes through the env: building a block takes its weight (Σ txRefTimeUs, collator
 *   speed 1.0) on the collator's `main` CPU; importing a peer's block (executing it) takes its
 *   weight x `runtime.importCostOfWeight` (SEMANTICS.md §7 C6; 1.0 by default), on a second CPU
 *   (`IMPORT_POOL`: Substrate's import queue runs beside authoring).
 *   A block exists (tree, announcement, submission, `noteAuthored`) only when that time is over.
 * - The author of para slot s is collator `s mod n` of the para (Aura round robin over the
 *   para's collators, in index order).
 * - A block whose building panics in the runtime is not produced: the panic is logged and
 *   reported (`onRuntimePanic`), as cumulus logs "Unable to build block" and moves on.
 * - A candidate is advertised to every validator of the group assigned to its core at relay
 *   parent + 1 (`validator_groups()` at the relay parent already answers for its child).
 *
 * Simplifications (stated): the collator protocol advertises every collation to the group at
 * once (no per-relay-parent claim limit on the collator side, no peer-set management); a peer
 * block is imported once its parent is known (earlier arrivals wait); an unknown parent is
 * asked of the announcing peer (a block request, sc-network-sync's, modelled: descending from
 * the parent to just above the best block, 20 s timeout, retried while a block waits for it).
 * The erasure root is the real one of the candidate's `AvailableData` among the relay parent's
 * validators (`erasure_root` in collation generation; the encoding is shared with the validators'
 * stores through `env.erasure`, computed once); with fewer than two validators there is none,
 * and collation generation gives the candidate up, as polkadot's does.
 *
 * A dishonest collator (`options.malus`, scenario `adversaries`) makes some candidates bad at
 * submission (`misbehave`: garbage PoV, wrong parent head in the PVD, oversized PoV); its blocks
 * and its chain stay as built.
 *
 * Ref: cumulus/client/consensus/aura/src/collator.rs (claim_slot, collate,
 *      build_block_and_import), cumulus/client/consensus/aura/src/collators/mod.rs
 *      (can_build_upon, find_parent, cores_scheduled_for_para),
 *      polkadot/node/collation-generation/src/lib.rs (construct_and_distribute_receipt),
 *      polkadot/node/network/collator-protocol/src/collator_side/mod.rs
 *      (determine_our_validators, advertise, answer fetches),
 *      substrate/client/network/sync/src/block_request_handler.rs (block requests).
 */

import type { Actor, CollatorEnv, CpuPool } from "../actors/env.ts";
import type { CollatorMalus } from "../actors/malus.ts";
import type { ActorId, Collation, PoV, ProtocolMessage } from "../actors/protocol.ts";
import { DEFAULT_GENERATION, type Generation } from "../config/generation.ts";
import type { CollatorKind, ParachainSpec } from "../config/scenario.ts";
import { RuntimePanic } from "../lib/assert.ts";
import { concatBytes, fromHex, type Hash, toHex } from "../lib/hex.ts";
import { Slot } from "../parachain/aura.ts";
import {
  type CoreInfo,
  type ParaBlock,
  type ParachainInherentData,
  povBaseBytes,
  povHash,
  povSizeBytes,
  type RelayChainStateSnapshot,
} from "../parachain/block.ts";
import { type RuntimeCode, runtimeCode } from "../parachain/code.ts";
import type { ParaGenesis } from "../parachain/genesis.ts";
import type { ParaStateStore } from "../parachain/pvf.ts";
import {
  BlockExecution,
  type ExecutedBlock,
  type ParaState,
  type RuntimeConfig,
  canBuildUpon as runtimeCanBuildUpon,
} from "../parachain/runtime.ts";
import { candidateHash as candidateHashOf, pvdHash } from "../primitives/candidate.ts";
import { transposeClaimQueue } from "../primitives/claim-queue.ts";
import type {
  BlockNumber,
  CandidateDescriptor,
  CandidateHash,
  CommittedCandidateReceipt,
  CoreIndex,
  ParaId,
  PersistedValidationData,
} from "../primitives/codecs.ts";
import { parseUmpSignals } from "../primitives/core-selection.ts";
import { groupForCore } from "../primitives/group-rotation.ts";
import { hashHex } from "../primitives/hashing.ts";
import { commitmentsOf } from "../primitives/pvf.ts";
import type { RelayHeader, RuntimeApi } from "../primitives/runtime-api.ts";
import { ParaBlockTree, type TreeEntry } from "./block-tree.ts";
import { type Filled, type FillStop, fillBlock, type TxPool } from "./load.ts";
import {
  collatorCanBuildUpon,
  findParent,
  type ParaBlockHeader,
  type PotentialParent,
  type RelayChainInterface,
} from "./parent-search.ts";

/** The CPU pool a collator imports peers' blocks on (see `importBlock`). */
export const IMPORT_POOL: CpuPool = "pvf";

/** sc-network-sync `MAX_BLOCKS_IN_RESPONSE`: blocks one block response carries at most. */
export const MAX_BLOCKS_IN_RESPONSE = 128;
/** The block request protocol's request timeout (`generate_protocol_config`: 20 s), µs. */
export const BLOCK_REQUEST_TIMEOUT_US = 20_000_000;

/** polkadot-omni-node's `relay_chain_slot_duration`, the node's default relay slot, ms. */
const DEFAULT_RELAY_CHAIN_SLOT_DURATION_MS = 6000;

/** The share of `max_pov_size` basic.rs builds up to ("50% of the maximum PoV size"), percent. */
const BASIC_POV_PERCENTAGE = 50;

/** Lookahead / slot-based share of `max_pov_size` when `max_pov_percentage` is unset, percent. */
const DEFAULT_MAX_POV_PERCENTAGE = 85;

/** How long a collation stays fetchable after its relay parent (a model bound), relay blocks. */
const COLLATION_RETENTION_BLOCKS = 16;

/** `AuraUnincludedSegmentApi` version the runtime implements (`can_build_upon` by relay slot). */
const AURA_UNINCLUDED_SEGMENT_API_VERSION = 2;

/** The para-wide things every collator of the para shares (built once by `createParachain`). */
export interface Parachain {
  readonly spec: ParachainSpec;
  readonly genesis: ParaGenesis;
  /** Post-states by block hash, shared by the para's collators and the PVF. */
  readonly store: ParaStateStore;
  /** The para's transaction pool (transaction gossip). */
  readonly pool: TxPool;
}

/** A runtime panic that stopped a block from being built. */
export interface RuntimePanicInfo {
  readonly paraId: ParaId;
  readonly author: ActorId;
  readonly atUs: number;
  readonly relayParent: Hash;
  readonly relayParentNumber: BlockNumber;
  readonly parentNumber: BlockNumber;
  readonly message: string;
}

export interface CollatorOptions {
  /**
   * The node's `relay_chain_slot_duration` (what it derives para slots from; polkadot-omni-node
   * uses 6 s). It may differ from the runtime's `relayChainSlotDurationMillis`. Default 6 s.
   */
  readonly relaySlotDurationMs?: number;
  /** Told of every block production that failed with a runtime panic. */
  readonly onRuntimePanic?: (info: RuntimePanicInfo) => void;
  /** Which cumulus collator rules run (SEMANTICS.md §7 C4). Default: the current generation. */
  readonly generation?: Generation;
  /**
   * A node restart: the collator takes over the database of the one it replaces (its para block
   * tree and the best relay block it knew); in-memory state (collations, blocks being imported) is
   * lost, as in a restart.
   */
  readonly resume?: { readonly tree: ParaBlockTree; readonly best: RelayHeader | null };
  /** Runtime upgrades the para's governance submits (`set_code`), by relay block. */
  readonly upgrades?: readonly { readonly atRelayBlock: number; readonly runtime: RuntimeConfig }[];
  /** A dishonest collator (scenario `adversaries`): bad candidates, see `submit`. */
  readonly malus?: CollatorMalus;
}

/** A runtime upgrade to submit from a relay block on, with its code. */
interface ScheduledUpgrade {
  readonly atRelayBlock: number;
  readonly code: RuntimeCode;
}

/** The PoV budget of a collator: basic `max_pov_size / 2`, the others 85 %. */
export function povBudgetBytes(kind: CollatorKind, maxPovSize: number): number {
  const percentage = kind === "basic" ? BASIC_POV_PERCENTAGE : DEFAULT_MAX_POV_PERCENTAGE;
  return Math.floor((maxPovSize * percentage) / 100);
}

/** `collator_signature_payload`: relay parent, para id, PVD hash, PoV hash, code hash (132 bytes). */
export function collatorSignaturePayload(
  relayParent: Hash,
  paraId: ParaId,
  persistedValidationDataHash: Hash,
  povHashValue: Hash,
  validationCodeHash: Hash,
): Uint8Array {
  const para = new Uint8Array(4);
  new DataView(para.buffer).setUint32(0, paraId, true);
  return concatBytes(
    fromHex(relayParent),
    para,
    fromHex(persistedValidationDataHash),
    fromHex(povHashValue),
    fromHex(validationCodeHash),
  );
}

/** What a build needs besides the parent. */
export interface BuildRequest {
  readonly parentHash: Hash;
  readonly relayParent: RelayHeader;
  readonly api: RuntimeApi;
  readonly maxPovSize: number;
  readonly auraSlot: number;
  readonly timestampMs: number;
  readonly coreInfo: CoreInfo | null;
  /** Building time available, ms. */
  readonly authoringDurationMs: number;
}

/** A block built and ready (after its building time). */
export interface BuiltBlock {
  readonly block: ParaBlock;
  readonly executed: ExecutedBlock;
  readonly pvd: PersistedValidationData;
  readonly pov: PoV;
  readonly stop: FillStop;
  /** The code that runs the block: its parent's `:code` (`code_hash_provider`). */
  readonly validationCodeHash: Hash;
}

export abstract class CollatorBase implements Actor {
  readonly id: ActorId;
  readonly paraId: ParaId;
  protected readonly tree: ParaBlockTree;
  protected readonly relaySlotDurationMs: number;
  protected readonly generation: Generation;
  private readonly upgrades: readonly ScheduledUpgrade[];
  protected readonly relay: RelayChainInterface;
  /** The best relay block imported (highest number, first seen). */
  protected best: RelayHeader | null = null;
  private readonly collations = new Map<
    CandidateHash,
    {
      readonly collation: Collation;
      readonly relayParent: Hash;
      readonly relayParentNumber: number;
    }
  >();
  private readonly orphans = new Map<Hash, ParaBlock[]>();
  /** Block requests in flight, by the hash asked for: when each was sent (µs). */
  private readonly blockRequests = new Map<Hash, number>();
  private stopped = false;
  private readonly importing = new Set<Hash>();

  constructor(
    protected readonly env: CollatorEnv,
    protected readonly spec: ParachainSpec,
    protected readonly para: Parachain,
    protected readonly options: CollatorOptions = {},
  ) {
    this.id = env.id;
    this.paraId = spec.id;
    this.tree = options.resume?.tree ?? new ParaBlockTree(para.genesis);
    this.best = options.resume?.best ?? null;
    this.relaySlotDurationMs = options.relaySlotDurationMs ?? DEFAULT_RELAY_CHAIN_SLOT_DURATION_MS;
    this.generation = options.generation ?? DEFAULT_GENERATION;
    this.upgrades = (options.upgrades ?? [])
      .map((u) => ({ atRelayBlock: u.atRelayBlock, code: runtimeCode(u.runtime) }))
      .sort((a, b) => a.atRelayBlock - b.atRelayBlock);
    this.relay = {
      persistedValidationData: (relayParent, paraId, assumption) =>
        env.relayChain.api(relayParent)?.persistedValidationData(paraId, assumption) ?? null,
      header: (hash) => env.relayChain.header(hash),
      sessionIndexForChild: (hash) => env.relayChain.api(hash)?.sessionIndexForChild() ?? -1,
    };
  }

  /** The collator kind (for logs and reports). */
  abstract readonly kind: CollatorKind;

  /**
   * The runtime the node asks outside building (`AuraApi::slot_duration`, the relay parent
   * offset): the `:code` of its best para block. A block is built and imported with its
   * parent's code.
   */
  protected get config(): RuntimeConfig {
    return this.tree.best.state.code.config;
  }

  /** The para block tree (read-only use: tests, reports). */
  get blocks(): ParaBlockTree {
    return this.tree;
  }

  /**
   * Forget the blocks below number `number` (a long run's memory): its tree's, and announced
   * blocks still waiting for such a parent (nothing builds on those parents any more).
   */
  prune(number: number): void {
    this.tree.prune(number);
    for (const [parent, waiting] of this.orphans) {
      if (waiting.every((b) => b.header.number - 1 < number)) this.orphans.delete(parent);
    }
  }

  /** Stops this collator (a node restart replaces it): every later callback does nothing. */
  stop(): { readonly tree: ParaBlockTree; readonly best: RelayHeader | null } {
    this.stopped = true;
    return { tree: this.tree, best: this.best };
  }

  /** Whether `stop` was called (subclasses' timers check it). */
  protected get isStopped(): boolean {
    return this.stopped;
  }

  onMessage(from: ActorId, msg: ProtocolMessage): void {
    if (this.stopped) return;
    switch (msg.type) {
      case "RelayBlock":
        this.noteRelayBlock(msg.header);
        this.onRelayBlock(msg.header);
        return;
      case "ParaBlockAnnounce":
        if (msg.paraId === this.paraId) this.importBlock(msg.block, from);
        return;
      case "ParaBlockRequest":
        if (msg.paraId === this.paraId) this.answerBlockRequest(from, msg.fromHash, msg.max);
        return;
      case "ParaBlockResponse":
        if (msg.paraId === this.paraId) this.onBlockResponse(from, msg.fromHash, msg.blocks);
        return;
      case "CollationFetchRequest":
        this.answerFetch(from, msg.relayParent, msg.candidateHash);
        return;
      case "CollationSeconded":
        this.env.log.debug("collation seconded", { candidateHash: msg.candidateHash, by: from });
        return;
      default:
        return;
    }
  }

  /** A new relay block was imported (after the relay view is updated). */
  protected abstract onRelayBlock(header: RelayHeader): void;

  private noteRelayBlock(header: RelayHeader): void {
    if (this.best === null || header.number > this.best.number) {
      this.best = header;
      // Collations too old to be backed are forgotten.
      for (const [hash, c] of this.collations) {
        if (c.relayParentNumber + COLLATION_RETENTION_BLOCKS < header.number) {
          this.collations.delete(hash);
        }
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Aura, slots, parents

  /** `Slot::from_timestamp(relay_slot x relay_slot_duration, para_slot_duration)`. */
  protected paraSlotOf(relayParent: RelayHeader): number {
    return Slot.fromRelaySlot(
      relayParent.slot,
      this.relaySlotDurationMs,
      this.config.slotDurationMs,
    );
  }

  /** `claim_slot`: whether this collator is the Aura author of `paraSlot`. */
  protected isOurSlot(paraSlot: number): boolean {
    return paraSlot % this.spec.collators === this.env.collatorIndex;
  }

  /** `find_parent` at `relayParent` over the local tree. */
  protected findParent(
    relayParent: Hash,
    api: RuntimeApi,
  ): { readonly included: ParaBlockHeader; readonly parent: PotentialParent } | null {
    return findParent(relayParent, this.paraId, this.tree, this.relay, api.schedulingLookahead());
  }

  /**
   * `can_build_upon` of collators/mod.rs after the slot claim: always on the included block,
   * else the runtime API at the parent with the relay slot (API version 2); a runtime without
   * the API (an `ExpectParentIncluded` hook) only allows the included block.
   */
  protected canBuildUpon(
    parentHash: Hash,
    includedHash: Hash,
    paraSlot: number,
    relaySlot: number,
  ): boolean {
    const parent = this.tree.entry(parentHash);
    if (parent === null) return false;
    return collatorCanBuildUpon(
      parentHash,
      includedHash,
      paraSlot,
      relaySlot,
      AURA_UNINCLUDED_SEGMENT_API_VERSION,
      (inc, slot) => runtimeCanBuildUpon(parent.state, inc, slot) ?? false,
    );
  }

  /** The relay state the `set_validation_data` inherent proves, read at the relay parent. */
  protected relayStateSnapshot(api: RuntimeApi, relayParent: RelayHeader): RelayChainStateSnapshot {
    const constraints = api.paraBackingState(this.paraId)?.constraints ?? null;
    const includedParaHead =
      constraints?.requiredParent ??
      api.persistedValidationData(this.paraId, "TimedOut")?.parentHead ??
      null;
    return {
      relayParent: relayParent.hash,
      stateRoot: relayParent.stateRoot,
      currentSlot: relayParent.slot,
      includedParaHead,
      relayDispatchQueueRemainingCapacity: {
        remainingCount: constraints?.umpRemaining ?? 0,
        remainingSize: constraints?.umpRemainingBytes ?? 0,
      },
      maxUpwardMessageNumPerCandidate: constraints?.maxUmpNumPerCandidate ?? 0,
      upgradeGoAhead: api.upgradeGoAheadSignal(this.paraId),
      upgradeRestriction: constraints?.upgradeRestriction ?? null,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Building

  /**
   * The `set_code` call a block on `parent` carries: the runtime of the latest upgrade due by the
   * best relay block this collator knows, unless `parent` already runs or awaits it. (The call is
   * resubmitted with every block until the para schedules it: a failed call, refused by the relay
   * chain's upgrade restriction or by an upgrade in flight, has no effect.)
   */
  private setCodeFor(parent: ParaState): RuntimeConfig | null {
    const relayNumber = this.best?.number ?? 0;
    let due: ScheduledUpgrade | undefined;
    for (const u of this.upgrades) if (u.atRelayBlock <= relayNumber) due = u;
    if (due === undefined) return null;
    if (parent.code.hash === due.code.hash) return null;
    if (parent.pendingValidationCode?.hash === due.code.hash) return null;
    return due.code.config;
  }

  /**
   * Build a block on `req.parentHash`. Calls `done(null)` synchronously when the runtime panics
   * (nothing is produced); otherwise `done(built)` once the building time (the block's weight)
   * has passed on this collator's CPU, after the block is imported, announced and noted.
   */
  protected build(req: BuildRequest, done: (built: BuiltBlock | null) => void): void {
    const parent = this.tree.entry(req.parentHash);
    if (parent === null) {
      done(null);
      return;
    }
    const relayParentHeader = req.relayParent;
    // The block runs its parent's `:code`.
    const code = parent.state.code.config;
    const setCode = this.setCodeFor(parent.state);
    const pvd: PersistedValidationData = {
      parentHead: parent.headData,
      relayParentNumber: relayParentHeader.number,
      relayParentStorageRoot: relayParentHeader.stateRoot,
      maxPovSize: req.maxPovSize,
    };
    const inherent: ParachainInherentData = {
      validationData: pvd,
      relayChainState: this.relayStateSnapshot(req.api, relayParentHeader),
    };
    const inputs = {
      parentHash: parent.hash,
      number: parent.header.number + 1,
      auraSlot: req.auraSlot,
      coreInfo: req.coreInfo,
      inherent,
      timestampMs: req.timestampMs,
      setCode,
    };
    const provisional = {
      parentHash: parent.hash,
      number: inputs.number,
      stateRoot: parent.hash,
      extrinsicsRoot: parent.hash,
      digest: {
        auraSlot: req.auraSlot,
        coreInfo: req.coreInfo,
        relayParentStorageRoot: relayParentHeader.stateRoot,
        relayParentNumber: relayParentHeader.number,
        relayParent: relayParentHeader.hash,
      },
    };
    let executed: ExecutedBlock;
    let filled: Filled;
    try {
      const exec = BlockExecution.begin(parent.state, inputs);
      filled = fillBlock(exec, this.para.pool, parent.poolCursor, this.env.now(), {
        authoringUs: req.authoringDurationMs * 1000,
        proposalTimeFraction: this.spec.collator.proposalTimeFraction,
        softDeadlinePercent: this.spec.collator.softDeadlinePercent,
        povBudgetBytes: povBudgetBytes(this.spec.collator.kind, req.maxPovSize),
        povBaseBytes: povBaseBytes(provisional, inherent),
        txRefTimeUs: code.txRefTimeUs,
        txProofBytes: code.txProofBytes,
      });
      executed = exec.finish();
    } catch (e) {
      if (!(e instanceof RuntimePanic)) throw e;
      this.reportPanic(relayParentHeader, parent, e.message);
      done(null);
      return;
    }
    const block: ParaBlock = {
      header: executed.header,
      inherent,
      timestampMs: req.timestampMs,
      transfers: executed.transfers,
      ...(setCode === null ? {} : { setCode }),
      poolCursor: filled.cursor,
    };
    if (executed.setCodeOutcome !== null || executed.codeEvent !== null) {
      this.env.log.info("runtime upgrade", {
        number: executed.header.number,
        setCode: executed.setCodeOutcome,
        event: executed.codeEvent,
      });
    }
    this.para.store.recordBuilt(block, executed);
    const pov: PoV = {
      hash: povHash(executed.headHash, executed.header.extrinsicsRoot),
      sizeBytes: povSizeBytes(block, code.txProofBytes),
      blockData: block,
    };
    this.env.log.debug("building block", () => ({
      number: executed.header.number,
      parent: parent.hash,
      relayParent: relayParentHeader.hash,
      transactions: block.transfers.count,
      weightUs: executed.weightUs,
      stop: filled.stop,
    }));
    this.env.cpu("main", filled.proposalUs, () => {
      if (this.stopped) return; // restarted while building: the block is lost
      this.tree.insert(block, executed);
      for (const peer of this.env.peers) {
        this.env.send(peer, {
          type: "ParaBlockAnnounce",
          paraId: this.paraId,
          block,
          sizeBytes: pov.sizeBytes,
        });
      }
      this.env.noteAuthored({
        paraId: this.paraId,
        headHash: executed.headHash,
        number: executed.header.number,
        parentHeadHash: parent.hash,
        timestampMs: req.auraSlot * code.slotDurationMs,
        weightUs: executed.weightUs,
        povBytes: pov.sizeBytes,
        transactions: block.transfers.count,
        poolCursor: filled.cursor,
        relayParent: relayParentHeader.hash,
        author: this.id,
        setCode: executed.setCodeOutcome,
        codeEvent: executed.codeEvent,
      });
      done({
        block,
        executed,
        pvd,
        pov,
        stop: filled.stop,
        validationCodeHash: parent.state.code.hash,
      });
    });
  }

  private reportPanic(relayParentHeader: RelayHeader, parent: TreeEntry, message: string): void {
    this.env.log.warn("Unable to build block: runtime panicked", {
      relayParent: relayParentHeader.hash,
      parent: parent.hash,
      message,
    });
    this.options.onRuntimePanic?.({
      paraId: this.paraId,
      author: this.id,
      atUs: this.env.now(),
      relayParent: relayParentHeader.hash,
      relayParentNumber: relayParentHeader.number,
      parentNumber: parent.header.number,
      message,
    });
  }

  // -------------------------------------------------------------------------------------------
  // Import of peers' blocks

  /**
   * Import a block announced by a peer: execute it on its parent (waiting for the parent). A
   * parent neither known nor being imported is requested from `requestFrom` (the announcing
   * peer), as sc-network-sync requests an announced block's unknown ancestry.
   */
  importBlock(block: ParaBlock, requestFrom?: ActorId): void {
    const parentHash = block.header.parentHash;
    if (!this.tree.has(parentHash)) {
      const waiting = this.orphans.get(parentHash) ?? [];
      if (!waiting.includes(block)) waiting.push(block);
      this.orphans.set(parentHash, waiting);
      if (requestFrom !== undefined && !this.importing.has(parentHash)) {
        this.requestBlocks(requestFrom, parentHash, block.header.number - 1);
      }
      return;
    }
    const execution = this.para.store.execute(block);
    if (execution === null || !execution.ok) {
      this.env.log.warn("rejected an announced block", {
        number: block.header.number,
        reason: execution === null ? "parent state unknown" : execution.error,
      });
      return;
    }
    const executed = execution.value;
    if (this.tree.has(executed.headHash) || this.importing.has(executed.headHash)) return;
    this.importing.add(executed.headHash);
    // The import queue runs beside authoring (its own task in Substrate): the `pvf` pool, which
    // a collator has no other use for, stands for that second core.
    // What the import really costs: the block's weight x `importCostOfWeight` (SEMANTICS.md §7
    // C6: weights are worst cases on reference hardware; real execution sits below them).
    const importCostUs = executed.weightUs * this.spec.runtime.importCostOfWeight;
    this.env.cpu(IMPORT_POOL, importCostUs, () => {
      if (this.stopped) return;
      this.importing.delete(executed.headHash);
      this.tree.insert(block, executed);
      const children = this.orphans.get(executed.headHash);
      if (children !== undefined) {
        this.orphans.delete(executed.headHash);
        for (const child of children) this.importBlock(child);
      }
    });
  }

  /**
   * Ask `peer` for the block `hash` (number `number`) and its ancestors down to just above my
   * best block (at most `MAX_BLOCKS_IN_RESPONSE`): a block request, direction descending. One
   * request per hash in flight; one unanswered after `BLOCK_REQUEST_TIMEOUT_US` fails and is
   * sent again while an orphan waits for the block.
   */
  private requestBlocks(peer: ActorId, hash: Hash, number: number): void {
    const now = this.env.now();
    const sent = this.blockRequests.get(hash);
    if (sent !== undefined && now - sent < BLOCK_REQUEST_TIMEOUT_US) return;
    this.blockRequests.set(hash, now);
    const max = Math.min(
      MAX_BLOCKS_IN_RESPONSE,
      Math.max(1, number - this.tree.best.header.number),
    );
    this.env.log.debug("requesting unknown parent", { hash, number, max, from: peer });
    this.env.send(peer, { type: "ParaBlockRequest", paraId: this.paraId, fromHash: hash, max });
    // A request lost, or its response, fails at the timeout; the block is asked for again if
    // an orphan still waits for it.
    this.env.after(BLOCK_REQUEST_TIMEOUT_US, () => {
      if (this.stopped || this.blockRequests.get(hash) !== now) return;
      this.blockRequests.delete(hash);
      if (this.orphans.has(hash) && !this.tree.has(hash) && !this.importing.has(hash)) {
        this.requestBlocks(peer, hash, number);
      }
    });
  }

  /** `BlockRequestHandler::get_block_response`: `hash` and its ancestors I have, newest first. */
  private answerBlockRequest(from: ActorId, hash: Hash, max: number): void {
    const blocks: ParaBlock[] = [];
    let sizeBytes = 0;
    const txProofBytes = this.config.txProofBytes;
    let entry = this.tree.entry(hash);
    while (entry !== null && entry.block !== null && blocks.length < max) {
      blocks.push(entry.block);
      sizeBytes += povSizeBytes(entry.block, txProofBytes);
      entry = this.tree.entry(entry.block.header.parentHash);
    }
    this.env.send(from, {
      type: "ParaBlockResponse",
      paraId: this.paraId,
      fromHash: hash,
      blocks,
      sizeBytes,
    });
  }

  /**
   * A block response: its blocks are imported oldest first; the oldest one's parent, if still
   * unknown, is requested from the same peer (the next step down).
   */
  private onBlockResponse(from: ActorId, hash: Hash, blocks: readonly ParaBlock[]): void {
    this.blockRequests.delete(hash);
    for (let k = blocks.length - 1; k >= 0; k--) {
      this.importBlock(blocks[k]!, k === blocks.length - 1 ? from : undefined);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Submission (collation generation + collator protocol)

  /**
   * Turn a built block into a candidate for `coreIndex` at its relay parent and advertise it to
   * the backing group. Returns the candidate hash, or null when the candidate is not distributed
   * (PoV too large, or a V2 receipt failing its core-index check).
   */
  protected submit(
    built: BuiltBlock,
    relayParent: RelayHeader,
    coreIndex: CoreIndex,
  ): CandidateHash | null {
    const api = this.env.relayChain.api(relayParent.hash);
    if (api === null) return null;
    const bad = this.options.malus?.draw() ?? null;
    const { pvd, pov } = bad === null ? built : misbehave(bad, built);
    if (pov.sizeBytes > pvd.maxPovSize && bad !== "oversized-pov") {
      this.env.log.warn("PoV size exceeded", { size: pov.sizeBytes, max: pvd.maxPovSize });
      return null;
    }
    const outputs = built.executed.outputs;
    const pvdHashValue = pvdHash(pvd);
    const codeHash = built.validationCodeHash;
    // The data is encoded with the PVD the backers will use (the real parent's). An oversized
    // PoV's root is the honest data's: encoding the padded data would cost the simulator seconds,
    // and no honest check gets past `ParamsTooLarge` to the root.
    const encoding = this.env.erasure.encode(
      api.validators().length,
      bad === "oversized-pov" ? built.pov : pov,
      built.pvd,
    );
    if (!encoding.ok) {
      this.env.log.error("Failed to compute erasure root", { error: encoding.error.code });
      return null;
    }
    const erasureRoot = encoding.value.root;
    const paraHead = hashHex(outputs.headData);
    let descriptor: CandidateDescriptor;
    if (api.nodeFeatures().candidateReceiptV2) {
      descriptor = {
        kind: "v2",
        paraId: this.paraId,
        relayParent: relayParent.hash,
        version: 0,
        coreIndex,
        sessionIndex: api.sessionIndexForChild(),
        persistedValidationDataHash: pvdHashValue,
        povHash: pov.hash,
        erasureRoot,
        paraHead,
        validationCodeHash: codeHash,
      };
    } else {
      const payload = collatorSignaturePayload(
        relayParent.hash,
        this.paraId,
        pvdHashValue,
        pov.hash,
        codeHash,
      );
      descriptor = {
        kind: "v1",
        paraId: this.paraId,
        relayParent: relayParent.hash,
        collator: toHex(this.env.keypair.publicKey),
        persistedValidationDataHash: pvdHashValue,
        povHash: pov.hash,
        erasureRoot,
        signature: toHex(this.env.crypto.sign(this.env.keypair.secretKey, payload)),
        paraHead,
        validationCodeHash: codeHash,
      };
    }
    const receipt: CommittedCandidateReceipt = {
      descriptor,
      commitments: commitmentsOf(outputs),
    };
    if (descriptor.kind === "v2") {
      const checked = parseUmpSignals(receipt, transposeClaimQueue(api.claimQueue()));
      if (!checked.ok) {
        this.env.log.warn("Failed to construct and distribute collation", {
          error: checked.error.code,
          coreIndex,
        });
        return null;
      }
    }
    const candidateHash = candidateHashOf(receipt);
    // The advertisement and the collation name the real parent (a wrong one is never fetched).
    const collation: Collation = {
      candidateHash,
      receipt,
      pov,
      parentHeadData: built.pvd.parentHead,
    };
    if (bad !== null) this.options.malus?.note(bad, candidateHash);
    this.collations.set(candidateHash, {
      collation,
      relayParent: relayParent.hash,
      relayParentNumber: relayParent.number,
    });
    for (const v of this.backingGroup(api, coreIndex)) {
      const to = this.env.validatorActors[v];
      if (to === undefined) continue;
      this.env.send(to, {
        type: "AdvertiseCollation",
        relayParent: relayParent.hash,
        paraId: this.paraId,
        candidateHash,
        parentHeadDataHash: hashHex(built.pvd.parentHead),
      });
    }
    this.env.log.debug("advertised collation", () => ({ candidateHash, coreIndex }));
    return candidateHash;
  }

  /** `determine_our_validators`: the group assigned to `coreIndex` at relay parent + 1. */
  protected backingGroup(api: RuntimeApi, coreIndex: CoreIndex): readonly number[] {
    const { groups, rotationInfo } = api.validatorGroups();
    const cores = api.availabilityCores().length || api.claimQueue().size;
    return groups[groupForCore(rotationInfo, coreIndex, cores)] ?? [];
  }

  private answerFetch(from: ActorId, relayParent: Hash, candidateHash: CandidateHash): void {
    const entry = this.collations.get(candidateHash);
    const collation =
      entry !== undefined && entry.relayParent === relayParent ? entry.collation : null;
    this.env.send(from, { type: "CollationFetchResponse", candidateHash, collation });
  }
}

/**
 * A dishonest collator's candidate (`CollatorMalus`), made bad as malus' variants do, so that the
 * backers' own checks reject it:
 * - `invalid-pov` (malus `suggest-garbage-candidate`): the PoV's block data is replaced by garbage
 *   and the receipt commits to the garbage PoV (hash recomputed): the basic checks pass, the PVF
 *   fails (`ExecutionError`, "Invalid block data").
 * - `wrong-parent-head`: the descriptor commits to a PVD whose parent head is not the real one
 *   (the para's head data with a byte flipped), while the collation names the real parent: the
 *   validators' collator protocol computes the PVD itself and refuses the fetched collation
 *   (`SecondingError::PersistedValidationDataMismatch`).
 * - `oversized-pov`: the PoV is padded past the PVD's `max_pov_size` (an honest collator gives
 *   such a candidate up): candidate validation's basic checks reject it (`ParamsTooLarge`).
 */
function misbehave(
  kind: "invalid-pov" | "wrong-parent-head" | "oversized-pov",
  built: BuiltBlock,
): { readonly pvd: PersistedValidationData; readonly pov: PoV } {
  const { pvd, pov } = built;
  switch (kind) {
    case "invalid-pov":
      return {
        pvd,
        pov: {
          hash: hashHex(toHex(concatBytes(GARBAGE_DOMAIN, fromHex(pov.hash)))),
          sizeBytes: pov.sizeBytes,
          blockData: { garbage: pov.hash },
        },
      };
    case "wrong-parent-head": {
      const head = Uint8Array.from(fromHex(pvd.parentHead));
      head[head.length - 1] = (head[head.length - 1] ?? 0) ^ 0xff;
      return { pvd: { ...pvd, parentHead: toHex(head) }, pov };
    }
    case "oversized-pov":
      return { pvd, pov: { ...pov, sizeBytes: pvd.maxPovSize + 1 } };
  }
}

/** The domain of a garbage PoV's hash (`invalid-pov`). */
const GARBAGE_DOMAIN = new TextEncoder().encode("parapipe/malus/garbage-pov");
