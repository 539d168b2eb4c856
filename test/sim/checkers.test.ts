/**
 * The safety checkers must be able to fail: replay a real run's blocks into a fresh checker,
 * tamper with one block, and see the right invariant fire.
 *
 * The second part shows each of the seven invariants of `src/sim/checkers.ts` firing, by name,
 * with its message: a real run (async preset, 10 measured relay blocks) is replayed into a fresh
 * checker with one field of one recorded block changed. For the node/runtime agreement the relay
 * runtime itself is re-run (`applyBlock` on the recorded parent state, which gives back the
 * recorded header when nothing is changed) on a tampered copy of what the author's provisioner
 * offered, so the drops the checker sees are the runtime's own.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { hashHex } from "../../src/primitives/hashing.ts";
import type { ParachainsInherentData } from "../../src/primitives/inherent.ts";
import { validatorKeypair } from "../../src/primitives/keys.ts";
import { pureCrypto } from "../../src/primitives/signing.ts";
import { applyBlock } from "../../src/relay/apply-block.ts";
import type { RelayEvent } from "../../src/relay/state.ts";
import type { RunOutcome } from "../../src/report/run.ts";
import { type BlockObservation, SafetyChecker, type Violation } from "../../src/sim/checkers.ts";
import type { RelayBlockRecord } from "../../src/sim/records.ts";
import type { World } from "../../src/sim/world.ts";
import { run } from "./helpers.ts";

const SMALL_RUN = { preset: "async", relayBlocks: 10 } as const;

function checkerFor(w: World): SafetyChecker {
  const crypto = pureCrypto(w.scenario.crypto);
  return new SafetyChecker({
    config: w.chain.at(0)!.state.config,
    genesisSession: {
      startBlock: 1,
      sessionIndex: 0,
      validatorKeys: Array.from(
        { length: w.scenario.relay.validators },
        (_, i) => validatorKeypair(crypto, i).publicKey,
      ),
    },
    genesisHeads: new Map(w.paras.map((p) => [p.spec.id, p.genesis.headHash])),
    blockFacts: (hash) => w.blocks.get(hash),
    relayNumber: (hash) => w.chain.header(hash)?.number,
    verify: (m, sig, k) => crypto.verify(m, sig, k),
  });
}

function replay(tamper: (b: RelayBlockRecord, i: number) => RelayBlockRecord) {
  const w = run(SMALL_RUN, true).world;
  const checker = checkerFor(w);
  for (const [i, b] of w.relayBlocks.entries()) checker.onBlock(tamper(b, i));
  return checker.violations.map((v) => v.invariant);
}

describe("safety checkers", () => {
  it("accept an untampered run", () => {
    expect(replay((b) => b)).toEqual([]);
  });

  it("catch a candidate included without availability", () => {
    const v = replay((b) => ({ ...b, accepted: { ...b.accepted, bitfields: [] } }));
    expect(v).toContain("available");
  });

  it("count only correctly signed bitfields, and flag a block that carries a badly signed one", () => {
    // Every bitfield's signature broken: none counts for availability (`available`), and each
    // is one the runtime's sanitising must have dropped (`bitfield-threshold`).
    const v = replay((b) => ({
      ...b,
      accepted: {
        ...b.accepted,
        bitfields: b.accepted.bitfields.map((bf) => ({
          ...bf,
          signature: bf.signature.map((x, i) => (i === 0 ? x ^ 1 : x)),
        })),
      },
    }));
    expect(v).toContain("bitfield-threshold");
    expect(v).toContain("available");
  });

  it("count one vote per validator: a bitfield repeated is flagged and not counted twice", () => {
    const v = replay((b) => ({
      ...b,
      accepted: {
        ...b.accepted,
        bitfields: b.accepted.bitfields.flatMap((bf) => [bf, bf]),
      },
    }));
    expect(v).toContain("bitfield-threshold");
    expect(v).not.toContain("available");
  });

  it("catch a candidate included twice", () => {
    const v = replay((b) => ({
      ...b,
      events: [...b.events, ...b.events.filter((e) => e.kind === "CandidateIncluded")],
    }));
    expect(v).toContain("included-twice");
  });

  it("catch a candidate backed with too few votes", () => {
    const v = replay((b) => ({
      ...b,
      accepted: {
        ...b.accepted,
        backedCandidates: b.accepted.backedCandidates.map((c) => ({
          ...c,
          validityVotes: c.validityVotes.slice(0, 1),
          validatorIndices: c.validatorIndices.map(
            (bit, i) => bit && i === c.validatorIndices.indexOf(true),
          ),
        })),
      },
    }));
    expect(v).toContain("backed-by-group");
  });

  it("catch included heads that do not chain", () => {
    let dropped = false;
    const v = replay((b) => {
      if (dropped || !b.events.some((e) => e.kind === "CandidateIncluded")) return b;
      dropped = true;
      return { ...b, events: b.events.filter((e) => e.kind !== "CandidateIncluded") };
    });
    expect(v).toContain("heads-chain");
  });
});

// ---------------------------------------------------------------------------------------------
// Each invariant, by name: one tampered field of one real block.
// ---------------------------------------------------------------------------------------------

type CandidateEvent = Exclude<RelayEvent, { kind: "UpwardMessagesReceived" }>;
type BackedEvent = Extract<RelayEvent, { kind: "CandidateBacked" }>;
type IncludedEvent = Extract<RelayEvent, { kind: "CandidateIncluded" }>;

/** What a fresh checker finds in the real run's blocks up to block `last`, one replaced. */
function violations(
  w: World,
  last: number,
  replace?: { readonly number: number; readonly with: BlockObservation },
): Violation[] {
  const checker = checkerFor(w);
  for (const b of w.relayBlocks) {
    if (b.header.number > last) break;
    checker.onBlock(b.header.number === replace?.number ? replace.with : b);
  }
  return checker.violations;
}

const backedEvents = (b: RelayBlockRecord) =>
  b.events.filter((e): e is BackedEvent => e.kind === "CandidateBacked");
const includedEvents = (b: RelayBlockRecord) =>
  b.events.filter((e): e is IncludedEvent => e.kind === "CandidateIncluded");

/** The event with its receipt's relay parent replaced. */
function withRelayParent(e: CandidateEvent, relayParent: string): CandidateEvent {
  return {
    ...e,
    receipt: { ...e.receipt, descriptor: { ...e.receipt.descriptor, relayParent } },
  } as CandidateEvent;
}

/** The block with the relay parent of its backed candidate `hash` replaced (in its event). */
function relayParentTampered(
  b: RelayBlockRecord,
  hash: string,
  relayParent: string,
): BlockObservation {
  return {
    ...b,
    events: b.events.map((e) =>
      e.kind === "CandidateBacked" && e.candidateHash === hash
        ? withRelayParent(e, relayParent)
        : e,
    ),
  };
}

/** One vote of the backing group left on every backed candidate (the first voter's). */
function oneVoteEach(inherent: ParachainsInherentData): ParachainsInherentData {
  return {
    ...inherent,
    backedCandidates: inherent.backedCandidates.map((c) => {
      const first = c.validatorIndices.indexOf(true);
      return {
        ...c,
        validityVotes: c.validityVotes.slice(0, 1),
        validatorIndices: c.validatorIndices.map((bit, i) => bit && i === first),
      };
    }),
  };
}

describe("each safety checker fires on a tampered block of a real run", () => {
  let o: RunOutcome;
  let w: World;
  let allowedAncestryLen: number;
  /** The first block that backs a candidate, and that candidate's event. */
  let first: { block: RelayBlockRecord; backed: BackedEvent };
  const relayHash = (n: number) => w.chain.at(n)!.header.hash;
  const rpNumber = (e: CandidateEvent) => w.chain.header(e.receipt.descriptor.relayParent)!.number;
  const block = (n: number) => w.relayBlocks.find((b) => b.header.number === n)!;

  beforeAll(() => {
    o = run(SMALL_RUN, true);
    w = o.world;
    allowedAncestryLen = w.scenario.relay.hostConfiguration.asyncBackingParams.allowedAncestryLen;
    const b = w.relayBlocks.find((r) => backedEvents(r).length > 0)!;
    first = { block: b, backed: backedEvents(b)[0]! };
  }, 120_000);

  it("the run they start from is clean and has what the tampering needs", () => {
    expect(o.report.safety.violations).toEqual([]);
    expect(violations(w, Number.POSITIVE_INFINITY)).toEqual([]);
    // Every candidate is included in the block after the one that backs it.
    const backed = w.relayBlocks.flatMap(backedEvents).length;
    expect(backed).toBeGreaterThanOrEqual(10);
    expect(
      includedEvents(block(first.block.header.number + 1)).map((e) => e.candidateHash),
    ).toEqual([first.backed.candidateHash]);
  });

  it("backed-by-group: a candidate backed by 1 vote of its group, 2 needed", () => {
    const n = first.block.header.number;
    const tampered = { ...first.block, accepted: oneVoteEach(first.block.accepted) };
    expect(violations(w, n, { number: n, with: tampered })).toEqual([
      {
        relayBlock: n,
        invariant: "backed-by-group",
        // The group the runtime assigned (its event) is the one the checker recomputes.
        message: `candidate ${first.backed.candidateHash} of para 2000: 1 votes of group ${first.backed.group}, 2 needed`,
      },
    ]);
  });

  it("backed-by-group: a candidate included that was never backed", () => {
    const n = first.block.header.number;
    const tampered = {
      ...first.block,
      events: first.block.events.filter((e) => e.kind !== "CandidateBacked"),
      accepted: { ...first.block.accepted, backedCandidates: [] },
    };
    expect(violations(w, n + 1, { number: n, with: tampered })).toEqual([
      {
        relayBlock: n + 1,
        invariant: "backed-by-group",
        message: `candidate ${first.backed.candidateHash} of para 2000 included but never backed`,
      },
    ]);
  });

  it("available: a candidate included with one vote fewer than more than 2/3 (exactly that passes)", () => {
    const n = first.block.header.number + 1; // includes the first candidate
    const inclusion = block(n);
    const validators = w.scenario.relay.validators;
    const need = Math.floor((2 * validators) / 3) + 1; // more than 2/3 of 12: 9
    const core = first.backed.core;
    const voting = inclusion.accepted.bitfields.filter((bf) => bf.payload[core]);
    const silent = inclusion.accepted.bitfields.filter((bf) => !bf.payload[core]);
    expect(voting.length).toBeGreaterThanOrEqual(need);
    const keep = (k: number): BlockObservation => ({
      ...inclusion,
      accepted: { ...inclusion.accepted, bitfields: [...silent, ...voting.slice(0, k)] },
    });
    // Exactly the threshold passes; one vote fewer is caught.
    expect(violations(w, n, { number: n, with: keep(need) })).toEqual([]);
    expect(violations(w, n, { number: n, with: keep(need - 1) })).toEqual([
      {
        relayBlock: n,
        invariant: "available",
        message: `candidate ${first.backed.candidateHash} of para 2000: ${need - 1} availability votes, ${need} needed`,
      },
    ]);
  });

  it("heads-chain: an included head no collator authored, and the next head not building on it", () => {
    const n = first.block.header.number + 1;
    const inclusion = block(n);
    const real = includedEvents(inclusion)[0]!;
    const forged = `${real.headData.slice(0, -2)}${real.headData.endsWith("00") ? "01" : "00"}`;
    const tampered = {
      ...inclusion,
      events: inclusion.events.map((e) =>
        e.kind === "CandidateIncluded" && e === real ? { ...e, headData: forged } : e,
      ),
    };
    const next = includedEvents(block(n + 1))[0]!;
    expect(violations(w, n + 1, { number: n, with: tampered })).toEqual([
      {
        relayBlock: n,
        invariant: "heads-chain",
        message: `para 2000: included head ${hashHex(forged)} was never authored`,
      },
      {
        relayBlock: n + 1,
        invariant: "heads-chain",
        message: `para 2000: included head ${hashHex(next.headData)} builds on ${hashHex(real.headData)}, the included head is ${hashHex(forged)}`,
      },
    ]);
  });

  it("relay-parent: a relay parent the chain does not know", () => {
    const n = first.block.header.number;
    const h = first.backed.candidateHash;
    const tampered = relayParentTampered(first.block, h, `0x${"ab".repeat(32)}`);
    expect(violations(w, n, { number: n, with: tampered })).toEqual([
      {
        relayBlock: n,
        invariant: "relay-parent",
        message: `candidate ${h} of para 2000: unknown relay parent`,
      },
    ]);
  });

  it("relay-parent: a relay parent outside the allowed ancestry (a later block)", () => {
    const n = first.block.header.number;
    const h = first.backed.candidateHash;
    const tampered = relayParentTampered(first.block, h, relayHash(n + 1));
    const lo = Math.max(n - 1 - allowedAncestryLen, 0);
    expect(violations(w, n, { number: n, with: tampered })).toEqual([
      {
        relayBlock: n,
        invariant: "relay-parent",
        message: `candidate ${h} of para 2000: relay parent #${n + 1} outside ${lo}..${n - 1}`,
      },
    ]);
  });

  it("relay-parent: a relay parent outside the allowed ancestry (one block too old)", () => {
    // A backing block late enough that the block just below its allowed ancestry exists.
    const b = w.relayBlocks.find(
      (r) => r.header.number - 2 - allowedAncestryLen >= 1 && backedEvents(r).length > 0,
    )!;
    const n = b.header.number;
    const e = backedEvents(b)[0]!;
    const prev = w.relayBlocks
      .filter((r) => r.header.number < n)
      .flatMap(backedEvents)
      .filter((x) => x.paraId === e.paraId)
      .map(rpNumber)
      .at(-1)!;
    const tooOld = n - 2 - allowedAncestryLen;
    const tampered = relayParentTampered(b, e.candidateHash, relayHash(tooOld));
    const expected: Violation[] = [
      {
        relayBlock: n,
        invariant: "relay-parent",
        message: `candidate ${e.candidateHash} of para 2000: relay parent #${tooOld} outside ${n - 1 - allowedAncestryLen}..${n - 1}`,
      },
    ];
    // The predecessor's relay parent lies in the ancestry of an earlier block: it may be newer.
    if (tooOld < prev) {
      expected.push({
        relayBlock: n,
        invariant: "relay-parent",
        message: `candidate ${e.candidateHash} of para 2000: relay parent #${tooOld} before its predecessor's #${prev}`,
      });
    }
    expect(violations(w, n, { number: n, with: tampered })).toEqual(expected);
  });

  it("relay-parent: a relay parent within the ancestry but before its predecessor's", () => {
    // A backing whose predecessor's relay parent p has p - 1 still in the allowed ancestry.
    let found: { b: RelayBlockRecord; e: BackedEvent; prev: number } | undefined;
    let prev: number | undefined;
    for (const r of w.relayBlocks) {
      for (const e of backedEvents(r)) {
        const n = r.header.number;
        if (!found && prev !== undefined && prev - 1 >= n - 1 - allowedAncestryLen) {
          found = { b: r, e, prev };
        }
        prev = rpNumber(e);
      }
    }
    expect(found).toBeDefined();
    const { b, e } = found!;
    const n = b.header.number;
    const earlier = found!.prev - 1;
    const tampered = relayParentTampered(b, e.candidateHash, relayHash(earlier));
    expect(violations(w, n, { number: n, with: tampered })).toEqual([
      {
        relayBlock: n,
        invariant: "relay-parent",
        message: `candidate ${e.candidateHash} of para 2000: relay parent #${earlier} before its predecessor's #${found!.prev}`,
      },
    ]);
  });

  it("included-twice: a candidate included again in a later block", () => {
    const n = first.block.header.number + 2;
    const again = includedEvents(block(n - 1))[0]!;
    expect(again.candidateHash).toBe(first.backed.candidateHash);
    const later = block(n);
    const tampered = { ...later, events: [...later.events, again] };
    expect(violations(w, n, { number: n, with: tampered })).toEqual([
      {
        relayBlock: n,
        invariant: "included-twice",
        message: `candidate ${again.candidateHash} of para 2000`,
      },
      // It is no longer pending availability either.
      {
        relayBlock: n,
        invariant: "backed-by-group",
        message: `candidate ${again.candidateHash} of para 2000 included but never backed`,
      },
    ]);
  });

  describe("node-runtime-agreement, with the relay runtime re-run on the last block", () => {
    let last: RelayBlockRecord;
    let decision: BlockObservation["decision"];
    /** Block `last` applied again by the relay runtime, on what its author offered, tampered. */
    let reapply: (offered: ParachainsInherentData) => ReturnType<typeof applyBlock>;
    const asObservation = (
      r: ReturnType<typeof applyBlock>,
      d: BlockObservation["decision"],
    ): BlockObservation => ({
      header: last.header,
      events: r.events,
      offered: last.offered,
      accepted: r.accepted,
      dropped: r.dropped.candidates,
      decision: d,
    });

    beforeAll(() => {
      last = w.relayBlocks.at(-1)!;
      const n = last.header.number;
      const author = w.validators.find((v) => v.id === last.author)!;
      decision = author.provisioner.lastDecision;
      const parent = w.chain.at(n - 1)!;
      const crypto = pureCrypto(w.scenario.crypto);
      reapply = (offered) =>
        applyBlock(
          parent.state,
          {
            number: n,
            parentHash: parent.header.hash,
            parentStateRoot: parent.header.stateRoot,
            slot: n,
          },
          offered,
          { verify: (m, s, k) => crypto.verify(m, s, k) },
        );
    });

    it("re-running the block untampered gives the recorded block and no violation", () => {
      expect(decision?.blockNumber).toBe(last.header.number);
      expect(decision?.availableCandidates).toHaveLength(1);
      expect(last.offered.backedCandidates).toHaveLength(1);
      const r = reapply(last.offered);
      expect(r.header.hash).toBe(last.header.hash);
      expect(r.dropped.candidates).toEqual([]);
      const n = last.header.number;
      expect(violations(w, n, { number: n, with: asObservation(r, decision) })).toEqual([]);
    });

    it("node-runtime-agreement: the runtime drops a candidate the provisioner offered", () => {
      // Offered with one backing vote: the runtime refuses it (`InsufficientBacking`).
      const r = reapply(oneVoteEach(last.offered));
      const h = backedEvents(last)[0]!.candidateHash;
      const n = last.header.number;
      expect(violations(w, n, { number: n, with: asObservation(r, decision) })).toEqual([
        {
          relayBlock: n,
          invariant: "node-runtime-agreement",
          message: `the runtime dropped candidate ${h} of para 2000 that the provisioner offered: {"code":"InsufficientBacking"}`,
        },
      ]);
    });

    it("node-runtime-agreement: the availability edge is counted, and a violation without the provisioner's 3k >= 2n", () => {
      // 8 of 12 bitfields: the provisioner's 3k >= 2n frees the core (its real decision says
      // the pending candidate is available), the runtime's k >= n - floor((n - 1) / 3) = 9 does
      // not, and drops the new candidate (`ParaNotScheduled`): the documented edge.
      const validators = w.scenario.relay.validators;
      const k = Math.ceil((2 * validators) / 3);
      expect(3 * k).toBeGreaterThanOrEqual(2 * validators);
      expect(k).toBeLessThan(validators - Math.floor((validators - 1) / 3));
      const r = reapply({ ...last.offered, bitfields: last.offered.bitfields.slice(0, k) });
      expect(r.events.map((e) => e.kind)).toEqual([]);
      const h = backedEvents(last)[0]!.candidateHash;
      expect(r.dropped.candidates).toEqual([
        { candidateHash: h, paraId: 2000, stage: "cores", reason: { code: "ParaNotScheduled" } },
      ]);
      const n = last.header.number;
      const checker = checkerFor(w);
      for (const b of w.relayBlocks) {
        checker.onBlock(b === last ? asObservation(r, decision) : b);
      }
      expect(checker.violations).toEqual([]);
      expect(checker.availabilityEdgeDrops).toBe(1);
      // The same drop, without the provisioner having judged the pending candidate available.
      expect(violations(w, n, { number: n, with: asObservation(r, null) })).toEqual([
        {
          relayBlock: n,
          invariant: "node-runtime-agreement",
          message: `the runtime dropped candidate ${h} of para 2000 that the provisioner offered: {"code":"ParaNotScheduled"}`,
        },
      ]);
    });
  });
});
