/**
 * What the node's subsystems derive from the runtime API at one relay block, computed once:
 * the session and signing context, the validator keys, the validator -> group map, the backing
 * groups per core (`TableContext::groups` of candidate-backing), the claim queue and its
 * transposition, the availability cores, the thresholds and node features.
 *
 * Invariants:
 * - A `BlockContext` answers for ONE relay block, like the `RuntimeApi` it wraps, and never
 *   changes; every field is computed lazily on first use and then kept.
 * - One context per `RuntimeApi` object, kept by a `BlockContexts` cache object: when the world
 *   hands every validator the same cache and the same API object for a block, the work is done
 *   once for the whole network; the validator key bytes and the validator -> group map are
 *   memoised per `validators()` / `groups` array, so they are computed once per session (the key
 *   bytes also across blocks whose key lists are equal copies). Only immutable values are shared.
 *
 * Ref: polkadot/node/core/backing/src/lib.rs (construct_per_relay_parent_state: groups per core
 *      from the claim queue and `group_rotation_info.group_for_core`, the local `assigned_core`,
 *      `validator_to_group`, `inject_core_index` from `ElasticScalingMVP`),
 *      polkadot/node/subsystem-util/src/runtime (claim queue, executor params).
 */

import { fromHex, type Hash, type Hex } from "../../lib/hex.ts";
import { getOrInsertComputed } from "../../lib/memo.ts";
import type { ClaimQueueSnapshot, TransposedClaimQueue } from "../../primitives/claim-queue.ts";
import { transposeClaimQueue } from "../../primitives/claim-queue.ts";
import type {
  BlockNumber,
  CoreIndex,
  GroupIndex,
  ParaId,
  SessionIndex,
  ValidatorIndex,
} from "../../primitives/codecs.ts";
import {
  coreForGroup,
  type GroupRotationInfo,
  groupForCore,
} from "../../primitives/group-rotation.ts";
import type {
  AsyncBackingParams,
  CoreState,
  ExecutorTimeouts,
  NodeFeatures,
  RelayHeader,
  RuntimeApi,
} from "../../primitives/runtime-api.ts";
import type { SigningContext } from "../../primitives/statements.ts";

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The block contexts of one relay chain, and what they share across blocks (decoded keys, the
 * validator -> group maps): an explicit cache object (performance, not protocol), owned by
 * whoever runs the nodes (the world hands one to every validator; a node built alone makes its
 * own). Every value it holds is a pure function of the immutable object it is keyed by.
 */
export class BlockContexts {
  private readonly contexts = new WeakMap<RuntimeApi, BlockContext>();
  private readonly keyMemo = new WeakMap<readonly Hex[], readonly Uint8Array[]>();
  private readonly groupMemo = new WeakMap<readonly (readonly ValidatorIndex[])[], Int32Array>();
  private lastKeys:
    | { readonly hex: readonly Hex[]; readonly keys: readonly Uint8Array[] }
    | undefined;
  /** `of`'s factory (a field: a lookup allocates no closure). */
  private readonly create = (api: RuntimeApi): BlockContext => new BlockContext(api, this);

  /** The (shared) context of the block `api` answers for. */
  of(api: RuntimeApi): BlockContext {
    return getOrInsertComputed(this.contexts, api, this.create);
  }

  /** The decoded keys of a key list (the same objects for equal lists, block after block). */
  keys(hex: readonly Hex[]): readonly Uint8Array[] {
    let keys = this.keyMemo.get(hex);
    if (keys === undefined) {
      // Each block's state is a copy, so the same key list comes as a new array: reuse the
      // decoded keys of the last list when the hex strings are the same.
      const last = this.lastKeys;
      keys = last !== undefined && sameStrings(last.hex, hex) ? last.keys : hex.map(fromHex);
      this.keyMemo.set(hex, keys);
      this.lastKeys = { hex, keys };
    }
    return keys;
  }

  /** validator -> group index (-1: none) of a groups array, among `nValidators`. */
  validatorToGroup(
    groups: readonly (readonly ValidatorIndex[])[],
    nValidators: number,
  ): Int32Array {
    let map = this.groupMemo.get(groups);
    if (map === undefined) {
      map = new Int32Array(nValidators).fill(-1);
      for (let i = 0; i < groups.length; i++) {
        for (const v of groups[i]!) if (v < map.length) map[v] = i;
      }
      this.groupMemo.set(groups, map);
    }
    return map;
  }
}

export class BlockContext {
  readonly header: RelayHeader;
  private sessionValue: SessionIndex | undefined;
  private signingValue: SigningContext | undefined;
  private keysValue: readonly Uint8Array[] | undefined;
  private groupsValue:
    | {
        readonly groups: readonly (readonly ValidatorIndex[])[];
        readonly rotationInfo: GroupRotationInfo;
      }
    | undefined;
  private validatorToGroupValue: Int32Array | undefined;
  private coresValue: readonly CoreState[] | undefined;
  private claimQueueValue: ClaimQueueSnapshot | undefined;
  private coresByParaValue: Map<ParaId, number> | undefined;
  private transposedValue: TransposedClaimQueue | undefined;
  private scheduledParasValue: readonly ParaId[] | undefined;
  private backingGroupsValue: ReadonlyMap<CoreIndex, readonly ValidatorIndex[]> | undefined;
  private assignedCoresValue: Int32Array | undefined;
  private minimumBackingVotesValue: number | undefined;
  private nodeFeaturesValue: NodeFeatures | undefined;
  private asyncBackingValue: AsyncBackingParams | undefined;
  private executorTimeoutsValue: ExecutorTimeouts | undefined;

  /** Made by `BlockContexts.of`, which shares one context per block. */
  constructor(
    readonly api: RuntimeApi,
    private readonly cache: BlockContexts,
  ) {
    this.header = api.header;
  }

  get hash(): Hash {
    return this.header.hash;
  }

  get number(): BlockNumber {
    return this.header.number;
  }

  /** `session_index_for_child`. */
  get sessionIndex(): SessionIndex {
    this.sessionValue ??= this.api.sessionIndexForChild();
    return this.sessionValue;
  }

  /** `SigningContext { session_index: session_index_for_child, parent_hash: this block }`. */
  get signingContext(): SigningContext {
    this.signingValue ??= { sessionIndex: this.sessionIndex, parentHash: this.hash };
    return this.signingValue;
  }

  /** The session's validator public keys, by validator index. */
  get validatorKeys(): readonly Uint8Array[] {
    this.keysValue ??= this.cache.keys(this.api.validators());
    return this.keysValue;
  }

  get nValidators(): number {
    return this.validatorKeys.length;
  }

  /** `validator_groups`: the groups and the rotation info computed for `number + 1`. */
  get groups(): readonly (readonly ValidatorIndex[])[] {
    this.groupsValue ??= this.api.validatorGroups();
    return this.groupsValue.groups;
  }

  get rotationInfo(): GroupRotationInfo {
    this.groupsValue ??= this.api.validatorGroups();
    return this.groupsValue.rotationInfo;
  }

  /** The group a validator belongs to in this session, or null. */
  groupOf(validator: ValidatorIndex): GroupIndex | null {
    this.validatorToGroupValue ??= this.cache.validatorToGroup(this.groups, this.nValidators);
    const g = this.validatorToGroupValue[validator];
    return g === undefined || g < 0 ? null : g;
  }

  get availabilityCores(): readonly CoreState[] {
    this.coresValue ??= this.api.availabilityCores();
    return this.coresValue;
  }

  /** The number of availability cores (`n_cores` of backing). */
  get nCores(): number {
    return this.availabilityCores.length;
  }

  get claimQueue(): ClaimQueueSnapshot {
    this.claimQueueValue ??= this.api.claimQueue();
    return this.claimQueueValue;
  }

  get transposedClaimQueue(): TransposedClaimQueue {
    this.transposedValue ??= transposeClaimQueue(this.claimQueue);
    return this.transposedValue;
  }

  /** The paras with a claim anywhere in the claim queue, ascending. */
  get scheduledParas(): readonly ParaId[] {
    this.scheduledParasValue ??= [...this.transposedClaimQueue.keys()].sort((a, b) => a - b);
    return this.scheduledParasValue;
  }

  /**
   * The distinct cores `para` holds anywhere in the claim queue, any depth: prospective
   * parachains' `max_backable_chain_len` (current generation, SEMANTICS.md §7 C1:
   * `claims_by_depth.values().flatten().collect::<BTreeSet<_>>().len()`).
   */
  claimQueueCoresOf(para: ParaId): number {
    // Asked per para by every validator at every leaf: computed once per block context.
    this.coresByParaValue ??= new Map();
    return getOrInsertComputed(this.coresByParaValue, para, (p) => {
      const byDepth = this.transposedClaimQueue.get(p);
      if (byDepth === undefined) return 0;
      const cores = new Set<CoreIndex>();
      for (const set of byDepth.values()) for (const c of set) cores.add(c);
      return cores.size;
    });
  }

  /** The runtime's scheduling lookahead (the claim queue's length). */
  get schedulingLookahead(): number {
    return this.api.schedulingLookahead();
  }

  /** The group assigned to `core` for candidates with this block as relay parent. */
  groupForCore(core: CoreIndex): GroupIndex {
    return groupForCore(this.rotationInfo, core, this.nCores);
  }

  /** The core `group` serves for candidates with this block as relay parent. */
  coreForGroup(group: GroupIndex): CoreIndex {
    return coreForGroup(this.rotationInfo, group, this.nCores);
  }

  /**
   * `TableContext::groups`: for every core present in the claim queue, the validators of the
   * group assigned to it (`group_for_core(core, n_cores)`), as backing builds them.
   */
  get backingGroups(): ReadonlyMap<CoreIndex, readonly ValidatorIndex[]> {
    if (this.backingGroupsValue === undefined) {
      const out = new Map<CoreIndex, readonly ValidatorIndex[]>();
      const cq = this.claimQueue;
      const groups = this.groups;
      for (let core = 0; core < this.nCores; core++) {
        if (!cq.has(core)) continue;
        const g = groups[this.groupForCore(core)];
        if (g !== undefined) out.set(core, g);
      }
      this.backingGroupsValue = out;
    }
    return this.backingGroupsValue;
  }

  /** `assigned_core` of backing: the core whose backing group contains `validator`. */
  assignedCore(validator: ValidatorIndex): CoreIndex | null {
    if (this.assignedCoresValue === undefined) {
      // Every validator asks once per block: map them all in one pass (the last core whose
      // group holds a validator wins, as the per-validator scan did).
      const byValidator = new Int32Array(this.nValidators).fill(-1);
      for (const [core, group] of this.backingGroups) {
        for (const v of group) if (v < byValidator.length) byValidator[v] = core;
      }
      this.assignedCoresValue = byValidator;
    }
    if (validator < this.assignedCoresValue.length) {
      const core = this.assignedCoresValue[validator]!;
      return core < 0 ? null : core;
    }
    // A validator index beyond the key list (not expected): the plain scan.
    let assigned: CoreIndex | null = null;
    for (const [core, group] of this.backingGroups) if (group.includes(validator)) assigned = core;
    return assigned;
  }

  /** The paras claimed on `core` at any depth of the claim queue. */
  claimsForCore(core: CoreIndex): readonly ParaId[] {
    return this.claimQueue.get(core) ?? [];
  }

  get minimumBackingVotes(): number {
    this.minimumBackingVotesValue ??= this.api.minimumBackingVotes();
    return this.minimumBackingVotesValue;
  }

  get nodeFeatures(): NodeFeatures {
    this.nodeFeaturesValue ??= this.api.nodeFeatures();
    return this.nodeFeaturesValue;
  }

  /** `inject_core_index`: the `ElasticScalingMVP` node feature. */
  get injectCoreIndex(): boolean {
    return this.nodeFeatures.elasticScalingMvp;
  }

  get asyncBackingParams(): AsyncBackingParams {
    this.asyncBackingValue ??= this.api.asyncBackingParams();
    return this.asyncBackingValue;
  }

  get executorTimeouts(): ExecutorTimeouts {
    this.executorTimeoutsValue ??= this.api.executorTimeouts();
    return this.executorTimeoutsValue;
  }
}
