/**
 * The basic Aura collator (synchronous backing): relay-chain driven. For every imported relay
 * block on which the para is scheduled on a free core (`availability_cores()` says `Scheduled`
 * for it; an `Occupied` core means a candidate is pending and no collation is requested), it
 * builds one block on the para's INCLUDED head (the PVD with `OccupiedCoreAssumption::Free`),
 * if it is the Aura author of the para slot derived from the relay parent, at most once per slot
 * per relay fork, with the whole `authoringDurationMs` and a PoV budget of `max_pov_size / 2`,
 * and submits it for that core.
 *
 * Invariants: never builds on an unincluded block; one block per request; requests are handled
 * one at a time in arrival order.
 *
 * Ref: cumulus/client/consensus/aura/src/collators/basic.rs (run: the `last_processed_slot`
 *      rule), cumulus/client/collator/src/relay_chain_driven.rs,
 *      polkadot/node/collation-generation/src/lib.rs (G2 era: a collation is requested for a
 *      `Scheduled` core with `OccupiedCoreAssumption::Free`).
 */
import { hashHex } from "../primitives/hashing.ts";
import type { RelayHeader } from "../primitives/runtime-api.ts";
import { type BuildRequest, CollatorBase } from "./collator.ts";
import { RelayBlockQueue } from "./relay-queue.ts";

export class BasicCollator extends CollatorBase {
  readonly kind = "basic" as const;
  private readonly queue = new RelayBlockQueue((h, done) => this.collate(h, done));
  private lastProcessedSlot = 0;
  private lastRelayChainBlock = 0;

  protected onRelayBlock(header: RelayHeader): void {
    this.queue.push(header);
  }

  private collate(relayParentHeader: RelayHeader, done: () => void): void {
    const request = this.collationRequest(relayParentHeader);
    if (request === null) {
      done();
      return;
    }
    this.build(request.build, (built) => {
      if (built !== null) {
        this.submit(built, relayParentHeader, request.coreIndex);
        this.lastProcessedSlot = request.build.auraSlot;
        this.lastRelayChainBlock = relayParentHeader.number;
      }
      done();
    });
  }

  /** Collation generation's request and basic.rs' checks: what to build, or null to skip. */
  private collationRequest(
    relayParentHeader: RelayHeader,
  ): { coreIndex: number; build: BuildRequest } | null {
    const api = this.env.relayChain.api(relayParentHeader.hash);
    if (api === null) return null;
    // A collation is requested only for a core scheduled for the para (a free core).
    const coreIndex = api
      .availabilityCores()
      .findIndex((c) => c.kind === "Scheduled" && c.paraId === this.paraId);
    if (coreIndex === -1) return null;
    const pvd = api.persistedValidationData(this.paraId, "Free");
    if (pvd === null) return null;
    // `check_block_status`: the parent must be known locally.
    const parentHash = hashHex(pvd.parentHead);
    if (!this.tree.has(parentHash)) return null;
    const slot = this.paraSlotOf(relayParentHeader);
    if (!this.isOurSlot(slot)) return null;
    // One block per slot per relay fork.
    if (this.lastProcessedSlot >= slot && this.lastRelayChainBlock < relayParentHeader.number)
      return null;
    return {
      coreIndex,
      build: {
        parentHash,
        relayParent: relayParentHeader,
        api,
        maxPovSize: pvd.maxPovSize,
        auraSlot: slot,
        timestampMs: relayParentHeader.slot * this.relaySlotDurationMs,
        coreInfo: null,
        authoringDurationMs: this.spec.collator.authoringDurationMs,
      },
    };
  }
}
