/**
 * Availability recovery's task state and its three strategies: the full data from a backer
 * (`FetchFull`), the systematic chunks (`FetchSystematicChunks`) and any chunks
 * (`FetchChunks`), each ending in the post-recovery check (re-encode, compare the erasure root).
 * The subsystem around them (cache, joined tasks, which strategies run) is `recovery.ts`.
 *
 * Follows the Rust, names and check order included:
 * - `FetchFull`: the backers shuffled, asked one at a time from the back of the list; a response
 *   that does not re-encode to the erasure root, "no such data" or a failed request moves on to
 *   the next backer; none left: `Unavailable`.
 * - The chunk strategies share `State` (`received_chunks` by chunk index, `recorded_errors` per
 *   (asked validator, validator whose chunk was asked)) and `launch_parallel_chunk_requests` /
 *   `wait_for_chunks`: a round launches requests (popped from the back of the queue) until
 *   `desired` are in flight, then takes responses until none is in flight or the strategy can
 *   conclude. A chunk counts once its proof leads from the erasure root to its hash
 *   (`is_chunk_valid`); an invalid chunk or "no such chunk" is a fatal error for that pair (never
 *   asked again by this task), a failed request a non-fatal one (asked again, at the front of the
 *   queue, while fewer than the strategy's retry limit errors are recorded); when a pair may not
 *   be retried, the systematic strategy asks a backer without a recorded error for that chunk
 *   instead (each backer once).
 * - `FetchSystematicChunks`: the validators holding chunks 0..k-1 (k = `systematic_recovery_threshold`)
 *   in validator order; our own chunk first (`Unavailable` if it is a systematic one and invalid);
 *   at most `min(N_PARALLEL, k, k - received)` in flight; k systematic chunks →
 *   `reconstruct_from_systematic` (a failure or undecodable payload: `Invalid`); `is_unavailable`
 *   → `Unavailable`.
 * - `FetchChunks`: every validator, shuffled, minus those whose chunk we hold (ours, or received
 *   by the systematic strategy) or that may not be retried; `get_desired_request_count` makes up
 *   for the error rate seen; `recovery_threshold(n)` chunks → `reconstruct` of all received
 *   chunks (a failure or undecodable payload: `Invalid`); `is_unavailable` → `Unavailable`.
 * - Post-recovery check `PostRecoveryCheck::Reencode` (`reconstructed_data_matches_root`):
 *   `obtain_chunks_v1` and `branches` of the recovered data; another root → `Invalid`.
 * Constants from the newest polkadot-sdk versions read (master, 2024-25, with systematic
 * recovery and `CandidateReceiptV2`: task/strategy/mod.rs @029389d8, chunks.rs @0bfed16d,
 * systematic.rs @196ccf78, full.rs @029389d8, task/mod.rs @07ce169c):
 * `N_PARALLEL` 50, `SYSTEMATIC_CHUNKS_REQ_RETRY_LIMIT` 2, `REGULAR_CHUNKS_REQ_RETRY_LIMIT` 5
 * (spec/SEMANTICS.md 5.4 had them unverified).
 *
 * Simplified:
 * - Time is the network's: a request is in flight until its callback runs (the network answers
 *   null on its own timeout). Rust also stops waiting `TIMEOUT_START_NEW_REQUESTS` (=
 *   `CHUNK_REQUEST_TIMEOUT`) after the last response and launches more while the old requests
 *   stay in flight ("undead"); with both timeouts equal this rarely fires first, and it is not
 *   modelled.
 * - No collator mode (`bypass_availability_store`, `PostRecoveryCheck::PovHash`), no metrics, no
 *   v1 chunk protocol: a response carries its chunk index.
 * - Every request error is non-fatal (Rust: a timeout, a network error or a cancellation; an
 *   unparsable response is fatal, and the simulated wire carries none).
 *
 * What a reconstruction returns. The payload decodes to block data bytes and a PVD; parapipe's
 * `AvailableData` also has the PoV's hash and size, its block (the para block object, not bytes)
 * and the relay parent. The recovered data is, as a function of the decoded (bytes, pvd):
 * - `pvd`: the decoded one; `relayParent`: the receipt's (the caller's);
 * - `pov`: if the bytes are the modelled bytes of the PoV the receipt names (`povBlockData` of
 *   (povHash, their length)), that PoV: the caller's known one (`knownData.pov`) when it is it
 *   (same hash and size), so an approval checker gets a block it can validate, else
 *   `{povHash, length, the bytes}`; otherwise a PoV `{blake2-256(SCALE(bytes)), length, the
 *   bytes}` (`PoV::hash()`), whose hash is not the receipt's, so validation finds the mismatch.
 * - Fast path (performance, exact): when every chunk a reconstruction uses is the very object the
 *   `ErasureMemo` encoding of `knownData` made (`erasureChunk(i)`, compared by identity) and that
 *   encoding's root is the erasure root, the chunks are those of an honest encoding of
 *   `knownData`, so reconstructing gives its payload (any k chunks of a codeword give its data;
 *   the rest is zero padding that decoding ignores), which decodes to `knownData`'s PoV bytes and
 *   PVD and re-encodes to that root: the answer above is computed without reconstructing,
 *   decoding or re-encoding. Any other chunk (a copy, a forgery, one made by someone else) goes
 *   through the real `reconstruct`, decoding and re-encoding, so `knownData` can never change an
 *   answer, only its cost. (Hex strings are lowercase, as `toHex` writes them, so a decoded PVD
 *   equals the original.)
 *
 * Ref: polkadot/node/network/availability-recovery/src/task/{mod.rs, strategy/mod.rs,
 *      strategy/full.rs, strategy/systematic.rs, strategy/chunks.rs} (paritytech/polkadot-sdk);
 *      lib.rs (reconstructed_data_matches_root, ErasureTask::Reconstruct).
 */
import { Bytes } from "scale-ts";
import { assert } from "../../../lib/assert.ts";
import { bytesEqual, type Hash } from "../../../lib/hex.ts";
import type { Prng } from "../../../lib/prng.ts";
import { err, ok, type Result } from "../../../lib/result.ts";
import type {
  CandidateHash,
  PersistedValidationData,
  ValidatorIndex,
} from "../../../primitives/codecs.ts";
import {
  AvailableDataCodec,
  decodeAvailableData,
  povBlockData,
} from "../../../primitives/erasure/available-data.ts";
import {
  obtainChunks,
  reconstruct,
  reconstructFromSystematic,
} from "../../../primitives/erasure/codec.ts";
import type { ErasureChunk, ErasureMemo } from "../../../primitives/erasure/encoding.ts";
import { branches } from "../../../primitives/erasure/trie.ts";
import { hashBytes } from "../../../primitives/hashing.ts";
import type { AvailableData } from "../../subsystem-types.ts";

/** How many parallel chunk fetching requests should be running at once. */
export const N_PARALLEL = 50;
/** Requests per (validator, chunk) pair the systematic strategy makes after non-fatal errors. */
export const SYSTEMATIC_CHUNKS_REQ_RETRY_LIMIT = 2;
/** Requests per (validator, chunk) pair the regular strategy makes after non-fatal errors. */
export const REGULAR_CHUNKS_REQ_RETRY_LIMIT = 5;

/** `RecoveryError` (without `ChannelClosed`: no channel here). */
export type RecoveryError = { readonly code: "Invalid" } | { readonly code: "Unavailable" };

const INVALID: RecoveryError = { code: "Invalid" };
const UNAVAILABLE: RecoveryError = { code: "Unavailable" };

/**
 * What a chunk request comes back with: the chunk (`ChunkFetchingResponse::Chunk`), the
 * validator's `NoSuchChunk`, or null for a failed request (timeout, lost, disconnected).
 */
export type ChunkResponse = ErasureChunk | "NoSuchChunk" | null;

/**
 * The requests recovery sends. Each `then` is called exactly once, now or later; timeouts are
 * the network's business (it answers null).
 */
export interface RecoveryNetwork {
  /**
   * `AvailableDataFetchingRequest { candidate_hash }` to backer `from`: the data, or null (no
   * such data, request failed).
   */
  requestFull(
    candidateHash: CandidateHash,
    from: ValidatorIndex,
    then: (data: AvailableData | null) => void,
  ): void;
  /**
   * `ChunkFetchingRequest { candidate_hash, index: validatorIndex }` to `from`: the chunk
   * validator `validatorIndex` holds. `from` is `validatorIndex` itself, or a backer asked for
   * it as a backup.
   */
  requestChunk(
    candidateHash: CandidateHash,
    from: ValidatorIndex,
    validatorIndex: ValidatorIndex,
    then: (response: ChunkResponse) => void,
  ): void;
}

/** A chunk the local availability store holds, under the validator index it is stored for. */
export interface LocalChunk {
  readonly validatorIndex: ValidatorIndex;
  readonly chunk: ErasureChunk;
}

/** The availability store queries recovery makes. */
export interface RecoveryStore {
  /** `QueryAvailableData`. */
  availableData(candidateHash: CandidateHash): AvailableData | undefined;
  /**
   * `QueryAllChunks`: the chunks held (a validator that does not hold the whole data holds its
   * own at most). The first one's length is `QueryChunkSize`'s answer.
   */
  queryAllChunks(candidateHash: CandidateHash): readonly LocalChunk[];
}

/** `RecoveryParams`: what every strategy of a task reads. */
export interface RecoveryParams {
  readonly candidateHash: CandidateHash;
  readonly erasureRoot: Hash;
  /** The receipt's `pov_hash`. */
  readonly povHash: Hash;
  /** The receipt's relay parent (parapipe's `AvailableData` carries it). */
  readonly relayParent: Hash;
  readonly nValidators: number;
  /** `recovery_threshold(n)`: chunks the regular strategy needs. */
  readonly threshold: number;
  /** `systematic_recovery_threshold(n)` (k). */
  readonly systematicThreshold: number;
  /** The data the caller knows the candidate to have, or null (the fast path, see the header). */
  readonly knownData: AvailableData | null;
}

/** What a strategy works with. */
export interface RecoveryContext {
  readonly params: RecoveryParams;
  readonly network: RecoveryNetwork;
  readonly store: RecoveryStore;
  readonly erasure: ErasureMemo;
  readonly state: State;
  /**
   * A network callback that runs `fn` in the subsystem's event order: after the code that made
   * the request has finished (so a network answering at once behaves as one answering later).
   */
  defer<T>(fn: (value: T) => void): (value: T) => void;
}

/** `RecoveryStrategy`. */
export interface RecoveryStrategy {
  readonly displayName: string;
  readonly strategyType: "full_from_backers" | "systematic_chunks" | "regular_chunks";
  /** Runs the strategy; `done` is called once. */
  run(ctx: RecoveryContext, done: (result: Result<AvailableData, RecoveryError>) => void): void;
}

/** `is_unavailable`: the chunks received, in flight and still to ask cannot reach the threshold. */
export function isUnavailable(
  receivedChunks: number,
  requestingChunks: number,
  unrequestedValidators: number,
  threshold: number,
): boolean {
  return receivedChunks + requestingChunks + unrequestedValidators < threshold;
}

/**
 * `FetchChunks::get_desired_request_count`: requests to have in flight, at most
 * `min(N_PARALLEL, threshold)`, the chunks still needed plus as many more as the error rate
 * seen so far suggests will fail (integer divisions, as in Rust).
 */
export function regularDesiredRequestCount(
  chunkCount: number,
  threshold: number,
  totalReceivedResponses: number,
  errorCount: number,
): number {
  const maxRequestsBoundary = Math.min(N_PARALLEL, threshold);
  const remainingChunks = Math.max(threshold - chunkCount, 0);
  const invErrorRate = errorCount === 0 ? 0 : Math.floor(totalReceivedResponses / errorCount);
  const compensation = invErrorRate === 0 ? 0 : Math.floor(remainingChunks / invErrorRate);
  return Math.min(maxRequestsBoundary, remainingChunks + compensation);
}

/**
 * `FetchSystematicChunks::get_desired_request_count`: the systematic chunks still needed, at
 * most `min(N_PARALLEL, threshold)` (no error compensation: an error asks a backer instead).
 */
export function systematicDesiredRequestCount(chunkCount: number, threshold: number): number {
  return Math.min(Math.min(N_PARALLEL, threshold), Math.max(threshold - chunkCount, 0));
}

/** A received chunk (`Chunk`): the chunk object and the validator whose chunk it is. */
interface ReceivedChunk {
  readonly chunk: ErasureChunk;
  readonly validatorIndex: ValidatorIndex;
}

/** A recorded fatal error: never retried (a non-fatal one is a count). */
const FATAL = Number.POSITIVE_INFINITY;

/** `State`: what the strategies of one task share. */
export class State {
  /** `received_chunks`, by chunk index. */
  readonly receivedChunks = new Map<number, ReceivedChunk>();
  /** `recorded_errors`, keyed `from * n + validatorIndex`: non-fatal count, or `FATAL`. */
  private readonly recordedErrors = new Map<number, number>();
  private systematicCount = 0;

  constructor(
    private readonly nValidators: number,
    private readonly systematicThreshold: number,
  ) {}

  insertChunk(chunkIndex: number, chunk: ReceivedChunk): void {
    if (!this.receivedChunks.has(chunkIndex) && chunkIndex < this.systematicThreshold) {
      this.systematicCount++;
    }
    this.receivedChunks.set(chunkIndex, chunk);
  }

  chunkCount(): number {
    return this.receivedChunks.size;
  }

  /** Received chunks with an index below k. */
  systematicChunkCount(): number {
    return this.systematicCount;
  }

  private key(from: ValidatorIndex, validatorIndex: ValidatorIndex): number {
    return from * this.nValidators + validatorIndex;
  }

  recordErrorFatal(from: ValidatorIndex, validatorIndex: ValidatorIndex): void {
    this.recordedErrors.set(this.key(from, validatorIndex), FATAL);
  }

  recordErrorNonFatal(from: ValidatorIndex, validatorIndex: ValidatorIndex): void {
    const key = this.key(from, validatorIndex);
    // A fatal record stays fatal (FATAL + 1 is FATAL).
    this.recordedErrors.set(key, (this.recordedErrors.get(key) ?? 0) + 1);
  }

  hasRecordedError(from: ValidatorIndex, validatorIndex: ValidatorIndex): boolean {
    return this.recordedErrors.has(this.key(from, validatorIndex));
  }

  /** `can_retry_request`: no error recorded, or fewer than `retryThreshold` non-fatal ones. */
  canRetryRequest(
    from: ValidatorIndex,
    validatorIndex: ValidatorIndex,
    retryThreshold: number,
  ): boolean {
    const recorded = this.recordedErrors.get(this.key(from, validatorIndex));
    return recorded === undefined || recorded < retryThreshold;
  }

  /**
   * `populate_from_av_store`: takes in the valid local chunks; returns the (validator index,
   * chunk index) of every local chunk, valid or not.
   */
  populateFromAvStore(ctx: RecoveryContext): (readonly [ValidatorIndex, number])[] {
    const local = ctx.store.queryAllChunks(ctx.params.candidateHash);
    for (const { validatorIndex, chunk } of local) {
      // An invalid one: "Loaded invalid chunk from disk!" (logged in Rust), not taken.
      if (ctx.erasure.isChunkValid(ctx.params.erasureRoot, chunk)) {
        this.insertChunk(chunk.index, { chunk, validatorIndex });
      }
    }
    return local.map((c) => [c.validatorIndex, c.chunk.index] as const);
  }
}

// -----------------------------------------------------------------------------------------------
// Post-recovery check and what a reconstruction stands for (see the header)

/**
 * `reconstructed_data_matches_root` of an `AvailableData` (a backer's response): its encoding
 * (memoised) has the erasure root.
 */
export function reconstructedDataMatchesRoot(ctx: RecoveryContext, data: AvailableData): boolean {
  const encoding = ctx.erasure.encode(ctx.params.nValidators, data.pov, data.pvd);
  return encoding.ok && encoding.value.root === ctx.params.erasureRoot;
}

/** The recovered `AvailableData` of decoded block data bytes and PVD (see the header). */
function availableDataOf(
  params: RecoveryParams,
  blockData: Uint8Array,
  isNamedPov: boolean,
  pvd: PersistedValidationData,
): AvailableData {
  const sizeBytes = blockData.length;
  const known = params.knownData;
  if (isNamedPov) {
    const pov =
      known !== null && known.pov.hash === params.povHash && known.pov.sizeBytes === sizeBytes
        ? known.pov
        : { hash: params.povHash, sizeBytes, blockData };
    return { pov, pvd, relayParent: params.relayParent };
  }
  // `PoV::hash()`: blake2-256 of `PoV { block_data }` SCALE-encoded.
  const hash = hashBytes(Bytes().enc(blockData));
  return { pov: { hash, sizeBytes, blockData }, pvd, relayParent: params.relayParent };
}

/**
 * The post-recovery check of a decoded payload: re-encoding it gives the erasure root. Through
 * the memo when the bytes are the named PoV's modelled bytes (then its memoised encoding has
 * exactly this payload), else by encoding the bytes.
 */
function checkDecoded(
  ctx: RecoveryContext,
  decoded: { readonly blockData: Uint8Array; readonly validationData: PersistedValidationData },
): Result<AvailableData, RecoveryError> {
  const { params } = ctx;
  const { blockData, validationData } = decoded;
  const named = { hash: params.povHash, sizeBytes: blockData.length };
  const isNamedPov = bytesEqual(blockData, povBlockData(named));
  let root: Hash | null = null;
  if (isNamedPov) {
    const encoding = ctx.erasure.encode(params.nValidators, named, validationData);
    if (encoding.ok) root = encoding.value.root;
  } else {
    const payload = AvailableDataCodec.enc({ pov: { blockData }, validationData });
    const chunks = obtainChunks(params.nValidators, payload);
    if (chunks.ok) root = branches(chunks.value).root;
  }
  // "Data recovery error - root mismatch".
  if (root !== params.erasureRoot) return err(INVALID);
  return ok(availableDataOf(params, blockData, isNamedPov, validationData));
}

/**
 * The fast path (see the header): the answer when every chunk in `used` is the memo's own chunk
 * object of `knownData`'s encoding under the erasure root; null otherwise.
 */
function knownReconstruction(
  ctx: RecoveryContext,
  used: readonly ErasureChunk[],
): AvailableData | null {
  const { params } = ctx;
  const known = params.knownData;
  if (known === null) return null;
  const encoding = ctx.erasure.encode(params.nValidators, known.pov, known.pvd);
  if (!encoding.ok || encoding.value.root !== params.erasureRoot) return null;
  for (const c of used) {
    if (c.index >= params.nValidators || encoding.value.erasureChunk(c.index) !== c) return null;
  }
  if (known.pov.hash === params.povHash) {
    return { pov: known.pov, pvd: known.pvd, relayParent: params.relayParent };
  }
  // The backers encoded a PoV other than the receipt's: rare, take the bytes.
  const blockData = povBlockData(known.pov);
  const isNamed = bytesEqual(
    blockData,
    povBlockData({ hash: params.povHash, sizeBytes: blockData.length }),
  );
  return availableDataOf(params, blockData, isNamed, known.pvd);
}

/** `reconstruct_v1` / `reconstruct_from_systematic_v1` output, decoded and checked. */
function decodeAndCheck(
  ctx: RecoveryContext,
  payload: Result<Uint8Array, unknown>,
): Result<AvailableData, RecoveryError> {
  // "Data recovery error": the codec refused, or the payload does not decode (`BadPayload`).
  if (!payload.ok) return err(INVALID);
  const decoded = decodeAvailableData(payload.value);
  if (decoded === null) return err(INVALID);
  return checkDecoded(ctx, decoded);
}

// -----------------------------------------------------------------------------------------------
// FetchFull

/** `FetchFull`: the whole data from the backers, one at a time. */
export class FetchFull implements RecoveryStrategy {
  readonly displayName = "Full recovery from backers";
  readonly strategyType = "full_from_backers";
  private readonly validators: ValidatorIndex[];

  /** `FetchFull::new`: shuffles the backers. */
  constructor(backers: readonly ValidatorIndex[], rng: Prng) {
    this.validators = rng.shuffle(backers.slice());
  }

  run(ctx: RecoveryContext, done: (result: Result<AvailableData, RecoveryError>) => void): void {
    const next = (): void => {
      const validatorIndex = this.validators.pop();
      if (validatorIndex === undefined) {
        done(err(UNAVAILABLE));
        return;
      }
      ctx.network.requestFull(
        ctx.params.candidateHash,
        validatorIndex,
        ctx.defer((data: AvailableData | null) => {
          // "Received full data"; otherwise "Invalid data response" / no data / request error:
          // the next backer.
          if (data !== null && reconstructedDataMatchesRoot(ctx, data)) done(ok(data));
          else next();
        }),
      );
    };
    next();
  }
}

// -----------------------------------------------------------------------------------------------
// Chunk strategies

/** A request to make: ask `from` for the chunk of `validatorIndex`. */
type ChunkRequest = readonly [from: ValidatorIndex, validatorIndex: ValidatorIndex];

/**
 * What the chunk strategies share: the loop of `FetchChunks::run` / `FetchSystematicChunks::run`
 * over `State::launch_parallel_chunk_requests` and `State::wait_for_chunks`.
 */
abstract class ChunkStrategy implements RecoveryStrategy {
  abstract readonly displayName: string;
  abstract readonly strategyType: "systematic_chunks" | "regular_chunks";
  /** Requests to make; the last is made next (`pop_back`), a retry goes to the front. */
  protected queue: ChunkRequest[] = [];
  /** Backers still usable as backups (`backup_validators`). */
  protected backups: ValidatorIndex[] = [];
  /** Requests in flight (`requesting_chunks.total_len()`). */
  private inFlight = 0;
  private roundResponses = 0;
  private roundErrors = 0;
  private finished = false;
  private ctx: RecoveryContext | null = null;
  private done: ((result: Result<AvailableData, RecoveryError>) => void) | null = null;

  protected abstract readonly retryLimit: number;
  /** The chunks that count towards `threshold()`. */
  protected abstract count(state: State): number;
  protected abstract threshold(ctx: RecoveryContext): number;
  protected abstract desiredRequestCount(ctx: RecoveryContext): number;
  /** Sets up `queue` and `backups`; an error ends the strategy before any request. */
  protected abstract prepare(ctx: RecoveryContext): RecoveryError | null;
  /** Reconstructs from the received chunks (`count() >= threshold()`). */
  protected abstract attemptRecovery(ctx: RecoveryContext): Result<AvailableData, RecoveryError>;
  /** A round of `wait_for_chunks` ended with these totals. */
  protected onRoundEnd(_responses: number, _errors: number): void {}

  run(ctx: RecoveryContext, done: (result: Result<AvailableData, RecoveryError>) => void): void {
    assert(this.ctx === null, "a recovery strategy runs once");
    this.ctx = ctx;
    this.done = done;
    const refused = this.prepare(ctx);
    if (refused !== null) this.finish(err(refused));
    else this.step(ctx);
  }

  private finish(result: Result<AvailableData, RecoveryError>): void {
    this.finished = true;
    this.done!(result);
  }

  /** One turn of the strategy's `loop`: conclude, or launch requests and wait. */
  private step(ctx: RecoveryContext): void {
    const count = this.count(ctx.state);
    const threshold = this.threshold(ctx);
    if (count >= threshold) {
      this.finish(this.attemptRecovery(ctx));
      return;
    }
    if (isUnavailable(count, this.inFlight, this.queue.length, threshold)) {
      // "Data recovery from chunks is not possible".
      this.finish(err(UNAVAILABLE));
      return;
    }
    const desired = this.desiredRequestCount(ctx);
    this.roundResponses = 0;
    this.roundErrors = 0;
    // `launch_parallel_chunk_requests`.
    while (this.inFlight < desired) {
      const request = this.queue.pop();
      if (request === undefined) break;
      const [from, validatorIndex] = request;
      this.inFlight++;
      ctx.network.requestChunk(
        ctx.params.candidateHash,
        from,
        validatorIndex,
        ctx.defer((response: ChunkResponse) =>
          this.onResponse(ctx, from, validatorIndex, response),
        ),
      );
    }
    if (this.inFlight === 0) this.endRound(ctx);
  }

  /** One response of `wait_for_chunks`. */
  private onResponse(
    ctx: RecoveryContext,
    from: ValidatorIndex,
    validatorIndex: ValidatorIndex,
    response: ChunkResponse,
  ): void {
    if (this.finished) return; // the strategy is over: Rust drops the request
    const { state } = ctx;
    this.inFlight--;
    this.roundResponses++;
    let isError = true;
    if (response === null) {
      // "Failure requesting chunk": may be retried.
      state.recordErrorNonFatal(from, validatorIndex);
    } else if (response === "NoSuchChunk") {
      // "Validator did not have the chunk".
      state.recordErrorFatal(from, validatorIndex);
    } else if (ctx.erasure.isChunkValid(ctx.params.erasureRoot, response)) {
      // "Received valid chunk".
      state.insertChunk(response.index, { chunk: response, validatorIndex });
      isError = false;
    } else {
      state.recordErrorFatal(from, validatorIndex);
    }
    if (isError) {
      this.roundErrors++;
      if (state.canRetryRequest(from, validatorIndex, this.retryLimit)) {
        this.queue.unshift([from, validatorIndex]);
      } else {
        // A backer we have not asked for this chunk.
        const position = this.backups.findIndex((b) => !state.hasRecordedError(b, validatorIndex));
        if (position >= 0) {
          const backer = this.backups[position]!;
          this.backups[position] = this.backups[this.backups.length - 1]!; // swap_remove
          this.backups.pop();
          this.queue.unshift([backer, validatorIndex]);
        }
      }
    }
    const count = this.count(state);
    const threshold = this.threshold(ctx);
    const canConclude =
      count >= threshold || isUnavailable(count, this.inFlight, this.queue.length, threshold);
    if (canConclude || this.inFlight === 0) this.endRound(ctx);
  }

  private endRound(ctx: RecoveryContext): void {
    this.onRoundEnd(this.roundResponses, this.roundErrors);
    this.step(ctx);
  }
}

/** `FetchSystematicChunks`: chunks 0..k-1 from the validators holding them. */
export class FetchSystematicChunks extends ChunkStrategy {
  readonly displayName = "Fetch systematic chunks";
  readonly strategyType = "systematic_chunks";
  protected readonly retryLimit = SYSTEMATIC_CHUNKS_REQ_RETRY_LIMIT;
  /** The systematic recovery threshold: the number of systematic validators. */
  private readonly systematicThreshold: number;

  constructor(
    /** (chunk index, validator index) of the validators holding a chunk < k, in validator order. */
    private readonly validators: readonly (readonly [number, ValidatorIndex])[],
    /** The backing group, the backups (empty without one). */
    private readonly backers: readonly ValidatorIndex[],
  ) {
    super();
    this.systematicThreshold = validators.length;
  }

  protected count(state: State): number {
    return state.systematicChunkCount();
  }

  protected threshold(): number {
    return this.systematicThreshold;
  }

  protected desiredRequestCount(ctx: RecoveryContext): number {
    return systematicDesiredRequestCount(
      ctx.state.systematicChunkCount(),
      this.systematicThreshold,
    );
  }

  protected prepare(ctx: RecoveryContext): RecoveryError | null {
    const { state } = ctx;
    for (const [, ourChunkIndex] of state.populateFromAvStore(ctx)) {
      // "We are among the systematic validators but hold an invalid chunk".
      if (
        this.validators.some(([c]) => c === ourChunkIndex) &&
        !state.receivedChunks.has(ourChunkIndex)
      ) {
        return UNAVAILABLE;
      }
    }
    // Not the validators whose chunk we hold or that we know do not have it.
    this.queue = this.validators
      .filter(
        ([c, v]) =>
          !state.receivedChunks.has(c) &&
          state.canRetryRequest(v, v, SYSTEMATIC_CHUNKS_REQ_RETRY_LIMIT),
      )
      .map(([, v]) => [v, v] as const);
    this.backups = this.backers.slice();
    return null;
  }

  /** `attempt_systematic_recovery`: chunks 0..k-1 in index order. */
  protected attemptRecovery(ctx: RecoveryContext): Result<AvailableData, RecoveryError> {
    const used: ErasureChunk[] = [];
    for (let i = 0; i < this.systematicThreshold; i++) {
      used.push(ctx.state.receivedChunks.get(i)!.chunk);
    }
    const known = knownReconstruction(ctx, used);
    if (known !== null) return ok(known);
    return decodeAndCheck(
      ctx,
      reconstructFromSystematic(
        ctx.params.nValidators,
        used.map((c) => c.chunk),
      ),
    );
  }
}

/** `FetchChunks`: any `recovery_threshold(n)` chunks, from every validator in a random order. */
export class FetchChunks extends ChunkStrategy {
  readonly displayName = "Fetch chunks";
  readonly strategyType = "regular_chunks";
  protected readonly retryLimit = REGULAR_CHUNKS_REQ_RETRY_LIMIT;
  /** Every validator, shuffled. */
  private readonly validators: ValidatorIndex[];
  private totalReceivedResponses = 0;
  private errorCount = 0;

  /** `FetchChunks::new`: shuffles the validators. */
  constructor(nValidators: number, rng: Prng) {
    super();
    this.validators = rng.shuffle(Array.from({ length: nValidators }, (_, i) => i));
  }

  protected count(state: State): number {
    return state.chunkCount();
  }

  protected threshold(ctx: RecoveryContext): number {
    return ctx.params.threshold;
  }

  protected desiredRequestCount(ctx: RecoveryContext): number {
    return regularDesiredRequestCount(
      ctx.state.chunkCount(),
      ctx.params.threshold,
      this.totalReceivedResponses,
      this.errorCount,
    );
  }

  protected override onRoundEnd(responses: number, errors: number): void {
    this.totalReceivedResponses += responses;
    this.errorCount += errors;
  }

  protected prepare(ctx: RecoveryContext): RecoveryError | null {
    const { state } = ctx;
    const local = new Set(state.populateFromAvStore(ctx).map(([v]) => v));
    const received = new Set<ValidatorIndex>();
    for (const c of state.receivedChunks.values()) received.add(c.validatorIndex);
    this.queue = this.validators
      .filter(
        (v) =>
          !local.has(v) &&
          !received.has(v) &&
          state.canRetryRequest(v, v, REGULAR_CHUNKS_REQ_RETRY_LIMIT),
      )
      .map((v) => [v, v] as const);
    return null;
  }

  /** `attempt_recovery`: `reconstruct` from every received chunk. */
  protected attemptRecovery(ctx: RecoveryContext): Result<AvailableData, RecoveryError> {
    const indices = [...ctx.state.receivedChunks.keys()].sort((a, b) => a - b);
    const used = indices.map((i) => ctx.state.receivedChunks.get(i)!.chunk);
    const known = knownReconstruction(ctx, used);
    if (known !== null) return ok(known);
    return decodeAndCheck(
      ctx,
      reconstruct(
        ctx.params.nValidators,
        used.map((c) => [c.chunk, c.index] as const),
      ),
    );
  }
}
