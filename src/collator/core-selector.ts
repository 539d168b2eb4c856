/**
 * The slot-based collator's core choice (`determine_core`): the cores claimed for the para at
 * depth `relay_parent_offset` of the claim queue, ordered by core index; the first block built on
 * a relay parent takes the first, each further block on the same relay parent the next one (the
 * parent's `CoreInfo` digest selector + 1), and when they run out there is no core this tick.
 *
 * Invariants: pure; the claim queue iterates in ascending core index (a `BTreeMap` in Rust);
 * selectors are u8 (`CoreSelector(selector as u8)`).
 *
 * Ref: cumulus/client/consensus/aura/src/collators/slot_based/block_builder_task.rs
 *      (`determine_core`), polkadot node-subsystem-util `ClaimQueueSnapshot::iter_claims_at_depth_for_para`.
 */
import type { Hash } from "../lib/hex.ts";
import { err, ok, type Result } from "../lib/result.ts";
import type { ClaimQueueSnapshot } from "../primitives/claim-queue.ts";
import type { BlockNumber, CoreIndex, ParaId } from "../primitives/codecs.ts";

/** `CumulusDigestItem::CoreInfo`. */
export interface CoreInfo {
  readonly selector: number;
  readonly claimQueueOffset: number;
  readonly numberOfCores: number;
}

/** The return value of `determine_core`. */
export interface Core {
  readonly selector: number;
  readonly claimQueueOffset: number;
  readonly coreIndex: CoreIndex;
  readonly numberOfCores: number;
}

/** The para parent as `determine_core` reads it: its number and digests. */
export interface CoreSelectionParent {
  readonly number: BlockNumber;
  readonly relayParent: Hash | null;
  readonly relayParentStorageRoot: Hash | null;
  readonly coreInfo: CoreInfo | null;
}

/** `iter_claims_at_depth_for_para`: the cores (ascending) whose claim at `depth` is `paraId`. */
export function claimsAtDepthForPara(
  claimQueue: ClaimQueueSnapshot,
  depth: number,
  paraId: ParaId,
): CoreIndex[] {
  return [...claimQueue.keys()]
    .sort((a, b) => a - b)
    .filter((core) => claimQueue.get(core)![depth] === paraId);
}

/**
 * `determine_core(relay_parent, para_id, para_parent, relay_parent_offset)`: the core to build
 * the next block on, or null when no core is left for this relay parent.
 *
 * `lastClaimedCoreSelector` is the relay-chain data cache's `last_claimed_core_selector` for this
 * relay parent, used only when the parent carries no `CoreInfo` digest (older runtimes); note
 * Rust's quirk that an unset selector yields selector 1 there. The error mirrors Rust's `Err(())`
 * when the parent carries neither relay-parent digest.
 */
export function determineCore(
  claimQueue: ClaimQueueSnapshot,
  relayParent: { readonly hash: Hash; readonly stateRoot: Hash },
  paraId: ParaId,
  paraParent: CoreSelectionParent,
  relayParentOffset: number,
  lastClaimedCoreSelector: number | null = null,
): Result<Core | null, { readonly code: "RelayParentDigestMissing" }> {
  const coresAtOffset = claimsAtDepthForPara(claimQueue, relayParentOffset, paraId);

  let isNewRelayParent: boolean;
  if (paraParent.number === 0) isNewRelayParent = true;
  else if (paraParent.relayParent !== null)
    isNewRelayParent = paraParent.relayParent !== relayParent.hash;
  else if (paraParent.relayParentStorageRoot !== null)
    isNewRelayParent = paraParent.relayParentStorageRoot !== relayParent.stateRoot;
  else return err({ code: "RelayParentDigestMissing" });

  let selector: number;
  if (isNewRelayParent) selector = 0;
  else if (paraParent.coreInfo !== null) selector = paraParent.coreInfo.selector + 1;
  else selector = (lastClaimedCoreSelector ?? 0) + 1;

  const coreIndex = coresAtOffset[selector];
  if (coreIndex === undefined) return ok(null);
  return ok({
    selector: selector & 0xff,
    claimQueueOffset: relayParentOffset & 0xff,
    coreIndex,
    numberOfCores: coresAtOffset.length,
  });
}
