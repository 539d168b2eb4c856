/**
 * The slot-based Aura collator (elastic scaling): a block-builder task on a slot timer and a
 * collation task that submits what it built.
 *
 * On each timer tick (`compute_next_wake_up_time` with the last reported core count and the
 * collator's `slotOffsetMs`): relay parent = the best relay block, walked back
 * `relayParentOffset` blocks; the para slot is derived from that relay parent's slot; the parent
 * is the deepest potential parent (`find_parent`); the core is `determine_core` (selector 0 for
 * the first block on a relay parent, the parent's `CoreInfo` selector + 1 after that; no core
 * left: skip the tick); the timer learns the core count; then the Aura claim and
 * `can_build_upon`; the authoring time is `adjust_authoring_duration` of the scenario's generation
 * (2024: at most the time to the next tick, 500 ms less for the last block of a relay slot;
 * current, #10154: stop 1 s before an Aura slot change to another author, no block under
 * 400 ms; see `slot-timer.ts`), no block when it says none; the block carries the
 * `CoreInfo{selector, claim_queue_offset, number_of_cores}` digest (the runtime turns it into a
 * `SelectCore` UMP signal), is built (85 % PoV budget), then submitted for that core. The next
 * tick is computed when the build is over, as the Rust loop does.
 *
 * Invariants: one block per tick at most; blocks built on one relay parent use the cores
 * claimed for the para at depth `relayParentOffset` in order of core index.
 *
 * Ref: cumulus/client/consensus/aura/src/collators/slot_based/{block_builder_task.rs,
 *      slot_timer.rs, collation_task.rs}.
 */

import type { CollatorEnv } from "../actors/env.ts";
import type { ParachainSpec } from "../config/scenario.ts";
import type { Hash } from "../lib/hex.ts";
import type { CoreIndex } from "../primitives/codecs.ts";
import type { RelayHeader } from "../primitives/runtime-api.ts";
import {
  type BuildRequest,
  CollatorBase,
  type CollatorOptions,
  type Parachain,
} from "./collator.ts";
import { determineCore } from "./core-selector.ts";
import {
  adjustAuthoringDuration,
  adjustAuthoringDurationAtSlotChange,
  computeNextWakeUpTime,
  differentSlotAuthors,
  LastReportedSlot,
  timeUntilNextSlotChange,
  waitUntilNextSlot,
} from "./slot-timer.ts";

/** polkadot-omni-node's slot offset when a scenario sets none. */
export const DEFAULT_SLOT_OFFSET_MS = 1000;

export class SlotBasedCollator extends CollatorBase {
  readonly kind = "slot-based" as const;
  private lastReportedSlot = LastReportedSlot.default();
  private lastReportedCoreNum: number | null = null;
  /** The relay-chain data cache's `last_claimed_core_selector`, per relay parent. */
  private readonly lastClaimedCoreSelector = new Map<Hash, number>();
  private readonly slotOffsetMs: number;
  /** When the last tick fired, ms (null before the first). */
  private lastTickMs: number | null = null;

  constructor(
    env: CollatorEnv,
    spec: ParachainSpec,
    para: Parachain,
    options: CollatorOptions = {},
  ) {
    super(env, spec, para, options);
    this.slotOffsetMs = spec.collator.slotOffsetMs ?? DEFAULT_SLOT_OFFSET_MS;
    this.scheduleNextTick();
  }

  protected onRelayBlock(_header: RelayHeader): void {
    // The builder reads the best relay block at its next tick.
  }

  private nowMs(): number {
    return Math.floor(this.env.now() / 1000);
  }

  /**
   * `wait_until_next_slot`: sleep until the next tick (on a whole virtual millisecond). A tick
   * due exactly now, later than the last one, is taken: a build that used its whole adjusted
   * authoring time ends on the next tick, which in Rust it ends just before (the adjustment is
   * computed a little after the tick), so Rust does not skip that tick and neither do we.
   */
  private scheduleNextTick(): void {
    const now = this.env.now();
    let nowMs = Math.floor(now / 1000);
    if (now % 1000 === 0 && this.lastTickMs !== null && nowMs > this.lastTickMs) nowMs -= 1;
    const next = computeNextWakeUpTime(
      this.config.slotDurationMs,
      this.relaySlotDurationMs,
      this.lastReportedCoreNum,
      nowMs,
      this.slotOffsetMs,
    );
    const wait = waitUntilNextSlot(this.lastReportedSlot, next.slot, next.waitMs);
    const delayUs = wait.sleepMs === 0 ? 0 : Math.max((nowMs + wait.sleepMs) * 1000 - now, 0);
    this.env.after(delayUs, () => {
      if (this.isStopped) return;
      this.lastTickMs = this.nowMs();
      this.lastReportedSlot = wait.lastReportedSlot;
      this.tryBuild(() => this.scheduleNextTick());
    });
  }

  /** One iteration of the block-builder loop; `finished` runs once when it is over. */
  private tryBuild(finished: () => void): void {
    const plan = this.plan();
    if (plan === null) {
      finished();
      return;
    }
    this.build(plan.build, (b) => {
      if (b !== null) {
        this.lastClaimedCoreSelector.set(plan.build.relayParent.hash, plan.selector);
        this.submit(b, plan.build.relayParent, plan.coreIndex);
      }
      finished();
    });
  }

  /** What to build at this tick (relay parent, parent, core, authoring time), or null. */
  private plan(): { selector: number; coreIndex: CoreIndex; build: BuildRequest } | null {
    let relayParentHeader = this.best;
    if (relayParentHeader === null) return null;
    for (let i = 0; i < this.config.relayParentOffset && relayParentHeader !== null; i++) {
      relayParentHeader = this.env.relayChain.header(relayParentHeader.parentHash);
    }
    const api = relayParentHeader === null ? null : this.env.relayChain.api(relayParentHeader.hash);
    if (relayParentHeader === null || api === null) return null;
    const slot = this.paraSlotOf(relayParentHeader);
    const found = this.findParent(relayParentHeader.hash, api);
    const parent = found === null ? null : this.tree.entry(found.parent.hash);
    if (found === null || parent === null) return null;
    this.env.log.trace("parent search", () => ({
      relayParent: relayParentHeader.hash,
      included: found.included.number,
      parent: parent.hash,
      parentNumber: parent.header.number,
      depth: found.parent.depth,
    }));
    const core = determineCore(
      api.claimQueue(),
      { hash: relayParentHeader.hash, stateRoot: relayParentHeader.stateRoot },
      this.paraId,
      {
        number: parent.header.number,
        relayParent: parent.header.digest.relayParent,
        relayParentStorageRoot: parent.header.digest.relayParentStorageRoot,
        coreInfo: parent.header.digest.coreInfo,
      },
      this.config.relayParentOffset,
      this.lastClaimedCoreSelector.get(relayParentHeader.hash) ?? null,
    );
    if (!core.ok || core.value === null) return null;
    const c = core.value;
    const maxPovSize = api.persistedValidationData(this.paraId, "Included")?.maxPovSize;
    if (maxPovSize === undefined) return null;
    // `slot_timer.update_scheduling(core.total_cores())`.
    this.lastReportedCoreNum = c.numberOfCores;
    if (!this.isOurSlot(slot)) return null;
    if (!this.canBuildUpon(parent.hash, found.included.hash, slot, relayParentHeader.slot))
      return null;
    const authoringDurationMs = this.authoringDuration();
    if (authoringDurationMs === null) return null;
    return {
      selector: c.selector,
      coreIndex: c.coreIndex,
      build: {
        parentHash: parent.hash,
        relayParent: relayParentHeader,
        api,
        maxPovSize,
        auraSlot: slot,
        timestampMs: slot * this.config.slotDurationMs,
        coreInfo: {
          selector: c.selector,
          claimQueueOffset: c.claimQueueOffset,
          numberOfCores: c.numberOfCores,
        },
        authoringDurationMs,
      },
    };
  }

  /**
   * `slot_timer.adjust_authoring_duration(authoring_duration)` of the scenario's generation (see
   * `slot-timer.ts`): the authoring time of this block, or null to build none (current: too
   * close to an Aura slot change to another author).
   */
  private authoringDuration(): number | null {
    const configured = this.spec.collator.authoringDurationMs;
    const nowMs = this.nowMs();
    const nextBlock = computeNextWakeUpTime(
      this.config.slotDurationMs,
      this.relaySlotDurationMs,
      this.lastReportedCoreNum,
      nowMs,
      this.slotOffsetMs,
    );
    if (this.generation === "2024") {
      const adjusted = adjustAuthoringDuration(
        this.lastReportedSlot,
        configured,
        this.relaySlotDurationMs,
        nextBlock.waitMs,
      );
      this.lastReportedSlot = adjusted.lastReportedSlot;
      return adjusted.authoringDurationMs;
    }
    const current = this.lastReportedSlot.slot;
    // No slot reported yet: `time_until_next_slot_change` has nothing to count from.
    if (current === null) return configured;
    const change = timeUntilNextSlotChange(
      this.config.slotDurationMs,
      nowMs,
      this.slotOffsetMs,
      current,
    );
    return adjustAuthoringDurationAtSlotChange(
      configured,
      nextBlock.waitMs,
      change.untilMs,
      differentSlotAuthors(current, change.slot, this.spec.collators),
    );
  }
}
