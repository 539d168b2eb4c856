/**
 * The lookahead Aura collator (asynchronous backing). On each imported relay block, used as the
 * relay parent: the core is the first core whose claim-queue entry at depth 0 is the para (none:
 * skip); the parent is the deepest potential parent (parent search with ancestry lookback
 * `scheduling_lookahead - 1`, depth 30); then up to 2 blocks in a row, each only if the collator
 * is the Aura author of the para slot derived from the relay parent and `can_build_upon` allows
 * it (skipped on the included block), each with `authoringDurationMs` and 85 % of
 * `max_pov_size`, each submitted for that core; the next block builds on the previous one.
 *
 * Invariants: notifications are handled one at a time, in arrival order (a relay block that
 * arrives during building waits); the velocity/capacity limits are the runtime's (via
 * `can_build_upon`), the collator itself only stops at 2.
 *
 * Ref: cumulus/client/consensus/aura/src/collators/lookahead.rs (run_with_export),
 *      cumulus/client/consensus/aura/src/collators/mod.rs (cores_scheduled_for_para).
 */
import type { Hash } from "../lib/hex.ts";
import type { CoreIndex } from "../primitives/codecs.ts";
import type { RelayHeader, RuntimeApi } from "../primitives/runtime-api.ts";
import { CollatorBase } from "./collator.ts";
import { claimsAtDepthForPara } from "./core-selector.ts";
import { RelayBlockQueue } from "./relay-queue.ts";

/** `for n_built in 0..2`. */
export const LOOKAHEAD_BLOCKS_PER_RELAY_BLOCK = 2;

export class LookaheadCollator extends CollatorBase {
  readonly kind = "lookahead" as const;
  private readonly queue = new RelayBlockQueue((h, done) => this.onImport(h, done));

  protected onRelayBlock(header: RelayHeader): void {
    this.queue.push(header);
  }

  private onImport(relayParentHeader: RelayHeader, done: () => void): void {
    const api = this.env.relayChain.api(relayParentHeader.hash);
    if (api === null) {
      done();
      return;
    }
    // `cores_scheduled_for_para` at claim-queue offset 0: the first one is ours.
    const coreIndex = claimsAtDepthForPara(api.claimQueue(), 0, this.paraId)[0];
    const maxPovSize = api.persistedValidationData(this.paraId, "Included")?.maxPovSize;
    const found =
      coreIndex === undefined || maxPovSize === undefined
        ? null
        : this.findParent(relayParentHeader.hash, api);
    if (coreIndex === undefined || maxPovSize === undefined || found === null) {
      done();
      return;
    }
    const chain = {
      relayParentHeader,
      api,
      coreIndex,
      maxPovSize,
      includedHash: found.included.hash,
    };
    this.buildChain(chain, found.parent.hash, 0, done);
  }

  /** One iteration of `for n_built in 0..2`: build on `parentHash` if allowed, then recurse. */
  private buildChain(c: ChainContext, parentHash: Hash, nBuilt: number, done: () => void): void {
    const slot = this.paraSlotOf(c.relayParentHeader);
    if (
      nBuilt >= LOOKAHEAD_BLOCKS_PER_RELAY_BLOCK ||
      !this.isOurSlot(slot) ||
      !this.canBuildUpon(parentHash, c.includedHash, slot, c.relayParentHeader.slot)
    ) {
      done();
      return;
    }
    this.build(
      {
        parentHash,
        relayParent: c.relayParentHeader,
        api: c.api,
        maxPovSize: c.maxPovSize,
        auraSlot: slot,
        timestampMs: c.relayParentHeader.slot * this.relaySlotDurationMs,
        coreInfo: null,
        authoringDurationMs: this.spec.collator.authoringDurationMs,
      },
      (built) => {
        if (built === null) {
          done();
          return;
        }
        this.submit(built, c.relayParentHeader, c.coreIndex);
        this.buildChain(c, built.executed.headHash, nBuilt + 1, done);
      },
    );
  }
}

interface ChainContext {
  readonly relayParentHeader: RelayHeader;
  readonly api: RuntimeApi;
  readonly coreIndex: CoreIndex;
  readonly maxPovSize: number;
  readonly includedHash: Hash;
}
