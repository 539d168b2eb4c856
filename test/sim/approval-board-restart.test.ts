/**
 * The approval board under a crash fault (src/sim/approval-board.ts `downAt`, `resendTo`): a copy
 * arriving while its receiver is down is lost, and the restarted receiver gets every item of a
 * block again from `resendTo` (approval-distribution's `unify_with_peer`), nobody else does.
 */
import { describe, expect, it } from "vitest";
import type { ApprovalItem } from "../../src/actors/env.ts";
import { validatorActor } from "../../src/actors/protocol.ts";
import { Prng } from "../../src/lib/prng.ts";
import { ApprovalBoard } from "../../src/sim/approval-board.ts";
import { Network } from "../../src/sim/network.ts";
import { Scheduler } from "../../src/sim/scheduler.ts";

const N = 6;
const actors = Array.from({ length: N }, (_, i) => validatorActor(i));
const B = "0xb1";
/** Validator 3 is down until 1 s. */
const DOWN_UNTIL_US = 1_000_000;

function setup() {
  const sched = new Scheduler();
  const net = new Network(sched, Prng.fromSeed(1), {
    latencyMs: { mean: 50, jitter: 0 },
    bandwidthMbps: 100,
    loss: 0,
  });
  const board = new ApprovalBoard(
    net,
    Prng.fromSeed(1),
    actors,
    () => 1,
    (to, atUs) => to === 3 && atUs < DOWN_UNTIL_US,
  );
  return { sched, board };
}

const assignment = (validator: number): ApprovalItem => ({
  kind: "assignment",
  validator,
  candidateIndices: [0],
  tranche: 0,
  cert: { validator },
});

describe("approval board: a receiver down, then restarted", () => {
  it("loses what arrives while it is down; resendTo brings it to it alone", () => {
    const { sched, board } = setup();
    board.publish(0, B, assignment(0), 1000, 0);
    board.publish(1, B, assignment(1), 1000, 0);
    sched.runUntil(DOWN_UNTIL_US);
    expect(board.arrivals(3, B).items).toEqual([]);
    expect(board.arrivals(4, B).items.length).toBe(2);

    board.resendTo(B, 3);
    sched.runUntil(2 * DOWN_UNTIL_US);
    const got = board.arrivals(3, B);
    expect(got.items.map((i) => (i.kind === "assignment" ? i.validator : -1))).toEqual([0, 1]);
    for (const at of got.atUs) expect(at).toBeGreaterThanOrEqual(DOWN_UNTIL_US);
    // The others already had both: still exactly two each (the resend was not theirs).
    expect(board.arrivals(4, B).items.length).toBe(2);
    expect(board.arrivals(5, B).items.length).toBe(2);
  });
});
