/**
 * How the validators see each other's approval gossip (docs/simulator.md "Approval views").
 *
 * - `per-validator`: every validator imports every copy of every assignment and approval it
 *   receives, each at its own arrival (src/sim/approval-board.ts), as polkadot-sdk's approval
 *   voting does. The work grows as validators x items, and the items (about one assignment and
 *   one approval per validator and block) grow with the validators: validators squared.
 * - `shared` (performance model): approval voting runs once, over every item at its publication
 *   (no latency, no loss: `ApprovalBoard.publishedInbox`), in an instance of its own
 *   (`SHARED_VIEW_INDEX`, no assignments). A validator's view derives from it: a candidate is
 *   approved in its view when it is in the shared view and the validator's own copy of the item
 *   that approved it there has arrived (`ApprovalBoard.copyArrival`: the same draw the
 *   per-validator form makes for that copy; a lost copy waits for a resend), and its untriggered
 *   assignments trigger when the shared view says they would. The work per validator is per
 *   candidate, not per item.
 *
 * What differs (stated in docs/simulator.md): a validator's view is as if every other copy had
 * reached it no later than that one (a later or lost other copy would approve later there, or
 * not at all until a resend); its delay tranches trigger on what was published, not on what
 * reached it (a late copy can make a real node trigger where this one does not); the modelled
 * CPU of the signature and certificate checks of what it would have imported is charged as one
 * check per item published about a block by the time its view approved the block. Crash and network faults, adversaries and offline windows act on
 * single copies and single validators, which a shared view does not represent: runs that have
 * any are refused `shared`. Message loss is where the two forms part most: a validator that
 * loses one of the thirty approvals a candidate needs sees a no-show in the per-validator form
 * (no copy is gossiped to it again before the next resend, where Polkadot's grid would route
 * around the loss), escalates and approves seconds later, while in the shared form only the loss
 * of its copy of the approving item delays it. So `shared` is the default only without loss
 * (docs/simulator.md "Approval views" has the figures).
 */
import type { ApprovalVotingEnv, ValidatorEnv } from "../actors/env.ts";
import { assert } from "../lib/assert.ts";
import {
  ApprovalVoting,
  type ApprovalVotingShared,
  SHARED_VIEW_INDEX,
} from "../node/core/approval-voting/subsystem.ts";
import type { BlockContexts } from "../node/util/block-context.ts";
import type { ApprovalBoard } from "./approval-board.ts";

export const APPROVAL_VIEWS = ["per-validator", "shared"] as const;
export type ApprovalViews = (typeof APPROVAL_VIEWS)[number];

/** From this many validators a run without faults takes `shared` views by default. */
export const SHARED_APPROVAL_VIEWS_FROM = 100;

/** What decides a run's approval views. */
export interface ApprovalViewsInput {
  /** `WorldOptions.approvalViews`, if given. */
  readonly requested: ApprovalViews | undefined;
  readonly validators: number;
  /** Whether the run has faults, adversaries or offline windows (per-copy, per-node effects). */
  readonly faultsOrAdversaries: boolean;
  /** The network's message loss (0..1). */
  readonly loss: number;
}

/**
 * The run's approval views: the requested ones, else `shared` from `SHARED_APPROVAL_VIEWS_FROM`
 * validators on a network without loss, faults or adversaries (see the header).
 */
export function approvalViewsFor(input: ApprovalViewsInput): ApprovalViews {
  if (input.requested === "shared") {
    assert(
      !input.faultsOrAdversaries,
      "approvalViews shared: this run has faults, adversaries or offline windows, which act on " +
        "single copies and validators; run it with per-validator views",
    );
    return "shared";
  }
  if (input.requested === "per-validator") return "per-validator";
  return input.validators >= SHARED_APPROVAL_VIEWS_FROM &&
    !input.faultsOrAdversaries &&
    input.loss === 0
    ? "shared"
    : "per-validator";
}

/** Never called: the shared view has no assignments, so it recovers and validates nothing. */
function noCheck(): never {
  throw new Error("approval views: the shared view launched an approval check");
}

/**
 * The shared view: an approval-voting instance with no validator of its own, importing every
 * item about a block at its publication. `base` is an env of the world's (any validator's: the
 * relay chain, crypto and clock are everyone's); its own identity, gossip and callbacks are
 * replaced.
 */
export function sharedApprovalView(
  base: ValidatorEnv,
  board: ApprovalBoard,
  slotDurationMs: number,
  caches: { readonly contexts: BlockContexts; readonly approvalVoting: ApprovalVotingShared },
): ApprovalVoting {
  const approvalVoting: ApprovalVotingEnv = {
    gossip: {
      publish: noCheck,
      arrivals: (block) => board.publishedInbox(block),
      assignmentsSent: (block, c) => board.assignmentsSent(block, c),
      done: () => {},
    },
    slotDurationMs,
  };
  const { malus: _malus, ...honest } = base;
  return new ApprovalVoting(
    { ...honest, validatorIndex: SHARED_VIEW_INDEX, approvalVoting },
    base.log,
    {
      recovery: { recoverAvailableData: noCheck },
      validation: { validateForApproval: noCheck },
      contexts: caches.contexts,
      shared: caches.approvalVoting,
    },
  );
}
