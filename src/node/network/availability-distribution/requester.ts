/**
 * Availability distribution's requester: fetching MY chunk of every candidate pending
 * availability, from the validators that backed it.
 *
 * - On each new leaf, for every `Occupied` availability core whose `group_responsible` is not my
 *   group, I fetch my chunk from a backer of that group: the group's members in a random order
 *   (seeded), the next one on a miss or a timeout (`CHUNK_REQUEST_TIMEOUT` = 1 s). A fetch lives
 *   while its candidate occupies a core at the active leaf; a finished fetch is not repeated for the
 *   same candidate, a failed one (every backer tried) is started again at the next leaf where the
 *   candidate still occupies a core (`FromFetchTask::Failed`: "retry on next block still pending
 *   availability").
 * - My chunk index is `availability_chunk_index` (the validator index, or with the
 *   `AvailabilityChunkMapping` node feature `(core * k + v) % n`). A chunk is checked before it is
 *   stored (`validate_chunk`): its index must be mine and its proof must lead from the candidate's
 *   erasure root to its blake2 hash; a backer that sends anything else is passed over like one
 *   without the chunk. A checked chunk goes to the availability store (`StoreChunk`).
 *
 * Performance model (docs/simulator.md "Performance model"): with lazily computed fetches
 * (`env.chunkFetching`, the simulator's) a request is not a message; its fate is computed when
 * I look (`settle`, which the node runs before bitfield signing asks the store, or at its
 * timeout), with the same rules: a chunk delivered by the deadline is stored, a "no chunk" answer
 * moves on to the next backer at its delivery time, silence moves on at the deadline.
 *
 * Ref: polkadot/node/network/availability-distribution/src/requester (Requester::add_cores,
 *      the `Failed` arm of `Requester::poll_next`,
 *      fetch_task: group shuffled, our group skipped, one chunk per candidate, validate_chunk),
 *      polkadot/node/network/protocol/src/request_response/mod.rs (CHUNK_REQUEST_TIMEOUT).
 */
import type {
  ActorLog,
  Cancellable,
  ChunkFetching,
  ChunkRequest,
  ValidatorEnv,
} from "../../../actors/env.ts";
import type { ActorId, ProtocolMessage } from "../../../actors/protocol.ts";
import type { Hash } from "../../../lib/hex.ts";
import type { Prng } from "../../../lib/prng.ts";
import type { CandidateHash, ValidatorIndex } from "../../../primitives/codecs.ts";
import {
  availabilityChunkIndex,
  type ErasureChunk,
  type ErasureMemo,
} from "../../../primitives/erasure/encoding.ts";
import type { AvailabilityStoreMessage, StoredChunk } from "../../subsystem-types.ts";
import type { BlockContext } from "../../util/block-context.ts";
import { CHUNK_REQUEST_TIMEOUT_US } from "../../util/request-timeouts.ts";

export { CHUNK_REQUEST_TIMEOUT_US };

interface FetchTask {
  readonly candidateHash: CandidateHash;
  /** The candidate's erasure root (its descriptor's) and my chunk index. */
  readonly erasureRoot: Hash;
  readonly chunkIndex: number;
  /** Backers still to try; the last one is tried next (Rust pops from the back). */
  readonly remaining: ValidatorIndex[];
  current: ValidatorIndex | null;
  /** The deadline of the request in flight (its group in `timeouts`), or null. */
  deadline: number | null;
  state: "Fetching" | "Done" | "Failed";
  /** With lazily computed fetches: the request in flight and when it left, µs. */
  request: ChunkRequest | null;
  sentAtUs: number;
  /** The last leaf (`AvailabilityDistribution.leafGeneration`) at which its candidate occupied a core. */
  generation: number;
  /** My stored chunk once fetched. */
  stored: StoredChunk | null;
}

/** The chunk requester of one validator. */
export class ChunkRequester {
  private readonly fetches = new Map<CandidateHash, FetchTask>();
  /**
   * Request timeouts grouped by deadline: one timer per distinct deadline instead of one per
   * request (a validator sends its ~100 chunk requests of a leaf at once). Exact: every timeout
   * still fires at its own deadline, in request order.
   */
  private readonly timeouts = new Map<
    number,
    { readonly tasks: Set<FetchTask>; readonly timer: Cancellable }
  >();
  private readonly rng: Prng;
  /** Counts the active leaves seen (see `onActiveLeaf`). */
  private leafGeneration = 0;

  constructor(
    private readonly env: ValidatorEnv,
    private readonly log: ActorLog,
    private readonly store: AvailabilityStoreMessage,
    /** The shared encodings, whose chunk check `validate_chunk` uses. */
    private readonly erasure: ErasureMemo,
  ) {
    this.rng = env.rng.fork("availability-distribution");
  }

  /**
   * On a new active leaf: start fetching my chunk of every candidate occupying a core there
   * (unless my group backs it), cancel fetches of candidates that no longer occupy a core.
   */
  onActiveLeaf(leaf: BlockContext): void {
    const me = this.env.validatorIndex;
    const myGroup = leaf.groupOf(me);
    // Fetches of candidates still occupying a core are stamped with this leaf's generation; the
    // others are cancelled below (a stamp instead of a set: ~100 cores x 600 validators a leaf).
    const generation = ++this.leafGeneration;
    const mapping = leaf.nodeFeatures.availabilityChunkMapping;
    leaf.availabilityCores.forEach((core, coreIndex) => {
      if (core.kind !== "Occupied") return;
      if (core.groupResponsible === myGroup) {
        this.store.touch(core.candidateHash, leaf.number);
        return;
      }
      let existing = this.fetches.get(core.candidateHash);
      // A fetch that failed (every backer tried) is dropped and started again at this leaf, the
      // next block with the candidate still pending availability (Rust: `FromFetchTask::Failed`
      // removes it from `fetches`, "Make sure we retry on next block still pending
      // availability"). A lazily computed fetch fails at its last timeout, as a message-carried
      // one does.
      if (existing?.state === "Failed") {
        this.clearTimeout(existing);
        this.fetches.delete(core.candidateHash);
        existing = undefined;
      }
      if (existing !== undefined) {
        existing.generation = generation;
        this.store.touch(core.candidateHash, leaf.number, existing.stored);
        return;
      }
      if (this.store.hasChunk(core.candidateHash)) {
        this.store.touch(core.candidateHash, leaf.number);
        return;
      }
      // My group is not responsible, so I am not in the group: no need to filter myself out.
      const order = this.rng.shuffle((leaf.groups[core.groupResponsible] ?? []).slice());
      const task: FetchTask = {
        candidateHash: core.candidateHash,
        erasureRoot: core.candidateDescriptor.erasureRoot,
        chunkIndex: availabilityChunkIndex(mapping, leaf.nValidators, coreIndex, me),
        remaining: order,
        current: null,
        deadline: null,
        state: "Fetching",
        request: null,
        sentAtUs: 0,
        generation,
        stored: null,
      };
      this.fetches.set(core.candidateHash, task);
      this.tryNext(task);
    });
    for (const [hash, task] of this.fetches) {
      if (task.generation === generation) continue;
      this.clearTimeout(task);
      this.fetches.delete(hash);
    }
  }

  /** Requests my chunk from the next backer of the task now (or fails it: none left). */
  private tryNext(task: FetchTask): void {
    const next = this.nextBacker(task);
    if (next === null) return;
    const fetching = this.env.chunkFetching;
    if (fetching !== undefined) {
      this.requestLazily(fetching, task, next, this.env.now());
      return;
    }
    this.env.send(this.env.validatorActors[next]!, {
      type: "ChunkFetchRequest",
      candidateHash: task.candidateHash,
      validatorIndex: this.env.validatorIndex,
    });
    this.armTimeout(task, this.env.now() + CHUNK_REQUEST_TIMEOUT_US);
  }

  /** The next backer to ask (Rust pops from the back), or null after failing the task. */
  private nextBacker(task: FetchTask): ValidatorIndex | null {
    let next = task.remaining.pop();
    while (next !== undefined && this.env.validatorActors[next] === undefined) {
      next = task.remaining.pop();
    }
    if (next === undefined) {
      task.state = "Failed";
      task.current = null;
      task.request = null;
      this.log.debug("Failed to fetch chunk from any backer", {
        candidateHash: task.candidateHash,
      });
      return null;
    }
    task.current = next;
    return next;
  }

  private requestLazily(
    fetching: ChunkFetching,
    task: FetchTask,
    backer: ValidatorIndex,
    sentAtUs: number,
  ): void {
    task.request = fetching.request(task.candidateHash, backer, sentAtUs);
    task.sentAtUs = sentAtUs;
    const deadline = sentAtUs + CHUNK_REQUEST_TIMEOUT_US;
    if (deadline > this.env.now()) this.armTimeout(task, deadline);
  }

  /**
   * With lazily computed fetches: takes in what happened to the task's requests by now, as the
   * message handlers would have. A response delivered by the request's deadline ends the task
   * (chunk stored) or moves on to the next backer at its delivery time (no chunk); a request
   * without a response by its deadline moves on at the deadline.
   */
  private resolve(task: FetchTask): void {
    const fetching = this.env.chunkFetching;
    if (fetching === undefined) return;
    const now = this.env.now();
    while (task.state === "Fetching" && task.request !== null) {
      const deadline = task.sentAtUs + CHUNK_REQUEST_TIMEOUT_US;
      const r = task.request.response(now);
      let retryAtUs: number;
      if (r !== null && r.atUs <= deadline) {
        if (r.chunk !== null && this.validChunk(task, r.chunk)) {
          this.clearTimeout(task);
          task.state = "Done";
          task.request = null;
          task.stored = this.store.storeChunk(task.candidateHash, r.chunk, r.atUs);
          return;
        }
        retryAtUs = r.atUs;
      } else if (deadline <= now) {
        retryAtUs = deadline;
      } else {
        return; // still in flight
      }
      this.clearTimeout(task);
      const next = this.nextBacker(task);
      if (next === null) return;
      this.requestLazily(fetching, task, next, retryAtUs);
    }
  }

  /**
   * `validate_chunk`: the chunk index I expect, and a proof from the erasure root to the chunk's
   * hash ("Validator sent the wrong chunk", "Received chunk does not match merkle tree").
   */
  private validChunk(task: FetchTask, chunk: ErasureChunk): boolean {
    if (chunk.index !== task.chunkIndex) {
      this.log.warn("Validator sent the wrong chunk", {
        candidateHash: task.candidateHash,
        chunkIndex: chunk.index,
        expectedChunkIndex: task.chunkIndex,
      });
      return false;
    }
    if (!this.erasure.isChunkValid(task.erasureRoot, chunk)) {
      this.log.warn("Received chunk does not match merkle tree", {
        candidateHash: task.candidateHash,
      });
      return false;
    }
    return true;
  }

  /** Times the task's request out at `deadline` (timers grouped by deadline). */
  private armTimeout(task: FetchTask, deadline: number): void {
    task.deadline = deadline;
    let group = this.timeouts.get(deadline);
    if (group === undefined) {
      const tasks = new Set<FetchTask>();
      group = {
        tasks,
        timer: this.env.after(deadline - this.env.now(), () => {
          this.timeouts.delete(deadline);
          for (const t of tasks) {
            t.deadline = null;
            if (this.fetches.get(t.candidateHash) !== t || t.state !== "Fetching") continue;
            if (t.request !== null) this.resolve(t);
            else this.tryNext(t);
          }
        }),
      };
      this.timeouts.set(deadline, group);
    }
    group.tasks.add(task);
  }

  /** Cancels the timeout of the task's request in flight, if any. */
  private clearTimeout(task: FetchTask): void {
    const deadline = task.deadline;
    if (deadline === null) return;
    task.deadline = null;
    const group = this.timeouts.get(deadline);
    if (group === undefined) return;
    group.tasks.delete(task);
    if (group.tasks.size === 0) {
      group.timer.cancel();
      this.timeouts.delete(deadline);
    }
  }

  onChunkFetchResponse(
    from: ActorId,
    msg: Extract<ProtocolMessage, { type: "ChunkFetchResponse" }>,
  ): void {
    const task = this.fetches.get(msg.candidateHash);
    if (task === undefined || task.state !== "Fetching" || task.current === null) return;
    if (this.env.validatorActors[task.current] !== from) return;
    this.clearTimeout(task);
    if (
      msg.chunk === null ||
      msg.validatorIndex !== this.env.validatorIndex ||
      !this.validChunk(task, msg.chunk)
    ) {
      this.tryNext(task);
      return;
    }
    task.state = "Done";
    task.stored = this.store.storeChunk(msg.candidateHash, msg.chunk, this.env.now());
    if (this.log.enabled("trace")) {
      this.log.trace("Chunk fetched", { candidateHash: msg.candidateHash, from });
    }
  }

  /**
   * Lazily computed fetches: takes in what happened by now to my fetch of `candidateHash`, if
   * any (its chunk is then in the store if it arrived). A no-op with message-carried fetches.
   */
  settle(candidateHash: CandidateHash): void {
    const task = this.fetches.get(candidateHash);
    if (task !== undefined) this.resolve(task);
  }

  /**
   * The state of my chunk fetch for a candidate as last settled (tests, checkers; a pure query:
   * with lazily computed fetches, `settle` first).
   */
  fetchState(candidateHash: CandidateHash): "Fetching" | "Done" | "Failed" | undefined {
    return this.fetches.get(candidateHash)?.state;
  }
}
