/**
 * Port of the unit tests of polkadot/node/subsystem-util/src/inclusion_emulator/mod.rs (Rust
 * names kept), plus error-order tests and the associativity property of `stack`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Constraints as C,
  ConstraintModifications,
  type Constraints,
  Fragment,
  type HrmpWatermarkUpdate,
  hypotheticalAsPotential,
  type ModificationError,
  modificationsEqual,
  type ProspectiveCandidate,
  type RelayChainBlockInfo,
  validateCommitments,
} from "../../src/emulator/inclusion-emulator.ts";
import { repeatByte, toHex } from "../../src/lib/hex.ts";
import type { CandidateCommitments } from "../../src/primitives/codecs.ts";
import { hashBytes, hashHex } from "../../src/primitives/hashing.ts";

const identity = ConstraintModifications.identity;

function mods(over: Partial<ConstraintModifications>): ConstraintModifications {
  return { ...identity(), ...over };
}

function makeConstraints(over: Partial<Constraints> = {}): Constraints {
  return {
    minRelayParentNumber: 5,
    maxPovSize: 1000,
    maxCodeSize: 1000,
    umpRemaining: 10,
    umpRemainingBytes: 1024,
    maxUmpNumPerCandidate: 5,
    dmpRemainingMessages: [],
    hrmpInbound: { validWatermarks: [6, 8] },
    hrmpChannelsOut: new Map([
      [1, { messagesRemaining: 5, bytesRemaining: 512 }],
      [2, { messagesRemaining: 10, bytesRemaining: 1024 }],
      [3, { messagesRemaining: 1, bytesRemaining: 128 }],
    ]),
    maxHrmpNumPerCandidate: 5,
    requiredParent: "0x010203",
    validationCodeHash: hashBytes(new Uint8Array([4, 5, 6])),
    upgradeRestriction: null,
    futureValidationCode: null,
    maxHeadDataSize: 1024,
    ...over,
  };
}

function makeCandidate(
  constraints: Constraints,
  relayParent: RelayChainBlockInfo,
): ProspectiveCandidate {
  return {
    commitments: {
      upwardMessages: [],
      horizontalMessages: [],
      newValidationCode: null,
      headData: "0x0102030405",
      processedDownwardMessages: 0,
      hrmpWatermark: relayParent.number,
    },
    persistedValidationData: {
      parentHead: constraints.requiredParent,
      relayParentNumber: relayParent.number,
      relayParentStorageRoot: relayParent.storageRoot,
      maxPovSize: constraints.maxPovSize,
    },
    povHash: repeatByte(1),
    validationCodeHash: constraints.validationCodeHash,
  };
}

function withCommitments(
  c: ProspectiveCandidate,
  over: Partial<ProspectiveCandidate["commitments"]>,
): ProspectiveCandidate {
  return { ...c, commitments: { ...c.commitments, ...over } };
}

const RP6: RelayChainBlockInfo = {
  number: 6,
  hash: repeatByte(0x0a),
  storageRoot: repeatByte(0xff),
};

describe("ConstraintModifications", () => {
  it("stack_modifications", () => {
    const a = mods({
      outboundHrmp: new Map([
        [1, { bytesSubmitted: 100, messagesSubmitted: 5 }],
        [2, { bytesSubmitted: 100, messagesSubmitted: 5 }],
      ]),
      umpMessagesSent: 6,
      umpBytesSent: 1000,
      dmpMessagesProcessed: 5,
      codeUpgradeApplied: true,
    });
    const b = mods({
      outboundHrmp: new Map([
        [2, { bytesSubmitted: 100, messagesSubmitted: 5 }],
        [3, { bytesSubmitted: 100, messagesSubmitted: 5 }],
      ]),
      umpMessagesSent: 6,
      umpBytesSent: 1000,
      dmpMessagesProcessed: 5,
      codeUpgradeApplied: true,
    });
    const c = ConstraintModifications.stacked(a, b);
    const expected = mods({
      outboundHrmp: new Map([
        [1, { bytesSubmitted: 100, messagesSubmitted: 5 }],
        [2, { bytesSubmitted: 200, messagesSubmitted: 10 }],
        [3, { bytesSubmitted: 100, messagesSubmitted: 5 }],
      ]),
      umpMessagesSent: 12,
      umpBytesSent: 2000,
      dmpMessagesProcessed: 10,
      codeUpgradeApplied: true,
    });
    expect(modificationsEqual(c, expected)).toBe(true);
    const d = ConstraintModifications.stackAll([a, b]);
    expect(modificationsEqual(c, d)).toBe(true);
    // Stacking returns a new value: the operands are untouched.
    expect(a.outboundHrmp.get(2)).toEqual({ bytesSubmitted: 100, messagesSubmitted: 5 });
    expect(a.umpMessagesSent).toBe(6);
  });

  it("stack overwrites required parent and watermark only when the top has one", () => {
    const base = mods({ requiredParent: "0x01", hrmpWatermark: { kind: "Head", watermark: 3 } });
    expect(ConstraintModifications.stacked(base, identity())).toEqual(base);
    const top = mods({ requiredParent: "0x02", hrmpWatermark: { kind: "Trunk", watermark: 4 } });
    const s = ConstraintModifications.stacked(base, top);
    expect(s.requiredParent).toBe("0x02");
    expect(s.hrmpWatermark).toEqual({ kind: "Trunk", watermark: 4 });
  });
});

describe("Constraints.checkModifications / applyModifications", () => {
  it("constraints_check_trunk_watermark", () => {
    const constraints = makeConstraints();
    const trunk = (w: number) => mods({ hrmpWatermark: { kind: "Trunk", watermark: w } });

    // The current hrmp watermark is kept.
    expect(C.checkModifications(constraints, trunk(6)).ok).toBe(true);
    const kept = C.applyModifications(constraints, trunk(6));
    expect(kept.ok && kept.value.hrmpInbound.validWatermarks).toEqual([6, 8]);

    const disallowed = { ok: false, error: { code: "DisallowedHrmpWatermark", watermark: 7 } };
    expect(C.checkModifications(constraints, trunk(7))).toEqual(disallowed);
    expect(C.applyModifications(constraints, trunk(7))).toEqual(disallowed);

    expect(C.checkModifications(constraints, trunk(8)).ok).toBe(true);
    const advanced = C.applyModifications(constraints, trunk(8));
    expect(advanced.ok && advanced.value.hrmpInbound.validWatermarks).toEqual([8]);
  });

  it("constraints_check_head_watermark", () => {
    const constraints = makeConstraints();
    const head = (w: number) => mods({ hrmpWatermark: { kind: "Head", watermark: w } });
    expect(C.checkModifications(constraints, head(5)).ok).toBe(true);
    const below = C.applyModifications(constraints, head(5));
    expect(below.ok && below.value.hrmpInbound.validWatermarks).toEqual([6, 8]);

    expect(C.checkModifications(constraints, head(7)).ok).toBe(true);
    const between = C.applyModifications(constraints, head(7));
    expect(between.ok && between.value.hrmpInbound.validWatermarks).toEqual([8]);

    const above = C.applyModifications(constraints, head(9));
    expect(above.ok && above.value.hrmpInbound.validWatermarks).toEqual([]);
  });

  const errorCases: { name: string; mods: ConstraintModifications; error: ModificationError }[] = [
    {
      name: "constraints_no_such_hrmp_channel",
      mods: mods({ outboundHrmp: new Map([[100, { bytesSubmitted: 0, messagesSubmitted: 0 }]]) }),
      error: { code: "NoSuchHrmpChannel", paraId: 100 },
    },
    {
      name: "constraints_hrmp_messages_overflow",
      mods: mods({ outboundHrmp: new Map([[1, { bytesSubmitted: 0, messagesSubmitted: 6 }]]) }),
      error: {
        code: "HrmpMessagesOverflow",
        paraId: 1,
        messagesRemaining: 5,
        messagesSubmitted: 6,
      },
    },
    {
      name: "constraints_hrmp_bytes_overflow",
      mods: mods({ outboundHrmp: new Map([[1, { bytesSubmitted: 513, messagesSubmitted: 1 }]]) }),
      error: { code: "HrmpBytesOverflow", paraId: 1, bytesRemaining: 512, bytesSubmitted: 513 },
    },
    {
      name: "constraints_ump_messages_overflow",
      mods: mods({ umpMessagesSent: 11 }),
      error: { code: "UmpMessagesOverflow", messagesRemaining: 10, messagesSubmitted: 11 },
    },
    {
      name: "constraints_ump_bytes_overflow",
      mods: mods({ umpBytesSent: 1025 }),
      error: { code: "UmpBytesOverflow", bytesRemaining: 1024, bytesSubmitted: 1025 },
    },
    {
      name: "constraints_dmp_messages (underflow)",
      mods: mods({ dmpMessagesProcessed: 6 }),
      error: { code: "DmpMessagesUnderflow", messagesRemaining: 0, messagesProcessed: 6 },
    },
    {
      name: "constraints_nonexistent_code_upgrade",
      mods: mods({ codeUpgradeApplied: true }),
      error: { code: "AppliedNonexistentCodeUpgrade" },
    },
    {
      name: "hrmp bytes are checked before messages",
      mods: mods({ outboundHrmp: new Map([[3, { bytesSubmitted: 129, messagesSubmitted: 2 }]]) }),
      error: { code: "HrmpBytesOverflow", paraId: 3, bytesRemaining: 128, bytesSubmitted: 129 },
    },
    {
      name: "watermark is checked before hrmp channels",
      mods: mods({
        hrmpWatermark: { kind: "Trunk", watermark: 7 },
        outboundHrmp: new Map([[100, { bytesSubmitted: 0, messagesSubmitted: 0 }]]),
      }),
      error: { code: "DisallowedHrmpWatermark", watermark: 7 },
    },
    {
      name: "hrmp channels are checked before ump",
      mods: mods({
        umpMessagesSent: 11,
        outboundHrmp: new Map([[100, { bytesSubmitted: 0, messagesSubmitted: 0 }]]),
      }),
      error: { code: "NoSuchHrmpChannel", paraId: 100 },
    },
    {
      name: "ump messages before ump bytes before dmp before code upgrade",
      mods: mods({
        umpMessagesSent: 11,
        umpBytesSent: 2000,
        dmpMessagesProcessed: 1,
        codeUpgradeApplied: true,
      }),
      error: { code: "UmpMessagesOverflow", messagesRemaining: 10, messagesSubmitted: 11 },
    },
    {
      name: "dmp before code upgrade",
      mods: mods({ dmpMessagesProcessed: 1, codeUpgradeApplied: true }),
      error: { code: "DmpMessagesUnderflow", messagesRemaining: 0, messagesProcessed: 1 },
    },
  ];

  it.each(errorCases)("$name", ({ mods: m, error }) => {
    const constraints = makeConstraints();
    expect(C.checkModifications(constraints, m)).toEqual({ ok: false, error });
    expect(C.applyModifications(constraints, m)).toEqual({ ok: false, error });
  });

  it("constraints_dmp_messages", () => {
    const constraints = makeConstraints();
    expect(C.checkModifications(constraints, identity()).ok).toBe(true);
    expect(C.applyModifications(constraints, identity()).ok).toBe(true);

    const withQueue = makeConstraints({ dmpRemainingMessages: [1, 4, 8, 10] });
    const m = mods({ dmpMessagesProcessed: 2 });
    expect(C.checkModifications(withQueue, m).ok).toBe(true);
    const applied = C.applyModifications(withQueue, m);
    expect(applied.ok && applied.value.dmpRemainingMessages).toEqual([8, 10]);
  });

  it("apply subtracts hrmp and ump usage and applies a code upgrade", () => {
    const constraints = makeConstraints({ futureValidationCode: [7, repeatByte(0x77)] });
    const applied = C.applyModifications(
      constraints,
      mods({
        requiredParent: "0xaa",
        outboundHrmp: new Map([[2, { bytesSubmitted: 24, messagesSubmitted: 3 }]]),
        umpMessagesSent: 4,
        umpBytesSent: 24,
        codeUpgradeApplied: true,
      }),
    );
    expect(applied.ok).toBe(true);
    if (!applied.ok) return;
    expect(applied.value.requiredParent).toBe("0xaa");
    expect(applied.value.hrmpChannelsOut.get(2)).toEqual({
      bytesRemaining: 1000,
      messagesRemaining: 7,
    });
    expect(applied.value.hrmpChannelsOut.get(1)).toEqual({
      bytesRemaining: 512,
      messagesRemaining: 5,
    });
    expect(applied.value.umpRemaining).toBe(6);
    expect(applied.value.umpRemainingBytes).toBe(1000);
    expect(applied.value.validationCodeHash).toBe(repeatByte(0x77));
    expect(applied.value.futureValidationCode).toBeNull();
    // Not modified: min relay parent, sizes, restriction. The input is untouched.
    expect(applied.value.minRelayParentNumber).toBe(5);
    expect(constraints.hrmpChannelsOut.get(2)?.bytesRemaining).toBe(1024);
    expect(constraints.futureValidationCode).not.toBeNull();
  });
});

describe("Fragment", () => {
  it("fragment_validation_code_mismatch", () => {
    const constraints = makeConstraints();
    const gotCode = hashBytes(new Uint8Array([9, 9, 9]));
    const candidate = { ...makeCandidate(constraints, RP6), validationCodeHash: gotCode };
    expect(Fragment.new(RP6, constraints, candidate)).toEqual({
      ok: false,
      error: {
        code: "ValidationCodeMismatch",
        expected: constraints.validationCodeHash,
        got: gotCode,
      },
    });
  });

  it("fragment_pvd_mismatch", () => {
    const relayParentB: RelayChainBlockInfo = {
      number: 6,
      hash: repeatByte(0x0b),
      storageRoot: repeatByte(0xee),
    };
    const constraints = makeConstraints();
    const candidate = makeCandidate(constraints, RP6);
    expect(Fragment.new(relayParentB, constraints, candidate)).toEqual({
      ok: false,
      error: {
        code: "PersistedValidationDataMismatch",
        expected: {
          parentHead: constraints.requiredParent,
          relayParentNumber: 6,
          relayParentStorageRoot: repeatByte(0xee),
          maxPovSize: 1000,
        },
        got: candidate.persistedValidationData,
      },
    });
  });

  it("fragment_code_size_too_large", () => {
    const constraints = makeConstraints();
    const candidate = withCommitments(makeCandidate(constraints, RP6), {
      newValidationCode: new Uint8Array(1001),
    });
    expect(Fragment.new(RP6, constraints, candidate)).toEqual({
      ok: false,
      error: { code: "CodeSizeTooLarge", max: 1000, size: 1001 },
    });
  });

  it("ump_signals_ignored", () => {
    const rp: RelayChainBlockInfo = {
      number: 6,
      hash: repeatByte(0xbe),
      storageRoot: repeatByte(0xff),
    };
    const constraints = makeConstraints();
    const user = Array.from({ length: 5 }, (_, i) => new Uint8Array([i]));
    // The separator, then UMPSignal::SelectCore(CoreSelector(0), ClaimQueueOffset(1)).
    const signals = [new Uint8Array(0), new Uint8Array([0, 0, 1])];
    const candidate = withCommitments(makeCandidate(constraints, rp), {
      upwardMessages: [...user, ...signals],
    });
    const f = Fragment.new(rp, constraints, candidate);
    expect(f.ok).toBe(true);
    expect(f.ok && f.value.modifications.umpMessagesSent).toBe(5);
    expect(f.ok && f.value.modifications.umpBytesSent).toBe(5);
  });

  it("fragment_relay_parent_too_old", () => {
    const rp: RelayChainBlockInfo = {
      number: 3,
      hash: repeatByte(0x0a),
      storageRoot: repeatByte(0xff),
    };
    const constraints = makeConstraints();
    expect(Fragment.new(rp, constraints, makeCandidate(constraints, rp))).toEqual({
      ok: false,
      error: { code: "RelayParentTooOld", minRelayParentNumber: 5, relayParentNumber: 3 },
    });
  });

  it("fragment_hrmp_messages_overflow", () => {
    const constraints = makeConstraints();
    const candidate = withCommitments(makeCandidate(constraints, RP6), {
      horizontalMessages: Array.from({ length: 6 }, (_, i) => ({
        recipient: i,
        data: new Uint8Array([1, 2, 3]),
      })),
    });
    expect(Fragment.new(RP6, constraints, candidate)).toEqual({
      ok: false,
      error: { code: "HrmpMessagesPerCandidateOverflow", messagesAllowed: 5, messagesSubmitted: 6 },
    });
  });

  it("fragment_dmp_advancement_rule", () => {
    const base = makeConstraints();
    const candidate = makeCandidate(base, RP6);
    // Empty dmp queue is ok.
    expect(Fragment.new(RP6, base, candidate).ok).toBe(true);
    // Unprocessed message that was sent later is ok.
    expect(Fragment.new(RP6, makeConstraints({ dmpRemainingMessages: [7] }), candidate).ok).toBe(
      true,
    );
    for (let blockNumber = 0; blockNumber <= RP6.number; blockNumber++) {
      const constraints = makeConstraints({ dmpRemainingMessages: [blockNumber] });
      expect(Fragment.new(RP6, constraints, candidate)).toEqual({
        ok: false,
        error: { code: "DmpAdvancementRule" },
      });
    }
    const processing = withCommitments(candidate, { processedDownwardMessages: 1 });
    expect(Fragment.new(RP6, makeConstraints({ dmpRemainingMessages: [6] }), processing).ok).toBe(
      true,
    );
  });

  it("fragment_ump_messages_overflow", () => {
    const constraints = makeConstraints();
    const candidate = withCommitments(makeCandidate(constraints, RP6), {
      upwardMessages: Array.from({ length: 6 }, (_, i) => new Uint8Array([i])),
    });
    expect(Fragment.new(RP6, constraints, candidate)).toEqual({
      ok: false,
      error: { code: "UmpMessagesPerCandidateOverflow", messagesAllowed: 5, messagesSubmitted: 6 },
    });
  });

  it("ump overflow reports the raw length, signals included (quirk)", () => {
    const constraints = makeConstraints();
    const candidate = withCommitments(makeCandidate(constraints, RP6), {
      upwardMessages: [
        ...Array.from({ length: 6 }, (_, i) => new Uint8Array([i])),
        new Uint8Array(0),
        new Uint8Array([0, 0, 1]),
      ],
    });
    expect(Fragment.new(RP6, constraints, candidate)).toEqual({
      ok: false,
      error: { code: "UmpMessagesPerCandidateOverflow", messagesAllowed: 5, messagesSubmitted: 8 },
    });
  });

  it("fragment_code_upgrade_restricted", () => {
    const constraints = makeConstraints({ upgradeRestriction: "Present" });
    const candidate = withCommitments(makeCandidate(constraints, RP6), {
      newValidationCode: new Uint8Array([1, 2, 3]),
    });
    expect(Fragment.new(RP6, constraints, candidate)).toEqual({
      ok: false,
      error: { code: "CodeUpgradeRestricted" },
    });
  });

  it("fragment_hrmp_messages_descending_or_duplicate", () => {
    const constraints = makeConstraints();
    const msg = (recipient: number) => ({ recipient, data: new Uint8Array([1, 2, 3]) });
    for (const horizontalMessages of [
      [msg(0), msg(0)],
      [msg(1), msg(0)],
    ]) {
      const candidate = withCommitments(makeCandidate(constraints, RP6), { horizontalMessages });
      expect(Fragment.new(RP6, constraints, candidate)).toEqual({
        ok: false,
        error: { code: "HrmpMessagesDescendingOrDuplicate", index: 1 },
      });
    }
  });

  it("head_data_size_too_large", () => {
    const rp: RelayChainBlockInfo = {
      number: 6,
      hash: repeatByte(0xcc),
      storageRoot: repeatByte(0xff),
    };
    const constraints = makeConstraints();
    const candidate = withCommitments(makeCandidate(constraints, rp), {
      headData: `0x${"00".repeat(1025)}`,
    });
    expect(Fragment.new(rp, constraints, candidate)).toEqual({
      ok: false,
      error: { code: "HeadDataTooLarge", max: 1024, size: 1025 },
    });
  });

  it("outputs are checked last, wrapped in OutputsInvalid", () => {
    const constraints = makeConstraints();
    const candidate = withCommitments(makeCandidate(constraints, RP6), {
      horizontalMessages: [{ recipient: 3, data: new Uint8Array(129) }],
    });
    expect(Fragment.new(RP6, constraints, candidate)).toEqual({
      ok: false,
      error: {
        code: "OutputsInvalid",
        inner: { code: "HrmpBytesOverflow", paraId: 3, bytesRemaining: 128, bytesSubmitted: 129 },
      },
    });
    const trunk = withCommitments(makeCandidate(constraints, RP6), { hrmpWatermark: 5 });
    expect(Fragment.new(RP6, constraints, trunk)).toEqual({
      ok: false,
      error: { code: "OutputsInvalid", inner: { code: "DisallowedHrmpWatermark", watermark: 5 } },
    });
  });

  it("validate_commitments checks in order: code hash, head size, relay parent, restriction, code size, hrmp count", () => {
    const rp: RelayChainBlockInfo = { number: 3, hash: repeatByte(1), storageRoot: repeatByte(2) };
    let constraints = makeConstraints({ upgradeRestriction: "Present" });
    let codeHash = repeatByte(9);
    let commitments: CandidateCommitments = {
      ...makeCandidate(constraints, rp).commitments,
      headData: `0x${"00".repeat(1025)}`,
      newValidationCode: new Uint8Array(1001),
      horizontalMessages: Array.from({ length: 6 }, (_, i) => ({
        recipient: i,
        data: new Uint8Array(1),
      })),
    };
    // Each failure, then the fix that uncovers the next one.
    const order: [string, () => void][] = [
      ["ValidationCodeMismatch", () => (codeHash = constraints.validationCodeHash)],
      ["HeadDataTooLarge", () => (commitments = { ...commitments, headData: "0x01" })],
      ["RelayParentTooOld", () => (constraints = { ...constraints, minRelayParentNumber: 3 })],
      ["CodeUpgradeRestricted", () => (constraints = { ...constraints, upgradeRestriction: null })],
      ["CodeSizeTooLarge", () => (commitments = { ...commitments, newValidationCode: null })],
      [
        "HrmpMessagesPerCandidateOverflow",
        () => (commitments = { ...commitments, horizontalMessages: [] }),
      ],
    ];
    for (const [code, fix] of order) {
      const r = validateCommitments(constraints, rp, commitments, codeHash);
      expect(r.ok ? "ok" : r.error.code).toBe(code);
      fix();
    }
    expect(validateCommitments(constraints, rp, commitments, codeHash).ok).toBe(true);
  });

  it("builds Head and Trunk watermarks and the code upgrade flag", () => {
    const constraints = makeConstraints({ futureValidationCode: [6, repeatByte(0x77)] });
    const candidate = makeCandidate(constraints, RP6);
    const f = Fragment.new(RP6, constraints, candidate);
    expect(f.ok).toBe(true);
    if (!f.ok) return;
    const wm: HrmpWatermarkUpdate | null = f.value.modifications.hrmpWatermark;
    expect(wm).toEqual({ kind: "Head", watermark: 6 });
    expect(f.value.modifications.codeUpgradeApplied).toBe(true);
    expect(f.value.modifications.requiredParent).toBe("0x0102030405");
    const trunk = withCommitments(candidate, { hrmpWatermark: 6 });
    const rp8: RelayChainBlockInfo = { ...RP6, number: 8 };
    const g = Fragment.checkAgainstConstraints(
      rp8,
      constraints,
      trunk.commitments,
      trunk.validationCodeHash,
      { ...trunk.persistedValidationData, relayParentNumber: 8 },
    );
    expect(g.ok && g.value.hrmpWatermark).toEqual({ kind: "Trunk", watermark: 6 });
  });
});

describe("hypotheticalAsPotential", () => {
  it("incomplete candidates know only hash, parent head and relay parent", () => {
    const p = hypotheticalAsPotential({
      kind: "Incomplete",
      candidateHash: repeatByte(1),
      candidatePara: 5,
      parentHeadDataHash: repeatByte(2),
      candidateRelayParent: repeatByte(3),
    });
    expect(p).toEqual({
      candidateHash: repeatByte(1),
      parentHeadDataHash: repeatByte(2),
      outputHeadDataHash: null,
      relayParent: repeatByte(3),
      commitments: null,
      persistedValidationData: null,
      validationCodeHash: null,
    });
  });

  it("complete candidates take the output head from the descriptor's para head", () => {
    const constraints = makeConstraints();
    const candidate = makeCandidate(constraints, RP6);
    const p = hypotheticalAsPotential({
      kind: "Complete",
      candidateHash: repeatByte(1),
      receipt: {
        descriptor: {
          kind: "v1",
          paraId: 5,
          relayParent: RP6.hash,
          collator: repeatByte(0),
          persistedValidationDataHash: repeatByte(0),
          povHash: repeatByte(0),
          erasureRoot: repeatByte(0),
          signature: repeatByte(0, 64),
          paraHead: repeatByte(0x99),
          validationCodeHash: repeatByte(0x42),
        },
        commitments: candidate.commitments,
      },
      persistedValidationData: candidate.persistedValidationData,
    });
    expect(p.outputHeadDataHash).toBe(repeatByte(0x99));
    expect(p.parentHeadDataHash).toBe(hashHex(constraints.requiredParent));
    expect(p.relayParent).toBe(RP6.hash);
    expect(p.validationCodeHash).toBe(repeatByte(0x42));
  });
});

describe("properties", () => {
  const arbMods: fc.Arbitrary<ConstraintModifications> = fc.record({
    requiredParent: fc.option(fc.uint8Array({ minLength: 1, maxLength: 3 }).map(toHex), {
      nil: null,
    }),
    hrmpWatermark: fc.option(
      fc.record({
        kind: fc.constantFrom("Head" as const, "Trunk" as const),
        watermark: fc.nat(20),
      }),
      { nil: null },
    ),
    outboundHrmp: fc
      .array(
        fc.tuple(
          fc.integer({ min: 1, max: 4 }),
          fc.record({ bytesSubmitted: fc.nat(100), messagesSubmitted: fc.nat(5) }),
        ),
        { maxLength: 3 },
      )
      .map((entries) => new Map(entries)),
    umpMessagesSent: fc.nat(10),
    umpBytesSent: fc.nat(1000),
    dmpMessagesProcessed: fc.nat(5),
    codeUpgradeApplied: fc.boolean(),
  });

  it("(d) stacking ConstraintModifications is associative, with the identity as unit", () => {
    const { stacked } = ConstraintModifications;
    fc.assert(
      fc.property(arbMods, arbMods, arbMods, (a, b, c) => {
        const left = stacked(stacked(a, b), c);
        const right = stacked(a, stacked(b, c));
        expect(modificationsEqual(left, right)).toBe(true);
        expect(modificationsEqual(stacked(identity(), a), a)).toBe(true);
        expect(modificationsEqual(stacked(a, identity()), a)).toBe(true);
      }),
    );
  });

  it("applying stacked modifications equals applying them one after the other", () => {
    // Without watermarks or upgrades, which are not additive in the constraints.
    const arbAdditive = arbMods.map((m) => ({
      ...m,
      hrmpWatermark: null,
      codeUpgradeApplied: false,
    }));
    const constraints = makeConstraints({
      hrmpChannelsOut: new Map(
        [1, 2, 3, 4].map((p) => [p, { bytesRemaining: 150, messagesRemaining: 8 }]),
      ),
      umpRemaining: 15,
      umpRemainingBytes: 1500,
      dmpRemainingMessages: [1, 2, 3, 4, 5, 6, 7],
    });
    fc.assert(
      fc.property(arbAdditive, arbAdditive, (a, b) => {
        const both = C.applyModifications(constraints, ConstraintModifications.stacked(a, b));
        const first = C.applyModifications(constraints, a);
        const second = first.ok ? C.applyModifications(first.value, b) : first;
        expect(both.ok).toBe(second.ok);
        if (both.ok && second.ok) expect(both.value).toEqual(second.value);
      }),
    );
  });
});
