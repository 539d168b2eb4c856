/**
 * What the node's subsystems derive from the runtime API at one relay block, computed once:
 * the session and signing context, the validator keys, the validator -> group map, the backing
 * groups per core (`TableContext::groups` of candidate-backing), the claim queue and its
 * transposition, the availability cores, the thresholds and node features.
 *
 * Invariants:
 * - A `BlockContext` answers for ONE relay block, like the `RuntimeApi` it wraps, and never
 *   changes; every field is computed lazily on first use and then kept.
 * - Memoised per `RuntimeApi` object (a `WeakMap`), so when the world hands every validator the
 *   same API object for a block, the work is done once for the whole network; the validator key
 *   bytes and the validator -> group map are memoised per `validators()` / `groups` array, so
 *   they are computed once per session (the key bytes also across blocks whose key lists are
 *   equal copies). Only immutable values are shared.
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

const keyMemo = new WeakMap<readonly Hex[], readonly Uint8Array[]>();
const groupMemo = new WeakMap<readonly (readonly ValidatorIndex[])[], Int32Array>();
const contextMemo = new WeakMap<RuntimeApi, BlockContext>();
let lastKeys: { readonly hex: readonly Hex[]; readonly keys: readonly Uint8Array[] } | undefined;

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
  private transposedValue: TransposedClaimQueue | undefined;
  private scheduledParasValue: readonly ParaId[] | undefined;
  private backingGroupsValue: ReadonlyMap<CoreIndex, readonly ValidatorIndex[]> | undefined;
  private assignedCoresValue: Int32Array | undefined;
  private minimumBackingVotesValue: number | undefined;
  private nodeFeaturesValue: NodeFeatures | undefined;
  private asyncBackingValue: AsyncBackingParams | undefined;
  private executorTimeoutsValue: ExecutorTimeouts | undefined;

  private constructor(readonly api: RuntimeApi) {
    this.header = api.header;
  }

  /** `of`'s factory (a static field: a lookup allocates no closure). */
  private static readonly create = (api: RuntimeApi): BlockContext => new BlockContext(api);

  /** The (shared) context of the block `api` answers for. */
  static of(api: RuntimeApi): BlockContext {
    return getOrInsertComputed(contextMemo, api, BlockContext.create);
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
    if (this.keysValue === undefined) {
      const hex = this.api.validators();
      let keys = keyMemo.get(hex);
      if (keys === undefined) {
        // Each block's state is a copy, so the same key list comes as a new array: reuse the
        // decoded keys of the last list when the hex strings are the same.
        keys =
          lastKeys !== undefined && sameStrings(lastKeys.hex, hex)
            ? lastKeys.keys
            : hex.map(fromHex);
        keyMemo.set(hex, keys);
        lastKeys = { hex, keys };
      }
      this.keysValue = keys;
    }
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
    if (this.validatorToGroupValue === undefined) {
      const groups = this.groups;
      this.validatorToGroupValue = getOrInsertComputed(groupMemo, groups, () => {
        const map = new Int32Array(this.nValidators).fill(-1);
        groups.forEach((g, i) => {
          for (const v of g) if (v < map.length) map[v] = i;
        });
        return map;
      });
    }
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
