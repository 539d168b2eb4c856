/**
 * Bitfield signing: `SPAWNED_TASK_DELAY` (1500 ms) after each new active leaf, the validator
 * signs an availability bitfield over that leaf's `availability_cores()`: bit i is set iff core i
 * is `Occupied` and the validator holds its chunk of the occupying candidate
 * (`QueryChunkAvailability`). The signed bitfield (`SigningContext{session_index_for_child(leaf),
 * leaf}`) goes to bitfield distribution (`DistributeBitfield`), which hands it to this
 * validator's provisioner and gossips it to every other validator.
 *
 * Invariants: one bitfield per leaf; a leaf deactivated before its delay elapses gets none (the
 * spawned job is aborted with its leaf); a runtime error (unknown block) means no bitfield.
 *
 * Modelled: a late node (the world's `late-bitfields` fault) waits `env.bitfieldSigningDelayUs`
 * more before signing. Chunk possession comes from the modelled availability store (`av-store.ts`);
 * real erasure chunks come with the availability issue. Signing costs no modelled CPU.
 *
 * Ref: polkadot/node/core/bitfield-signing/src/lib.rs (SPAWNED_TASK_DELAY, construct_availability_
 *      bitfield, handle_active_leaves_update), polkadot/node/network/bitfield-distribution.
 */

import type { ActorLog, Cancellable, ValidatorEnv } from "../../actors/env.ts";
import type { Hash } from "../../lib/hex.ts";
import { signBitfield } from "../../primitives/statements.ts";
import type { AvailabilityStoreMessage, BitfieldDistributionMessage } from "../subsystem-types.ts";
import type { BlockContexts } from "../util/block-context.ts";

/** `SPAWNED_TASK_DELAY`, µs. */
export const SPAWNED_TASK_DELAY_US = 1_500_000;

export class BitfieldSigning {
  private readonly jobs = new Map<Hash, Cancellable>();

  constructor(
    private readonly env: ValidatorEnv,
    private readonly log: ActorLog,
    /** `QueryChunkAvailability` (the node hands the store as availability distribution sees it). */
    private readonly store: Pick<AvailabilityStoreMessage, "hasChunk">,
    private readonly distribution: BitfieldDistributionMessage,
    private readonly contexts: BlockContexts,
  ) {}

  activeLeavesUpdate(activated: Hash | null, deactivated: readonly Hash[]): void {
    for (const leaf of deactivated) {
      this.jobs.get(leaf)?.cancel();
      this.jobs.delete(leaf);
    }
    if (activated === null || this.jobs.has(activated)) return;
    const leaf = activated;
    const delayUs = SPAWNED_TASK_DELAY_US + (this.env.bitfieldSigningDelayUs?.() ?? 0);
    const job = this.env.after(delayUs, () => {
      this.jobs.delete(leaf);
      this.signAndDistribute(leaf);
    });
    this.jobs.set(leaf, job);
  }

  /** `construct_availability_bitfield` at `leaf`, then sign and distribute it. */
  private signAndDistribute(leaf: Hash): void {
    const api = this.env.relayChain.api(leaf);
    if (api === null) {
      this.log.debug("No runtime API at the leaf: no bitfield", { leaf });
      return;
    }
    const ctx = this.contexts.of(api);
    const bits = ctx.availabilityCores.map(
      (core) => core.kind === "Occupied" && this.store.hasChunk(core.candidateHash),
    );
    const signature = signBitfield(
      this.env.crypto,
      this.env.keypair.secretKey,
      bits,
      ctx.signingContext,
    );
    const validatorIndex = this.env.validatorIndex;
    if (this.log.enabled("debug")) {
      this.log.debug("Signed availability bitfield", {
        relayParent: leaf,
        ones: bits.filter((b) => b).length,
        cores: bits.length,
      });
    }
    this.distribution.distributeBitfield(leaf, { validatorIndex, payload: bits, signature });
  }
}
