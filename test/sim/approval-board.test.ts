import { describe, expect, it } from "vitest";
import type { ApprovalArrival, ApprovalItem } from "../../src/actors/env.ts";
import { validatorActor } from "../../src/actors/protocol.ts";
import { Prng } from "../../src/lib/prng.ts";
import { ApprovalBoard } from "../../src/sim/approval-board.ts";
import { Network, type NetworkConfig, serialisationUs } from "../../src/sim/network.ts";
import { Scheduler } from "../../src/sim/scheduler.ts";

const N = 10;

/** What validator `to` got about `block` by `byUs`, in arrival order (the board's inbox, cut). */
function delivered(
  board: ApprovalBoard,
  to: number,
  block: string,
  byUs: number,
): ApprovalArrival[] {
  const { atUs, items } = board.arrivals(to, block);
  const out: ApprovalArrival[] = [];
  for (let i = 0; i < atUs.length && atUs[i]! <= byUs; i++)
    out.push({ item: items[i]!, atUs: atUs[i]! });
  return out;
}
const actors = Array.from({ length: N }, (_, i) => validatorActor(i));
const B1 = "0xb1";
const B2 = "0xb2";
const numbers: Record<string, number> = { [B1]: 1, [B2]: 2 };
/** One copy's size: 80 µs at 100 Mbit/s. */
const BYTES = 1000;
const COPY_US = serialisationUs(BYTES, 100);
const FAR = 10_000_000;

function setup(config: Partial<NetworkConfig> = {}) {
  const sched = new Scheduler();
  const net = new Network(sched, Prng.fromSeed(1), {
    latencyMs: { mean: 50, jitter: 0 },
    bandwidthMbps: 100,
    loss: 0,
    ...config,
  });
  const board = new ApprovalBoard(net, Prng.fromSeed(1), actors, (hash) => numbers[hash] ?? 0);
  return { sched, net, board };
}

function assignment(validator: number, tranche = 0): ApprovalItem {
  return { kind: "assignment", validator, candidateIndices: [0], tranche, cert: { validator } };
}

function approval(validator: number): ApprovalItem {
  return {
    kind: "approval",
    validator,
    candidateIndices: [0, 1],
    signature: Uint8Array.of(validator),
  };
}

/** Every receiver's deliveries of `block` by `byUs`, as [item's validator, kind, atUs]. */
function snapshot(board: ApprovalBoard, block: string, order: readonly number[], byUs = FAR) {
  const out = new Map<number, [number, string, number][]>();
  for (const v of order) {
    out.set(
      v,
      delivered(board, v, block, byUs).map((d) => [d.item.validator, d.item.kind, d.atUs]),
    );
  }
  return new Map([...out].sort(([a], [b]) => a - b));
}

describe("ApprovalBoard", () => {
  it("delivers to every other validator after its upload slot and the latency, not before", () => {
    const { net, board } = setup();
    const a = assignment(0);
    const b = approval(0);
    board.publish(0, B1, a, BYTES, 0);
    board.publish(0, B1, b, BYTES, 0);
    for (let v = 1; v < N; v++) {
      const copy = v - 1;
      // Copy `copy` leaves in slot [copy c, (copy+1) c), then 50 ms; the second item's copies
      // queue behind all N-1 copies of the first on the sender's uplink.
      const atA = (copy + 1) * COPY_US + 50_000;
      const atB = (N - 1 + copy + 1) * COPY_US + 50_000;
      expect(delivered(board, v, B1, atA - 1)).toEqual([]);
      expect(delivered(board, v, B1, atA)).toEqual([{ item: a, atUs: atA }]);
      expect(delivered(board, v, B1, atB)).toEqual([
        { item: a, atUs: atA },
        { item: b, atUs: atB },
      ]);
    }
    // The sender holds its own items from their publication.
    expect(delivered(board, 0, B1, 0)).toEqual([
      { item: a, atUs: 0 },
      { item: b, atUs: 0 },
    ]);
    // Its uplink paid for N-1 copies of each, at once.
    const sent = net.traffic(actors[0]!);
    expect(sent.messagesSent).toBe(2 * (N - 1));
    expect(sent.bytesSent).toBe(2 * (N - 1) * BYTES);
    expect(net.traffic(actors[1]!).messagesSent).toBe(0);
  });

  it("with loss 1 only the sender's own items are delivered, and the upload is still paid", () => {
    const { net, board } = setup({ loss: 1 });
    board.publish(3, B1, assignment(3), BYTES, 0);
    for (let v = 0; v < N; v++) {
      expect(delivered(board, v, B1, FAR)).toHaveLength(v === 3 ? 1 : 0);
    }
    expect(net.traffic(actors[3]!).bytesSent).toBe((N - 1) * BYTES);
  });

  it("is deterministic whatever the order and number of queries", () => {
    const lossy = { latencyMs: { mean: 50, jitter: 20 }, loss: 0.3 };
    const publishAll = (board: ApprovalBoard) => {
      for (let v = 0; v < 6; v++) board.publish(v, B1, assignment(v, v % 3), BYTES, 0);
      for (let v = 2; v < 5; v++) board.publish(v, B1, approval(v), BYTES, 0);
    };
    const x = setup(lossy);
    const y = setup(lossy);
    publishAll(x.board);
    publishAll(y.board);
    const ordered = Array.from({ length: N }, (_, v) => v);
    // y asks in another order, several times, and at intermediate times first.
    for (const byUs of [40_000, 55_000, 70_000]) snapshot(y.board, B1, [9, 3, 7], byUs);
    const first = snapshot(x.board, B1, ordered);
    const second = snapshot(y.board, B1, [...ordered].reverse());
    expect(second).toEqual(first);
    expect(snapshot(y.board, B1, ordered)).toEqual(first);
    // The lossy network lost some copies and delivered others, with different latencies.
    const counts = [...first.values()].map((d) => d.length);
    expect(Math.min(...counts)).toBeLessThan(9);
    expect(Math.max(...counts)).toBeGreaterThan(0);
    // Each answer is in arrival order, and an earlier `byUs` gives a prefix of it.
    for (const [v, d] of first) {
      const times = d.map(([, , at]) => at);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      const early = delivered(x.board, v, B1, 60_000).map((e) => e.atUs);
      expect(early).toEqual(times.filter((t) => t <= 60_000));
    }
    expect(new Set([...first.values()].flat().map(([, , at]) => at)).size).toBeGreaterThan(10);
  });

  it("a receiver's arrivals do not change when another asks first or more items come later", () => {
    const lossy = { latencyMs: { mean: 50, jitter: 20 }, loss: 0.2 };
    // x: receiver 5 asks after the first two items, before the others are published.
    const x = setup(lossy);
    x.board.publish(0, B1, assignment(0), BYTES, 0);
    x.board.publish(1, B1, assignment(1), BYTES, 0);
    const early = delivered(x.board, 5, B1, FAR);
    x.sched.runUntil(1_000_000);
    x.board.publish(2, B1, approval(2), BYTES, 1_000_000);
    x.board.publish(0, B1, approval(0), BYTES, 1_000_000);
    const late = delivered(x.board, 5, B1, FAR);
    // y: the same publications; receiver 7 asks first, receiver 5 only at the end.
    const y = setup(lossy);
    y.board.publish(0, B1, assignment(0), BYTES, 0);
    y.board.publish(1, B1, assignment(1), BYTES, 0);
    y.sched.runUntil(1_000_000);
    y.board.publish(2, B1, approval(2), BYTES, 1_000_000);
    y.board.publish(0, B1, approval(0), BYTES, 1_000_000);
    delivered(y.board, 7, B1, FAR);
    const only = delivered(y.board, 5, B1, FAR);
    expect(only).toEqual(late);
    // The items asked for early kept their arrival times once more were published.
    expect(late.slice(0, early.length)).toEqual(early);
    expect(early.length).toBeGreaterThan(0);
    expect(late.length).toBeGreaterThan(early.length);
    // Receivers draw their own latencies: the first item (validator 0's, upload from 0) reaches
    // receiver v at (v - 1 + 1) copy slots plus v's latency.
    const latencies = new Set<number>();
    for (let v = 1; v < N; v++) {
      const first = delivered(y.board, v, B1, FAR).find(
        (d) => d.item.kind === "assignment" && d.item.validator === 0,
      );
      if (first !== undefined) latencies.add(first.atUs - v * COPY_US);
    }
    expect(latencies.size).toBeGreaterThan(1);
  });

  it("forgets blocks more than keepBlocks below the given number", () => {
    const { board } = setup();
    board.publish(0, B1, assignment(0), BYTES, 0);
    board.publish(0, B2, assignment(0), BYTES, 0);
    expect(delivered(board, 1, B1, FAR)).toHaveLength(1);
    board.prune(4, 2); // keeps blocks numbered 2 and above
    expect(delivered(board, 1, B1, FAR)).toEqual([]);
    expect(delivered(board, 1, B2, FAR)).toHaveLength(1);
  });

  it("refuses an item published by another validator than its own", () => {
    const { board } = setup();
    expect(() => board.publish(1, B1, assignment(2), BYTES, 0)).toThrow(/validator 1 publishes/);
    expect(() => delivered(board, N, B1, FAR)).toThrow(/no validator/);
  });

  it("a resend brings lost copies to those who lost them, once; duplicates are dropped", () => {
    const { sched, board } = setup({ loss: 0.5 });
    for (let v = 0; v < N; v++) board.publish(v, B1, assignment(v), BYTES, 0);
    const before = snapshot(
      board,
      B1,
      actors.map((_, i) => i),
    );
    const lostBefore = [...before.values()].reduce((s, l) => s + (N - l.length), 0);
    expect(lostBefore).toBeGreaterThan(0);
    sched.runUntil(1_000_000);
    board.resend(B1);
    const after = snapshot(
      board,
      B1,
      actors.map((_, i) => i),
    );
    let recovered = 0;
    for (const [v, list] of after) {
      // What arrived before is kept as it was; each item at most once.
      expect(list.filter((d) => d[2] < 1_000_000)).toEqual(before.get(v));
      expect(new Set(list.map((d) => d[0])).size).toBe(list.length);
      recovered += list.length - before.get(v)!.length;
      for (const d of list.slice(before.get(v)!.length)) expect(d[2]).toBeGreaterThan(1_000_000);
    }
    expect(recovered).toBeGreaterThan(0);
    // The same whoever asks first (the draws are keyed by item and round).
    const { sched: sched2, board: other } = setup({ loss: 0.5 });
    for (let v = 0; v < N; v++) other.publish(v, B1, assignment(v), BYTES, 0);
    sched2.runUntil(1_000_000);
    other.resend(B1);
    expect(snapshot(other, B1, [9, 3, 0, 1, 2, 4, 5, 6, 7, 8])).toEqual(after);
  });

  it("copyArrival is the arrival each receiver's inbox has for that item, resends included", () => {
    const { sched, board } = setup({ loss: 0.4, latencyMs: { mean: 50, jitter: 20 } });
    for (let v = 0; v < N; v++) board.publish(v, B1, assignment(v), BYTES, 0);
    sched.runUntil(1_000_000);
    board.resend(B1);
    const published = board.publishedInbox(B1);
    expect(published.items.map((i) => i.validator)).toEqual(actors.map((_, i) => i));
    expect(published.atUs).toEqual(actors.map(() => 0));
    let lostTwice = 0;
    let viaResend = 0;
    for (let to = 0; to < N; to++) {
      const inbox = delivered(board, to, B1, FAR);
      for (let k = 0; k < N; k++) {
        const got = inbox.find((d) => d.item.validator === k);
        const at = board.copyArrival(to, B1, k);
        expect(at, `item ${k} at ${to}`).toBe(got?.atUs ?? null);
        if (at === null) lostTwice++;
        else if (at > 1_000_000) viaResend++;
      }
    }
    // The draws reach every case: first copy, resent copy, lost in both rounds.
    expect(viaResend).toBeGreaterThan(0);
    expect(lostTwice).toBeGreaterThan(0);
    expect(board.copyArrival(3, B1, 3)).toBe(0); // my own item: at its publication
    expect(board.copyArrival(3, B2, 0)).toBeNull(); // nothing published there
  });
});
