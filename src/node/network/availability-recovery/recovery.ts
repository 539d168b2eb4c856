/**
 * Availability recovery: getting a candidate's whole `AvailableData` back from the validators
 * (approval checkers and disputes use it), as a state machine that talks to the network through
 * `RecoveryNetwork` and to the availability store through `RecoveryStore` (no simulator here).
 *
 * `recoverAvailableData(request, then)`, `handle_recover` and `RecoveryTask::run` in order:
 * 1. The LRU cache (`LRU_SIZE` 16 candidates, a hit refreshes the entry) answers `Valid` and
 *    `Invalid` again; `Unavailable` is never cached (it may change).
 * 2. A recovery of the same candidate already running is joined: every caller gets its result.
 * 3. The strategies, chosen as `for_validator` chooses them
 *    (`BackersFirstIfSizeLowerThenSystematicChunks(fetch_chunks_threshold)`):
 *    - `FetchFull` from the backing group when one is given and the PoV is small:
 *      `own_chunk_size * systematic_recovery_threshold(n) < fetch_chunks_threshold`, our own chunk
 *      size being the first local chunk's (`QueryChunkSize`); no local chunk: not small.
 *      `fetch_chunks_threshold` defaults to `CONSERVATIVE_FETCH_CHUNKS_THRESHOLD` (1 MiB,
 *      "Polkadot for now"; `FETCH_CHUNKS_THRESHOLD` 4 MiB is "Kusama and all testnets");
 *    - `FetchSystematicChunks` when the core index is known and the `AvailabilityChunkMapping`
 *      node feature is on: the validators whose chunk index is below k, the backers as backups;
 *    - `FetchChunks`, always, last.
 *    The shuffles happen here, full then regular, each from the caller's `Prng`.
 * 4. The task: the full data from the local store if it holds it (returned unchecked, as Rust
 *    does), else the strategies in order: `Unavailable` tries the next one, `Invalid` stops, none
 *    left is `Unavailable`. The result goes to the cache, then to every caller.
 * The strategies and what a reconstruction returns are in `strategies.ts`.
 *
 * Events: network answers (`then` of a request) run in the order they arrive, each after the code
 * that was running has finished (a small queue, drained at once); so a network that answers at
 * once, like the tests' fake, behaves like one that answers later. `then` of
 * `recoverAvailableData` may run before it returns (a cache hit, local data, such a network).
 *
 * Simplified: the session's validators come as `nValidators` and the backing group as its
 * validator indices (Rust resolves `SessionInfo` and the `GroupIndex`); an `n` the erasure code
 * refuses (n <= 1) answers `Unavailable` (Rust's `handle_recover` fails and drops the response
 * channel: its callers see `ChannelClosed` and treat it as `Unavailable`); no collator mode; the
 * responder side (`AvailableDataFetchingRequest` served from the store) is the network's.
 *
 * Ref: polkadot/node/network/availability-recovery/src/lib.rs (LRU_SIZE,
 *      CONSERVATIVE_FETCH_CHUNKS_THRESHOLD, FETCH_CHUNKS_THRESHOLD, CachedRecovery, RecoveryHandle,
 *      handle_recover, for_validator; the version with `BackersFirstIfSizeLowerThenSystematicChunks`
 *      and `CandidateReceiptV2`), src/task/mod.rs (RecoveryTask::run), paritytech/polkadot-sdk.
 */
import { assert } from "../../../lib/assert.ts";
import type { Hash } from "../../../lib/hex.ts";
import type { Prng } from "../../../lib/prng.ts";
import type { Result } from "../../../lib/result.ts";
import type { CandidateHash, CoreIndex, ValidatorIndex } from "../../../primitives/codecs.ts";
import {
  recoveryThreshold,
  systematicRecoveryThreshold,
} from "../../../primitives/erasure/codec.ts";
import { availabilityChunkIndex, type ErasureMemo } from "../../../primitives/erasure/encoding.ts";
import type {
  AvailabilityRecoveryMessage,
  AvailableData,
  RecoveryRequest,
  RecoveryResult,
} from "../../subsystem-types.ts";
import {
  FetchChunks,
  FetchFull,
  FetchSystematicChunks,
  type RecoveryContext,
  type RecoveryError,
  type RecoveryNetwork,
  type RecoveryParams,
  type RecoveryStore,
  type RecoveryStrategy,
  State,
} from "./strategies.ts";

export type {
  ChunkResponse,
  LocalChunk,
  RecoveryNetwork,
  RecoveryStore,
} from "./strategies.ts";

/** Size of the LRU cache of recovered data (candidates). */
export const LRU_SIZE = 16;
/** PoV size limit (bytes) below which the backers are asked first: Polkadot, for now. */
export const CONSERVATIVE_FETCH_CHUNKS_THRESHOLD = 1024 * 1024;
/** PoV size limit (bytes) below which the backers are asked first: Kusama and all testnets. */
export const FETCH_CHUNKS_THRESHOLD = 4 * 1024 * 1024;

const UNAVAILABLE: RecoveryResult = { kind: "Unavailable" };
const INVALID: RecoveryResult = { kind: "Invalid" };

/** `CachedRecovery`: a cacheable result (`Valid` or `Invalid`). */
type CachedRecovery = Exclude<RecoveryResult, { readonly kind: "Unavailable" }>;

/** `RecoveryHandle`: the callers waiting for a running recovery. */
interface RecoveryHandle {
  readonly awaiting: ((result: RecoveryResult) => void)[];
}

export interface AvailabilityRecoveryOptions {
  readonly network: RecoveryNetwork;
  readonly store: RecoveryStore;
  /** The shared erasure encodings: the chunk check, the re-encoding, the fast path. */
  readonly erasure: ErasureMemo;
  /** This subsystem's stream (the caller forks it), for the shuffles. */
  readonly rng: Prng;
  /** `fetch_chunks_threshold`, bytes (default `CONSERVATIVE_FETCH_CHUNKS_THRESHOLD`). */
  readonly fetchChunksThreshold?: number;
}

/** The availability recovery subsystem of one validator. */
export class AvailabilityRecovery implements AvailabilityRecoveryMessage {
  /** `availability_lru`, least recently used first. */
  private readonly lru = new Map<CandidateHash, CachedRecovery>();
  /** `ongoing_recoveries`. */
  private readonly ongoing = new Map<CandidateHash, RecoveryHandle>();
  private readonly events: (() => void)[] = [];
  private draining = false;
  private readonly network: RecoveryNetwork;
  private readonly store: RecoveryStore;
  private readonly erasure: ErasureMemo;
  private readonly rng: Prng;
  private readonly fetchChunksThreshold: number;

  constructor(options: AvailabilityRecoveryOptions) {
    this.network = options.network;
    this.store = options.store;
    this.erasure = options.erasure;
    this.rng = options.rng;
    this.fetchChunksThreshold = options.fetchChunksThreshold ?? CONSERVATIVE_FETCH_CHUNKS_THRESHOLD;
  }

  /** `RecoverAvailableData` (`handle_recover`): `then` gets the result once. */
  recoverAvailableData(request: RecoveryRequest, then: (result: RecoveryResult) => void): void {
    const { candidateHash, nValidators } = request;
    const cached = this.lru.get(candidateHash);
    if (cached !== undefined) {
      this.lru.delete(candidateHash); // `LruMap::get` makes it the most recent
      this.lru.set(candidateHash, cached);
      then(cached);
      return;
    }
    const running = this.ongoing.get(candidateHash);
    if (running !== undefined) {
      running.awaiting.push(then);
      return;
    }
    const k = systematicRecoveryThreshold(nValidators);
    if (!k.ok) {
      then(UNAVAILABLE);
      return;
    }
    const systematicThreshold = k.value;

    const strategies: RecoveryStrategy[] = [];
    let backerGroup: readonly ValidatorIndex[] | null = null;
    if (request.backingGroup !== null) {
      const chunkSize = this.store.queryAllChunks(candidateHash)[0]?.chunk.chunk.length;
      // We have a PoV limit but no chunk to estimate the size with: not small.
      const smallPovSize =
        chunkSize !== undefined && chunkSize * systematicThreshold < this.fetchChunksThreshold;
      if (smallPovSize) strategies.push(new FetchFull(request.backingGroup, this.rng));
      backerGroup = request.backingGroup;
    }
    // Systematic recovery needs the core index and the chunk mapping.
    if (request.coreIndex !== null && request.chunkMapping) {
      const validators: (readonly [number, ValidatorIndex])[] = [];
      for (let v = 0; v < nValidators; v++) {
        const chunkIndex = availabilityChunkIndex(true, nValidators, request.coreIndex, v);
        if (chunkIndex < systematicThreshold) validators.push([chunkIndex, v]);
      }
      strategies.push(new FetchSystematicChunks(validators, backerGroup ?? []));
    }
    strategies.push(new FetchChunks(nValidators, this.rng));

    const params: RecoveryParams = {
      candidateHash,
      erasureRoot: request.erasureRoot,
      povHash: request.povHash,
      relayParent: request.relayParent,
      nValidators,
      threshold: recoveryThreshold(nValidators),
      systematicThreshold,
      knownData: request.knownData ?? null,
    };
    this.ongoing.set(candidateHash, { awaiting: [then] });
    this.post(() => this.runTask(params, strategies));
  }

  /** Recoveries running (tests, metrics). */
  get ongoingRecoveries(): number {
    return this.ongoing.size;
  }

  /** `RecoveryTask::run`. */
  private runTask(params: RecoveryParams, strategies: RecoveryStrategy[]): void {
    const finish = (result: RecoveryResult): void => this.onRecovered(params.candidateHash, result);
    const local = this.store.availableData(params.candidateHash);
    if (local !== undefined) {
      finish({ kind: "Valid", data: local });
      return;
    }
    const ctx: RecoveryContext = {
      params,
      network: this.network,
      store: this.store,
      erasure: this.erasure,
      state: new State(params.nValidators, params.systematicThreshold),
      defer: <T>(fn: (value: T) => void) => this.defer(fn),
    };
    const next = (): void => {
      const strategy = strategies.shift();
      if (strategy === undefined) {
        // "Recovery of available data failed."
        finish(UNAVAILABLE);
        return;
      }
      strategy.run(ctx, (result: Result<AvailableData, RecoveryError>) => {
        if (result.ok) finish({ kind: "Valid", data: result.value });
        else if (result.error.code === "Unavailable")
          next(); // "Trying the next one."
        else finish(INVALID);
      });
    };
    next();
  }

  /** A task ended: cache what may be cached, then answer everyone waiting. */
  private onRecovered(candidateHash: CandidateHash, result: RecoveryResult): void {
    const handle = this.ongoing.get(candidateHash);
    assert(handle !== undefined, () => `recovery of ${candidateHash} ended twice`);
    this.ongoing.delete(candidateHash);
    if (result.kind !== "Unavailable") {
      this.lru.delete(candidateHash);
      this.lru.set(candidateHash, result);
      if (this.lru.size > LRU_SIZE) this.lru.delete(this.lru.keys().next().value!);
    }
    for (const then of handle.awaiting) then(result);
  }

  /** A network callback: called once, it runs `fn` as an event (see the header). */
  private defer<T>(fn: (value: T) => void): (value: T) => void {
    let called = false;
    return (value: T) => {
      assert(!called, "a recovery request was answered twice");
      called = true;
      this.post(() => fn(value));
    };
  }

  /** Queues an event; drains the queue unless it is being drained. */
  private post(event: () => void): void {
    this.events.push(event);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let i = 0; i < this.events.length; i++) this.events[i]!();
    } finally {
      this.events.length = 0;
      this.draining = false;
    }
  }
}
