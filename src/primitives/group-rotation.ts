/**
 * `GroupRotationInfo`: which validator group serves which core at a block. Groups rotate over
 * cores every `groupRotationFrequency` blocks counted from the session start:
 * `group = (core + rotations) mod cores`, `rotations = (now - sessionStartBlock) / frequency`.
 *
 * Edge cases exactly as the Rust code: frequency 0 means no rotation (identity), `cores == 0`
 * gives 0, `now - sessionStartBlock` saturates at 0, `cores` is capped at u32::MAX.
 * `nextRotationAt` / `lastRotationAt` divide by the frequency: a zero frequency panics there, as in
 * Rust (the configuration forbids it: `ZeroGroupRotationFrequency`).
 *
 * One statement for both sides: the relay runtime's scheduler builds it (`group_rotation_info`)
 * and the node reads it from the `validator_groups` runtime API.
 *
 * Ref: polkadot/primitives/src/v8/mod.rs (GroupRotationInfo).
 */
import { ensure } from "../lib/assert.ts";
import type { BlockNumber, CoreIndex, GroupIndex } from "./codecs.ts";

export interface GroupRotationInfo {
  /** The block number where the session started. */
  readonly sessionStartBlock: BlockNumber;
  /** How often groups rotate. 0 means never. */
  readonly groupRotationFrequency: BlockNumber;
  /** The current block number. */
  readonly now: BlockNumber;
}

const U32_MAX = 4294967295;

function rotationsSinceStart(info: GroupRotationInfo): number {
  const blocksSinceStart = Math.max(info.now - info.sessionStartBlock, 0);
  return Math.floor(blocksSinceStart / info.groupRotationFrequency);
}

/** `group_for_core`: the group needed to validate `core`, assuming `cores` cores. */
export function groupForCore(info: GroupRotationInfo, core: CoreIndex, cores: number): GroupIndex {
  if (info.groupRotationFrequency === 0) return core;
  if (cores === 0) return 0;
  const n = Math.min(cores, U32_MAX);
  return (core + rotationsSinceStart(info)) % n;
}

/** `core_for_group`: the core the group is assigned to (no bounds check on the group). */
export function coreForGroup(info: GroupRotationInfo, group: GroupIndex, cores: number): CoreIndex {
  if (info.groupRotationFrequency === 0) return group;
  if (cores === 0) return 0;
  const n = Math.min(cores, U32_MAX);
  const rotations = rotationsSinceStart(info) % n;
  return (group + n - rotations) % n;
}

function ensureFrequency(info: GroupRotationInfo): void {
  ensure(
    info.groupRotationFrequency !== 0,
    "attempt to calculate the remainder with a divisor of zero",
  );
}

/** `next_rotation_at`: the block of the next rotation strictly after `now`. */
export function nextRotationAt(info: GroupRotationInfo): BlockNumber {
  ensureFrequency(info);
  const cycleOnce = info.now + info.groupRotationFrequency;
  return (
    cycleOnce - (Math.max(cycleOnce - info.sessionStartBlock, 0) % info.groupRotationFrequency)
  );
}

/** `last_rotation_at`: the block of the last rotation before or at `now`. */
export function lastRotationAt(info: GroupRotationInfo): BlockNumber {
  ensureFrequency(info);
  return info.now - (Math.max(info.now - info.sessionStartBlock, 0) % info.groupRotationFrequency);
}

/** `bump_rotation`: the same info at the next rotation. */
export function bumpRotation(info: GroupRotationInfo): GroupRotationInfo {
  return { ...info, now: nextRotationAt(info) };
}
