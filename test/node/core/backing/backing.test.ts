/**
 * End to end on a fake network: backing in one group (validators 0 and 1 back para 2000 on
 * core 0; validators 2 and 3 are the other group). A collator's advertisement leads to the
 * fetch, the validation on the PVF pool, `Seconded` to the other member, its PoV fetch and
 * `Valid`, attestation, `CollationSeconded`, and `BackedCandidate` announcements to the other
 * validators, whose tables and fragment chains then hold the candidate as backed.
 */
import { describe, expect, it } from "vitest";
import { validatorActor } from "../../../../src/actors/protocol.ts";
import { hashHex } from "../../../../src/primitives/hashing.ts";
import { validatorKeypair } from "../../../../src/primitives/keys.ts";
import { noneCrypto } from "../../../../src/primitives/signing.ts";
import { statementSigningPayload } from "../../../../src/primitives/statements.ts";
import { FakeCollator, H0, makeNetwork, OTHER_PARA, PARA } from "../../fake-network.ts";
import { makeCandidate } from "../../fake-relay.ts";

const COLLATOR = "c2000-0";
const v = validatorActor;

function setup(cpuUs = 500_000, backingMs = 2500, lazyAnnouncements = false) {
  const net = makeNetwork({ api: () => ({ backingMs }), lazyAnnouncements });
  const { world, blocks } = net;
  const b1 = blocks[1]!;
  world.announceBlock(b1);
  world.run(100_000);
  const collator = new FakeCollator(COLLATOR, world);
  const c = makeCandidate({
    paraId: PARA,
    relayParent: b1,
    parentHead: H0,
    headData: "0x0b01",
    cpuUs,
  });
  return { ...net, b1, collator, c };
}

describe("backing in one group, end to end", () => {
  it("advertisement -> fetch -> validate -> Seconded -> Valid -> backed everywhere", () => {
    const { world, nodes, b1, collator, c } = setup();
    const t0 = world.time;
    collator.advertise(v(0), c);
    world.run();

    // v0 fetched from the collator that advertised.
    expect(world.messages("CollationFetchRequest").map((m) => [m.from, m.to])).toEqual([
      [v(0), COLLATOR],
    ]);
    // Validation ran on v0's PVF pool for the candidate's CPU time.
    const v0Pvf = world.cpuJobs.filter((j) => j.actor === v(0) && j.pool === "pvf");
    expect(v0Pvf.map((j) => j.costUs)).toEqual([500_000]);
    expect(v0Pvf[0]!.start).toBeGreaterThan(t0);

    // Seconded to the other member of the group only; Valid back from it.
    const statements = world.messages("Statement");
    expect(statements.map((m) => [m.from, m.to, m.msg.statement.statement.kind])).toEqual([
      [v(0), v(1), "Seconded"],
      [v(1), v(0), "Valid"],
    ]);
    // v1 fetched the PoV from the seconder before validating it.
    expect(world.messages("PovFetchRequest").map((m) => [m.from, m.to])).toEqual([[v(1), v(0)]]);
    expect(world.messages("PovFetchResponse")[0]!.msg.pov?.hash).toBe(c.pov.hash);
    const v1Pvf = world.cpuJobs.filter((j) => j.actor === v(1) && j.pool === "pvf");
    expect(v1Pvf.map((j) => j.costUs)).toEqual([500_000]);
    // The Valid statement is sent after v1's validation finished.
    expect(statements[1]!.at).toBe(v1Pvf[0]!.end);

    // The collator is told, once.
    expect(collator.seconded).toEqual([{ from: v(0), candidateHash: c.candidateHash }]);

    // The seconder announces the backed candidate to the validators outside the group.
    const announcements = world.messages("BackedCandidate");
    expect(announcements.map((m) => [m.from, m.to])).toEqual([
      [v(0), v(2)],
      [v(0), v(3)],
    ]);
    expect(announcements[0]!.msg.statements.map((s) => s.statement.kind)).toEqual([
      "Seconded",
      "Valid",
    ]);

    // Everyone's table and fragment chain hold the candidate as backed.
    for (const node of nodes) {
      expect(node.backing.isBacked(b1.hash, c.candidateHash)).toBe(true);
      expect(node.prospectiveParachains.fragmentChain(b1.hash, PARA)?.bestChainVec()).toEqual([
        c.candidateHash,
      ]);
    }
    // Both backers keep the available data (they serve PoVs and chunks).
    expect(nodes[0]!.availabilityStore.availableData(c.candidateHash)?.pov.hash).toBe(c.pov.hash);
    expect(nodes[1]!.availabilityStore.availableData(c.candidateHash)?.pov.hash).toBe(c.pov.hash);
    expect(nodes[2]!.availabilityStore.availableData(c.candidateHash)).toBeUndefined();
  });

  it("a non-backer's provisioner puts the candidate on chain with the group's votes", () => {
    const { world, nodes, b1, collator, c } = setup();
    collator.advertise(v(0), c);
    world.run();
    const inherent = nodes[3]!.provideInherentData(b1);
    expect(inherent.backedCandidates).toHaveLength(1);
    const backed = inherent.backedCandidates[0]!;
    expect(backed.candidate).toBe(c.receipt);
    // Both group members voted (group order), then 8 core-index bits for core 0.
    expect(backed.validatorIndices).toEqual([true, true, ...new Array(8).fill(false)]);
    expect(backed.validityVotes.map((a) => a.kind)).toEqual(["Implicit", "Explicit"]);
    const ctx = { sessionIndex: 1, parentHash: b1.hash };
    const check = (i: number, kind: "Seconded" | "Valid", sig: Uint8Array) =>
      noneCrypto.verify(
        statementSigningPayload({ kind, candidateHash: c.candidateHash }, ctx),
        sig,
        validatorKeypair(noneCrypto, i).publicKey,
      );
    expect(check(0, "Seconded", backed.validityVotes[0]!.signature)).toBe(true);
    expect(check(1, "Valid", backed.validityVotes[1]!.signature)).toBe(true);
    expect(nodes[3]!.provisioner.lastDecision?.backed).toEqual([c.candidateHash]);
  });

  it("does not second a candidate whose validation is slower than the backing timeout", () => {
    const { world, collator, c } = setup(2_500_001, 2500);
    collator.advertise(v(0), c);
    world.run();
    // The worker was busy for the timeout, not longer.
    const v0Pvf = world.cpuJobs.filter((j) => j.actor === v(0) && j.pool === "pvf");
    expect(v0Pvf.map((j) => j.costUs)).toEqual([2_500_000]);
    expect(world.messages("Statement")).toEqual([]);
    expect(collator.seconded).toEqual([]);
    expect(world.messages("BackedCandidate")).toEqual([]);
  });

  it("seconds a candidate whose validation takes exactly the timeout (the rule is strict)", () => {
    const { world, collator, c } = setup(2_500_000, 2500);
    collator.advertise(v(0), c);
    world.run();
    expect(collator.seconded.map((s) => s.from)).toEqual([v(0)]);
  });

  it("refuses a collation whose outputs differ from its receipt", () => {
    const { world, collator, c } = setup();
    const lying = { ...c, pov: { ...c.pov, blockData: { headData: "0x0bff", cpuUs: 1000 } } };
    collator.advertise(v(0), lying);
    world.run();
    expect(world.messages("Statement")).toEqual([]);
    expect(collator.seconded).toEqual([]);
  });

  it("ignores advertisements for another core's para or an unknown relay parent", () => {
    const { world, blocks, collator } = setup();
    const other = makeCandidate({
      paraId: OTHER_PARA,
      relayParent: blocks[1]!,
      parentHead: H0,
      headData: "0x0c01",
    });
    collator.advertise(v(0), other); // para 2001 is on core 1, served by validators 2 and 3
    const future = makeCandidate({
      paraId: PARA,
      relayParent: blocks[3]!, // not imported yet
      parentHead: H0,
      headData: "0x0c02",
    });
    collator.advertise(v(0), future);
    world.run();
    expect(world.messages("CollationFetchRequest")).toEqual([]);
  });

  it("fetches queued collations one after the other, chaining on the previous one", () => {
    const { world, b1, collator, c } = setup();
    const child = makeCandidate({
      paraId: PARA,
      relayParent: b1,
      parentHead: "0x0b01",
      headData: "0x0b02",
    });
    collator.advertise(v(0), c);
    world.run(world.time + 1); // c is being fetched; the child must wait
    collator.offer(child);
    world.send(COLLATOR, v(0), {
      type: "AdvertiseCollation",
      relayParent: b1.hash,
      paraId: PARA,
      candidateHash: child.candidateHash,
      parentHeadDataHash: hashHex("0x0b01"),
    });
    world.run();
    expect(world.messages("CollationFetchRequest").map((m) => m.msg.candidateHash)).toEqual([
      c.candidateHash,
      child.candidateHash,
    ]);
    expect(collator.seconded.map((s) => s.candidateHash)).toEqual([
      c.candidateHash,
      child.candidateHash,
    ]);
  });

  it("drops a statement with a bad signature", () => {
    const { world, nodes, b1, c } = setup();
    world.send(v(1), v(0), {
      type: "Statement",
      relayParent: b1.hash,
      statement: {
        validatorIndex: 1,
        statement: {
          kind: "Seconded",
          candidateHash: c.candidateHash,
          receipt: c.receipt,
          pvd: c.pvd,
        },
        signature: new Uint8Array(64),
      },
    });
    world.run(world.time + 100_000); // before the bitfields (1.5 s after the leaf)
    // The check was charged on v0's main CPU, then the statement was dropped.
    expect(world.cpuJobs.filter((j) => j.actor === v(0) && j.pool === "main")).toHaveLength(1);
    expect(world.messages("PovFetchRequest")).toEqual([]);
    expect(nodes[0]!.backing.statementsOf(b1.hash, c.candidateHash)).toEqual([]);
  });
});

describe("announcements as lazily materialised gossip", () => {
  it("outsiders without a stake in the para get lazy copies, taken in when they read the para", () => {
    const { world, nodes, b1, collator, c } = setup(500_000, 2500, true);
    collator.advertise(v(0), c);
    world.run();
    // No ordinary copies: validators 2 and 3 back the other para, so theirs are lazy.
    expect(world.messages("BackedCandidate")).toEqual([]);
    expect(world.announced.map((a) => [a.from, a.lazyTo])).toEqual([[v(0), [2, 3]]]);
    // Nothing read yet: neither outsider knows the candidate.
    expect(nodes[2]!.backing.isBacked(b1.hash, c.candidateHash)).toBe(false);
    expect(nodes[3]!.backing.isBacked(b1.hash, c.candidateHash)).toBe(false);
    // Validator 3 authors: its provisioner reads the para, so it takes the candidate in.
    const inherent = nodes[3]!.provideInherentData(b1);
    expect(inherent.backedCandidates.map((b) => b.candidate)).toEqual([c.receipt]);
    expect(nodes[3]!.backing.isBacked(b1.hash, c.candidateHash)).toBe(true);
    expect(nodes[2]!.backing.isBacked(b1.hash, c.candidateHash)).toBe(false);
    // Any read of the para's chains does the same for validator 2.
    nodes[2]!.prospectiveAsOfNow.getBackableCandidates(b1.hash, PARA, 1, new Set());
    expect(nodes[2]!.backing.isBacked(b1.hash, c.candidateHash)).toBe(true);
    expect(nodes[2]!.prospectiveParachains.fragmentChain(b1.hash, PARA)?.bestChainVec()).toEqual([
      c.candidateHash,
    ]);
  });

  it("takes in a copy only once delivered and its signatures checked (verifyCostUs each)", () => {
    const { world, nodes, b1, collator, c } = setup(500_000, 2500, true);
    collator.advertise(v(0), c);
    // Run until the announcement is published, then step to just before it is checked.
    for (let t = world.time; world.announced.length === 0 && t < 10_000_000; t += 1_000) {
      world.run(t);
    }
    const published = world.announced[0]!;
    const checkedAt = published.at + world.latencyUs + 2 * world.verifyCostUs; // Seconded + Valid
    const read = () =>
      nodes[3]!.prospectiveAsOfNow.getBackableCandidates(b1.hash, PARA, 1, new Set());
    world.run(checkedAt - 1);
    expect(read()).toEqual([]);
    expect(nodes[3]!.backing.isBacked(b1.hash, c.candidateHash)).toBe(false);
    world.run(checkedAt);
    expect(read().map((b) => b.candidateHash)).toEqual([c.candidateHash]);
  });
});
