/**
 * What a simulated actor (validator node or collator) gets from the world it runs in: virtual
 * time, timers, its CPU, the network, the relay chain it has imported, its keys. The simulator
 * (`src/sim`) implements these interfaces; node and collator code only see them, so they hold no
 * clock, randomness or transport of their own (STYLE.md: time and transport are handed in).
 *
 * Time is virtual, in integer microseconds.
 */

import type { Generation } from "../config/generation.ts";
import type { Hash } from "../lib/hex.ts";
import type { Prng } from "../lib/prng.ts";
import type {
  CandidateHash,
  ParaId,
  PersistedValidationData,
  ValidatorIndex,
} from "../primitives/codecs.ts";
import type { ErasureChunk, ErasureMemo } from "../primitives/erasure/encoding.ts";
import type { RelayHeader, RuntimeApi } from "../primitives/runtime-api.ts";
import type { Crypto, Keypair } from "../primitives/signing.ts";
import type { ValidatorMalus } from "./malus.ts";
import type { ActorId, PoV, ProtocolMessage } from "./protocol.ts";

/** Structured logs in chain time (the simulator's `ActorLogger` satisfies this). */
export interface ActorLog {
  enabled(level: "error" | "warn" | "info" | "debug" | "trace"): boolean;
  error(message: string, fields?: Record<string, unknown> | (() => Record<string, unknown>)): void;
  warn(message: string, fields?: Record<string, unknown> | (() => Record<string, unknown>)): void;
  info(message: string, fields?: Record<string, unknown> | (() => Record<string, unknown>)): void;
  debug(message: string, fields?: Record<string, unknown> | (() => Record<string, unknown>)): void;
  trace(message: string, fields?: Record<string, unknown> | (() => Record<string, unknown>)): void;
}

export interface Cancellable {
  cancel(): void;
}

/**
 * CPU pools of an actor. `main`: the node's own work (signature checks, subsystem logic);
 * `pvf`: the PVF execution workers (candidate validation), separate processes in Polkadot, so
 * backing validation does not stall the rest of the node; `bitfield-distribution`: that
 * subsystem's own task, which checks the signatures of received bitfields (Polkadot's subsystems
 * are separate tasks, so bitfield checks do not queue behind statement checks). Each pool runs
 * its jobs one after another (first come, first served).
 */
export type CpuPool = "main" | "pvf" | "pvf-approval" | "bitfield-distribution";

/** The relay chain as an actor reads it: headers and the runtime API at blocks it imported. */
export interface RelayChainReader {
  header(hash: Hash): RelayHeader | null;
  api(hash: Hash): RuntimeApi | null;
}

export interface ActorEnv {
  readonly id: ActorId;
  /** Virtual time now, µs. */
  now(): number;
  /** Run `fn` after `delayUs` of virtual time. */
  after(delayUs: number, fn: () => void): Cancellable;
  /** Queue `costUs` of work on a CPU pool; `done` runs when it has been done. */
  cpu(pool: CpuPool, costUs: number, done: () => void): void;
  /** Send a message over the simulated network (size: `messageSizeBytes`). */
  send(to: ActorId, msg: ProtocolMessage): void;
  /**
   * Send one message to many peers, one upload per copy in list order, like `send` to each in
   * turn. The simulator may deliver the copies in coalesced events (its network's `multicast`:
   * each copy at most ~2 ms after the time `send` would give it); absent, callers `send` to each.
   */
  multicast?(to: readonly ActorId[], msg: ProtocolMessage): void;
  readonly relayChain: RelayChainReader;
  /** This actor's own random stream (forked from the run's seed by actor id). */
  readonly rng: Prng;
  readonly crypto: Crypto;
  readonly keypair: Keypair;
  /**
   * Check a signature. The simulator runs the real check once per distinct signed object and
   * memoises the result (it is the same for every node); the CPU time of a check is charged
   * separately by the caller with `cpu("main", verifyCostUs, ...)`.
   */
  verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean;
  /** Modelled CPU time of one signature check of the scenario's crypto, µs. */
  readonly verifyCostUs: number;
  readonly log: ActorLog;
}

/** What a candidate's validation (PVF execution) gives: the outputs and the CPU time it took. */
export type PvfOutcome =
  | {
      readonly kind: "Valid";
      readonly outputs: import("../primitives/pvf.ts").ValidationResult;
      /** CPU time on THIS validator (already scaled by its speed), µs. */
      readonly cpuUs: number;
    }
  | { readonly kind: "Invalid"; readonly reason: string; readonly cpuUs: number };

/** The PVF host: executes a para's validation function (its runtime) on a PoV. */
export interface PvfHost {
  execute(validationCodeHash: Hash, pvd: PersistedValidationData, pov: PoV): PvfOutcome;
}

/**
 * One copy of a lazily materialised broadcast as it reached a validator (see `LazyGossip`).
 */
export interface LazyDelivery<M> {
  /** The message's number among those published under its key (unique per key). */
  readonly id: number;
  readonly from: ActorId;
  readonly msg: M;
  /** When the copy was delivered, µs. */
  readonly deliveredAtUs: number;
}

/**
 * The one shape of the simulator's lazy inboxes: a broadcast to many validators that costs
 * nothing until a receiver reads it (docs/simulator.md "Performance model"; the simulator's
 * boards implement it). `publish` sends `msg` to every validator but those in `notTo` (indices,
 * ascending, the sender among them): the sender's uplink pays for every copy at once.
 * `delivered(...key)` materialises the copies of the messages published under `key` that reached
 * ME (lost copies left out), including copies delivered after now: the reader keeps those it would
 * have handled by now, with the rules of its subsystem.
 */
export interface LazyGossip<M, Key extends readonly unknown[]> {
  publish(msg: M, notTo: readonly ValidatorIndex[]): void;
  delivered(...key: Key): readonly LazyDelivery<M>[];
}

/** A signed availability bitfield as bitfield distribution gossips it. */
export type BitfieldMessage = Extract<ProtocolMessage, { readonly type: "Bitfield" }>;

/**
 * Bitfield distribution's lazy inbox, keyed by relay parent: every other validator gets my
 * bitfield (`notTo` is just me); a validator reads the copies of a relay parent's bitfields, in
 * delivery order, only when it authors its child. At 600 validators the ~360,000 copies per relay
 * block cost nothing until one validator reads its 599.
 */
export type BitfieldGossip = LazyGossip<BitfieldMessage, [relayParent: Hash]>;

/** A backed-candidate announcement (statement distribution). */
export type BackedCandidateMessage = Extract<ProtocolMessage, { type: "BackedCandidate" }>;

/**
 * Statement distribution's lazy inbox, keyed by relay parent and para: the validators without a
 * stake in the candidate's para get its announcement lazily and read it only before they use what
 * they know of the para, so at 600 validators and 100 paras the ~60,000 imports per relay block
 * shrink to what is read.
 */
export type AnnouncementGossip = LazyGossip<
  BackedCandidateMessage,
  [relayParent: Hash, paraId: ParaId]
>;

/** The response to a chunk request, once delivered. */
export interface ChunkResponse {
  /** When it was delivered, µs. */
  readonly atUs: number;
  /** The chunk, or null: the backer did not have the data (it answered without a chunk). */
  readonly chunk: ErasureChunk | null;
}

/** A chunk request in flight (see `ChunkFetching`). */
export interface ChunkRequest {
  /** The response if it was delivered at or before `nowUs`; null if not (yet), or lost. */
  response(nowUs: number): ChunkResponse | null;
}

/**
 * Chunk fetching as lazily computed request/response (the simulator provides it). `request`
 * sends my request for my chunk of `candidateHash` to validator `backer`, leaving at `sentAtUs`
 * (now, or the moment a not-found answer arrived, for a retry noticed later); what happens to it
 * (my uplink, latency and loss, the backer's data when it arrives, the backer's uplink shared
 * with the other chunk responses it sends, in order of arrival) is computed when I ask. At 600
 * validators and 100 paras that is ~120,000 messages per relay block that become arithmetic.
 */
export interface ChunkFetching {
  request(candidateHash: CandidateHash, backer: ValidatorIndex, sentAtUs: number): ChunkRequest;
}

export interface ValidatorEnv extends ActorEnv {
  readonly validatorIndex: ValidatorIndex;
  /** Which polkadot-sdk node rules the validator runs (SEMANTICS.md §7). */
  readonly generation: Generation;
  /** Actor ids of all validators, by validator index. */
  readonly validatorActors: readonly ActorId[];
  readonly pvf: PvfHost;
  /**
   * Extra wait of this node's bitfield signing for a leaf activated now, µs, beyond
   * `SPAWNED_TASK_DELAY` (a late node: the world's `late-bitfields` fault); absent: none.
   */
  readonly bitfieldSigningDelayUs?: () => number;
  /** Lazily materialised bitfield gossip; absent: one `send` per validator, checked on receipt. */
  readonly bitfieldGossip?: BitfieldGossip;
  /** Lazily materialised announcements; absent: one copy per validator, checked on receipt. */
  readonly announcementGossip?: AnnouncementGossip;
  /** Lazily computed chunk fetches; absent: request and response messages. */
  readonly chunkFetching?: ChunkFetching;
  /** Approval checking's surroundings; absent: no approval checking (the node's own tests). */
  readonly approvalVoting?: ApprovalVotingEnv;
  /** A dishonest variant (scenario `adversaries`, `malus.ts`); absent: an honest node. */
  readonly malus?: ValidatorMalus;
}

/** What approval voting needs of the world besides the common env. */
export interface ApprovalVotingEnv {
  /** Approval distribution's gossip (lazily materialised). */
  readonly gossip: ApprovalGossip;
  /** BABE's slot duration (the relay chain's), ms: ticks count from a block's slot start. */
  readonly slotDurationMs: number;
  /**
   * The `AvailableData` a candidate's backers stored, if one still holds it (performance model:
   * recovery's `knownData`; a decoded PoV gets its para block back from it, never another answer).
   */
  readonly knownData?: (
    candidateHash: CandidateHash,
    backingGroup: readonly ValidatorIndex[],
  ) => {
    readonly pov: PoV;
    readonly pvd: PersistedValidationData;
    readonly relayParent: Hash;
  } | null;
  /** Told when the validator approves a candidate under a block, in its own view (reports). */
  readonly onApproved?: (info: CandidateApprovedInfo) => void;
  /**
   * The shared view (docs/simulator.md "Approval views"): present, the validator takes its view
   * of the other validators' assignments and approvals from it (with `gossip.copyArrival`)
   * instead of importing every copy; absent, it imports every copy it receives.
   */
  readonly sharedView?: SharedApprovalView;
}

/**
 * Approval voting over every item as published (no latency, no loss), computed once for all
 * validators: what each derives its own view from (docs/simulator.md "Approval views").
 */
export interface SharedApprovalView {
  /** The candidate's approval in the shared view by `byUs`, or null if not approved by then. */
  approvalOf(block: Hash, candidateIndex: number, byUs: number): SharedApproval | null;
  /**
   * Whether an untriggered assignment at `tranche` for the candidate triggers at `nowUs`, judged
   * on the shared view (`should_trigger_assignment`).
   */
  wouldTrigger(block: Hash, candidateIndex: number, tranche: number, nowUs: number): boolean;
  /** Items published about the block by `byUs` (what a validator would have checked by then). */
  itemsPublishedBy(block: Hash, byUs: number): number;
}

/** A candidate's approval in the shared view. */
export interface SharedApproval {
  readonly atUs: number;
  /** The item (publication index) whose import approved it, or the last one imported before. */
  readonly item: number;
  /**
   * The item of the last assignment its approval counted, whose arrival starts a validator's
   * `APPROVAL_DELAY` (-1: none, approved by a third of the validators).
   */
  readonly lastAssignmentItem: number;
  readonly tranchesNeeded: number;
  readonly noShows: number;
}

/** A candidate approved under a relay block, in one validator's view. */
export interface CandidateApprovedInfo {
  readonly validator: ValidatorIndex;
  readonly block: Hash;
  readonly candidateHash: CandidateHash;
  readonly atUs: number;
  /** The last tranche the approval needed (`Exact`'s `needed`; by a third: the last one assigned). */
  readonly tranchesNeeded: number;
  readonly noShows: number;
}

/** What approval distribution gossips about a relay block: an assignment or an approval vote. */
export type ApprovalItem =
  | {
      readonly kind: "assignment";
      readonly validator: ValidatorIndex;
      /** The block's candidates it claims (indices in the block's included candidates). */
      readonly candidateIndices: readonly number[];
      readonly tranche: number;
      /** The assignment certificate (`AssignmentCertV2`, approval-voting/criteria.ts). */
      readonly cert: unknown;
    }
  | {
      readonly kind: "approval";
      readonly validator: ValidatorIndex;
      readonly candidateIndices: readonly number[];
      readonly signature: Uint8Array;
    };

/** An approval-distribution item as one receiver got it. */
export interface ApprovalArrival {
  readonly item: ApprovalItem;
  /** When it reached the receiver (its publication time for the sender's own), µs. */
  readonly atUs: number;
}

/**
 * What one receiver got about one relay block, in arrival order, as two parallel lists (no
 * object per arrival: a Polkadot-sized network has millions per relay block).
 */
export interface ApprovalInbox {
  /** When each arrived, µs, ascending. */
  readonly atUs: readonly number[];
  /** What arrived. */
  readonly items: readonly ApprovalItem[];
}

/**
 * Approval distribution's lazy inbox, keyed by relay block: `publish` sends my item to every
 * other validator now (`bytes` per copy); `arrivals` lists what reaches me of what was sent so
 * far, in arrival order, my own items at their publication time, including copies that arrive
 * after now (the reader takes those at or before now); a later answer extends an earlier one past
 * the arrivals by then (the simulator's `ApprovalBoard`).
 */
export interface ApprovalGossip {
  publish(block: Hash, item: ApprovalItem, bytes: number): void;
  arrivals(block: Hash): ApprovalInbox;
  /**
   * How many assignments naming candidate `candidateIndex` of `block` were sent so far, by anyone:
   * a bound on what I can have received (performance only: it lets a wakeup that cannot trigger
   * skip importing, never changes what happens).
   */
  assignmentsSent(block: Hash, candidateIndex: number): number;
  /** I will not read `block` again (its candidates are approved in my view): drop my inbox. */
  done(block: Hash): void;
  /**
   * When I first receive item `k` (publication index) about `block`, or null if no sending so far
   * reaches me (my own item: at its publication). Needed with a shared view.
   */
  copyArrival?(block: Hash, k: number): number | null;
}

/** What the world records of every para block a collator authors (for reports and checkers). */
export interface AuthoredBlockInfo {
  readonly paraId: ParaId;
  /** blake2b-256 of the block's head data. */
  readonly headHash: Hash;
  readonly number: number;
  readonly parentHeadHash: Hash;
  /** The Aura slot's timestamp (slot x slot duration), ms. */
  readonly timestampMs: number;
  /** The block's execution time (weight: the sum of its transactions' ref time), µs. */
  readonly weightUs: number;
  readonly povBytes: number;
  readonly transactions: number;
  /**
   * The para's transaction-pool cursor after this block: the block holds the transactions from
   * its parent's cursor up to this one (the load's transfers are valid in sequence).
   */
  readonly poolCursor: number;
  readonly relayParent: Hash;
  readonly author: ActorId;
  /** What the block's `set_code` call did, when it carried one. */
  readonly setCode:
    | "ValidationFunctionStored"
    | "ProhibitedByPolkadot"
    | "OverlappingUpgrades"
    | null;
  /** `ValidationFunctionApplied` (its state's `:code` is the new runtime) or `...Discarded`. */
  readonly codeEvent: "ValidationFunctionApplied" | "ValidationFunctionDiscarded" | null;
}

export interface CollatorEnv extends ActorEnv {
  readonly paraId: ParaId;
  /**
   * Erasure coding of a candidate's available data, computed once per candidate and shared with
   * the validators' availability stores (the simulator's; a collator built alone makes its own).
   */
  readonly erasure: ErasureMemo;
  /** This collator's index among the para's collators (Aura authority index). */
  readonly collatorIndex: number;
  /** The other collators of the para (block announcements). */
  readonly peers: readonly ActorId[];
  /** Actor ids of all validators, by validator index. */
  readonly validatorActors: readonly ActorId[];
  /** Tell the world about a block this collator authored. */
  noteAuthored(info: AuthoredBlockInfo): void;
}

/** Anything the world delivers messages to. */
export interface Actor {
  readonly id: ActorId;
  onMessage(from: ActorId, msg: ProtocolMessage): void;
}
