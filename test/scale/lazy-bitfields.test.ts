/**
 * Lazily materialised bitfield gossip (`env.bitfieldGossip`, what the simulator provides): a
 * validator publishes its signed bitfield once; a block author's provisioner materialises the
 * copies delivered to it, keeping those delivered after the leaf became active whose signature
 * check (FIFO on its `bitfield-distribution` pool, `verifyCostUs` each) ended before now, with a
 * valid signature. With the same delivery times it selects exactly what the eager path (one
 * message per validator, checked on receipt) selects.
 */
import { describe, expect, it } from "vitest";
import type { BitfieldGossip, BitfieldMessage, LazyDelivery } from "../../src/actors/env.ts";
import { validatorActor } from "../../src/actors/protocol.ts";
import { ValidatorNode } from "../../src/node/validator.ts";
import { makeNetwork, N_VALIDATORS } from "../node/fake-network.ts";

const LATENCY_US = 5_000; // the FakeWorld's fixed latency

/** A network whose validators gossip bitfields through a recording `BitfieldGossip`. */
function lazyNetwork(
  override?: (me: number, relayParent: string) => LazyDelivery<BitfieldMessage>[] | null,
) {
  const net = makeNetwork({ validators: [] });
  const published: { from: number; msg: BitfieldMessage; atUs: number }[] = [];
  const nodes: ValidatorNode[] = [];
  for (let i = 0; i < N_VALIDATORS; i++) {
    const gossip: BitfieldGossip = {
      publish: (msg) => published.push({ from: i, msg, atUs: net.world.time }),
      delivered: (relayParent) =>
        override?.(i, relayParent) ??
        published
          .filter((p) => p.from !== i && p.msg.relayParent === relayParent)
          .map((p, id) => ({
            id,
            from: validatorActor(p.from),
            msg: p.msg,
            deliveredAtUs: p.atUs + LATENCY_US,
          })),
    };
    const node = new ValidatorNode({ ...net.world.validatorEnv(i), bitfieldGossip: gossip });
    nodes[i] = node;
    net.world.actors.set(node.id, node);
  }
  return { ...net, nodes, published };
}

/** Imports B1 and B2 everywhere and lets everyone sign B2's bitfield (1.5 s after import). */
function signB2(net: ReturnType<typeof makeNetwork>) {
  const [, b1, b2] = net.blocks;
  net.world.announceBlock(b1!);
  net.world.run(1_000_000);
  net.world.announceBlock(b2!);
  const importedAt = net.world.time + LATENCY_US;
  net.world.run(net.world.time + 2_000_000);
  return { b2: b2!, importedAt };
}

describe("lazily materialised bitfield gossip", () => {
  it("gives the author the bitfields the eager path gives", () => {
    const eager = makeNetwork();
    const lazy = lazyNetwork();
    const e = signB2(eager);
    const l = signB2(lazy);
    expect(lazy.published).toHaveLength(N_VALIDATORS);
    // Nothing was sent as one message per validator.
    expect(lazy.world.messages("Bitfield")).toHaveLength(0);
    const fromEager = eager.nodes[3]!.provideInherentData(e.b2).bitfields;
    const fromLazy = lazy.nodes[3]!.provideInherentData(l.b2).bitfields;
    expect(fromEager).toHaveLength(N_VALIDATORS);
    expect(fromLazy.map((b) => [b.validatorIndex, b.payload])).toEqual(
      fromEager.map((b) => [b.validatorIndex, b.payload]),
    );
  });

  it("drops copies delivered before the leaf was active, and uses only checks done by now", () => {
    let deliveries: LazyDelivery<BitfieldMessage>[] = [];
    const net = lazyNetwork((me) => (me === 3 ? deliveries : null));
    const { b2, importedAt } = signB2(net);
    const msgOf = (v: number) => net.published.find((p) => p.from === v)!.msg;
    const t = net.world.time + 1_000;
    deliveries = [
      { id: 0, from: validatorActor(0), msg: msgOf(0), deliveredAtUs: importedAt - 1 }, // too early
      { id: 1, from: validatorActor(1), msg: msgOf(1), deliveredAtUs: t },
      { id: 2, from: validatorActor(2), msg: msgOf(2), deliveredAtUs: t },
    ];
    const cost = net.world.verifyCostUs;
    const used = (atUs: number) => {
      net.world.run(atUs);
      return net.nodes[3]!.provideInherentData(b2).bitfields.map((b) => b.validatorIndex);
    };
    // v1's check ends at t + cost, v2's at t + 2 cost (one after the other); 3 is my own.
    expect(used(t + cost)).toEqual([3]);
    expect(used(t + 2 * cost)).toEqual([1, 3]);
    expect(used(t + 2 * cost + 1)).toEqual([1, 2, 3]);
  });

  it("drops a copy with an invalid signature", () => {
    let deliveries: LazyDelivery<BitfieldMessage>[] = [];
    const net = lazyNetwork((me) => (me === 3 ? deliveries : null));
    const { b2 } = signB2(net);
    const msgOf = (v: number) => net.published.find((p) => p.from === v)!.msg;
    const forged: BitfieldMessage = { ...msgOf(1), signature: msgOf(2).signature };
    deliveries = [
      { id: 0, from: validatorActor(1), msg: forged, deliveredAtUs: net.world.time },
      { id: 1, from: validatorActor(2), msg: msgOf(2), deliveredAtUs: net.world.time },
    ];
    net.world.run(net.world.time + 1_000);
    const used = net.nodes[3]!.provideInherentData(b2).bitfields.map((b) => b.validatorIndex);
    expect(used).toEqual([2, 3]);
  });
});
