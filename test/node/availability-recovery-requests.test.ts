/**
 * Availability recovery's requests as messages: each matched to its response by its id, given up
 * at its timeout, and responses without an id left to availability distribution.
 */
import { describe, expect, it } from "vitest";
import type { ProtocolMessage } from "../../src/actors/protocol.ts";
import { CHUNK_REQUEST_TIMEOUT_US } from "../../src/node/network/availability-distribution/requester.ts";
import {
  FULL_DATA_REQUEST_TIMEOUT_US,
  RecoveryRequests,
} from "../../src/node/network/availability-recovery/requests.ts";

function fakeEnv() {
  const sent: { to: string; msg: ProtocolMessage }[] = [];
  const timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  const env = {
    validatorActors: ["v0", "v1", "v2"],
    send: (to: string, msg: ProtocolMessage) => sent.push({ to, msg }),
    after: (delayUs: number, fn: () => void) => {
      const t = { at: delayUs, fn, cancelled: false };
      timers.push(t);
      return { cancel: () => (t.cancelled = true) };
    },
  };
  const fire = (upTo: number) => {
    for (const t of timers) if (!t.cancelled && t.at <= upTo) (t.cancelled = true), t.fn();
  };
  return { env, sent, fire };
}

const CHUNK = { index: 1, chunk: new Uint8Array([1, 2]), proof: [] };

describe("RecoveryRequests", () => {
  it("sends a chunk request with an id and hands its response to the right caller", () => {
    const { env, sent } = fakeEnv();
    const r = new RecoveryRequests(env);
    const got: unknown[] = [];
    r.network.requestChunk("0xc", 1, 1, (x) => got.push(["a", x]));
    r.network.requestChunk("0xc", 2, 2, (x) => got.push(["b", x]));
    expect(
      sent.map((s) => [s.to, s.msg.type, (s.msg as { requestId?: number }).requestId]),
    ).toEqual([
      ["v1", "ChunkFetchRequest", 1],
      ["v2", "ChunkFetchRequest", 2],
    ]);
    const reply = (requestId: number | undefined, chunk: typeof CHUNK | null) =>
      r.onResponse({
        type: "ChunkFetchResponse",
        candidateHash: "0xc",
        validatorIndex: 1,
        chunk,
        ...(requestId === undefined ? {} : { requestId }),
      });
    expect(reply(undefined, CHUNK)).toBe(false); // distribution's, not ours
    expect(reply(2, null)).toBe(true);
    expect(reply(1, CHUNK)).toBe(true);
    expect(reply(1, CHUNK)).toBe(false); // answered once
    expect(got).toEqual([
      ["b", "NoSuchChunk"],
      ["a", CHUNK],
    ]);
  });

  it("gives a request up at its timeout (1 s for chunks, 1.2 s for full data)", () => {
    const { env, fire } = fakeEnv();
    const r = new RecoveryRequests(env);
    const got: unknown[] = [];
    r.network.requestChunk("0xc", 1, 1, (x) => got.push(["chunk", x]));
    r.network.requestFull("0xc", 0, (x) => got.push(["full", x]));
    fire(CHUNK_REQUEST_TIMEOUT_US);
    expect(got).toEqual([["chunk", null]]);
    fire(FULL_DATA_REQUEST_TIMEOUT_US);
    expect(got).toEqual([
      ["chunk", null],
      ["full", null],
    ]);
    // A late response is not ours any more.
    expect(
      r.onResponse({
        type: "AvailableDataFetchResponse",
        requestId: 2,
        candidateHash: "0xc",
        data: null,
      }),
    ).toBe(false);
  });
});
