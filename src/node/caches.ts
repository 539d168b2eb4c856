/**
 * The validators' shared computations (performance, not protocol), as one explicit object: the
 * simulator's world owns one per network and hands it to every validator, as Lodestar hands its
 * state transition a `CachedBeaconState` whose `epochCtx` holds what is computed once per epoch.
 * A validator built alone (tests) makes its own, and so shares nothing.
 *
 * Invariant: every value held is a pure function of the immutable objects it is keyed by, so a
 * validator given a shared object computes exactly what it would compute with its own; only the
 * work and the memory are shared. What each part holds is said where it is defined.
 */
import { ErasureMemo } from "../primitives/erasure/encoding.ts";
import { ApprovalVotingShared } from "./core/approval-voting/subsystem.ts";
import { BackingShared } from "./core/backing/backing.ts";
import { ProspectiveSharing } from "./core/prospective-parachains/sharing.ts";
import { BitfieldDistributionShared } from "./network/bitfield-distribution.ts";
import { StatementDistributionShared } from "./network/statement-distribution.ts";
import { BlockContexts } from "./util/block-context.ts";

export class NodeCaches {
  /** The block contexts (runtime-API answers derived once per relay block). */
  readonly contexts = new BlockContexts();
  /** Fragment chains, their bases and transitions, PVDs and seconded entries. */
  readonly prospective = new ProspectiveSharing();
  /** The statement table's group context per block. */
  readonly backing = new BackingShared();
  /** Statement signing payloads and the statements of an announcement, per message object. */
  readonly statementDistribution = new StatementDistributionShared();
  /** Bitfield signing payloads, per bits object. */
  readonly bitfieldDistribution = new BitfieldDistributionShared();
  /** Candidates' erasure encodings (chunks, root, proofs), per (n, PoV, PVD). */
  readonly erasure: ErasureMemo;
  /** Received assignment certificates' checks, per gossip item. */
  readonly approvalVoting = new ApprovalVotingShared();

  constructor(
    observe: {
      /** Told of each encoding computed (`ErasureMemo`'s observer). */
      readonly onErasureEncoded?: (nValidators: number, payloadBytes: number) => void;
    } = {},
  ) {
    this.erasure = new ErasureMemo(observe.onErasureEncoded);
  }
}
