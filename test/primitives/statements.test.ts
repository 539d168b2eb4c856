import fc from "fast-check";
import { Struct, u32 } from "scale-ts";
import { describe, expect, it } from "vitest";
import { fromHex, repeatByte, toHex } from "../../src/lib/hex.ts";
import { validatorKeypair } from "../../src/primitives/keys.ts";
import { CRYPTO_KINDS, pureCrypto } from "../../src/primitives/signing.ts";
import {
  approvalVoteMultipleCandidatesSigningPayload,
  approvalVoteSigningPayload,
  attestationSignedPayload,
  attestationStatement,
  bitfieldSigningPayload,
  type CompactStatement,
  CompactStatementCodec,
  decodeBitVec,
  decodeCompactStatement,
  encodeBitVec,
  encodeCompactStatement,
  type SigningContext,
  signBitfield,
  signStatement,
  statementSigningPayload,
  verifyAttestation,
  verifyBitfield,
  verifyStatement,
} from "../../src/primitives/statements.ts";

const H = repeatByte(0xab);
const seconded: CompactStatement = { kind: "Seconded", candidateHash: H };
const valid: CompactStatement = { kind: "Valid", candidateHash: H };
const ctx: SigningContext = { sessionIndex: 0x01020304, parentHash: repeatByte(0xcd) };

describe("CompactStatement", () => {
  it("encodes as BKNG ++ variant (Seconded 1, Valid 2) ++ candidate hash", () => {
    expect(toHex(encodeCompactStatement(seconded))).toBe(`0x424b4e4701${"ab".repeat(32)}`);
    expect(toHex(encodeCompactStatement(valid))).toBe(`0x424b4e4702${"ab".repeat(32)}`);
  });

  it("decodes its encoding and rejects a wrong magic or variant", () => {
    expect(decodeCompactStatement(encodeCompactStatement(valid))).toEqual({
      ok: true,
      value: valid,
    });
    expect(decodeCompactStatement(fromHex(`0x424b4e4801${"ab".repeat(32)}`))).toEqual({
      ok: false,
      error: { code: "InvalidMagic" },
    });
    expect(decodeCompactStatement(fromHex(`0x424b4e4700${"ab".repeat(32)}`))).toEqual({
      ok: false,
      error: { code: "UnknownVariant", index: 0 },
    });
    expect(decodeCompactStatement(fromHex("0x424b4e4701ab"))).toEqual({
      ok: false,
      error: { code: "NotEnoughData" },
    });
  });

  it("composes as a scale-ts codec", () => {
    const Pair = Struct({ statement: CompactStatementCodec, n: u32 });
    const bytes = Pair.enc({ statement: valid, n: 7 });
    expect(toHex(bytes)).toBe(`0x424b4e4702${"ab".repeat(32)}07000000`);
    expect(Pair.dec(bytes)).toEqual({ statement: valid, n: 7 });
  });

  it("signing payload is (statement, context).encode()", () => {
    expect(toHex(statementSigningPayload(seconded, ctx))).toBe(
      `0x424b4e4701${"ab".repeat(32)}04030201${"cd".repeat(32)}`,
    );
  });

  it("ValidityAttestation: Implicit is Seconded, Explicit is Valid", () => {
    const sig = new Uint8Array(64);
    expect(attestationStatement({ kind: "Implicit", signature: sig }, H)).toEqual(seconded);
    expect(attestationStatement({ kind: "Explicit", signature: sig }, H)).toEqual(valid);
    expect(attestationSignedPayload({ kind: "Explicit", signature: sig }, H, ctx)).toEqual(
      statementSigningPayload(valid, ctx),
    );
  });
});

describe.each(CRYPTO_KINDS)("signed statements and bitfields (%s)", (kind) => {
  const crypto = pureCrypto(kind);
  const v0 = validatorKeypair(crypto, 0);
  const v1 = validatorKeypair(crypto, 1);

  it("a statement verifies only with its key, statement kind and context", () => {
    const sig = signStatement(crypto, v0.secretKey, seconded, ctx);
    expect(verifyStatement(crypto, seconded, ctx, sig, v0.publicKey)).toBe(true);
    expect(verifyStatement(crypto, seconded, ctx, sig, v1.publicKey)).toBe(false);
    expect(verifyStatement(crypto, valid, ctx, sig, v0.publicKey)).toBe(false);
    expect(verifyStatement(crypto, seconded, { ...ctx, sessionIndex: 5 }, sig, v0.publicKey)).toBe(
      false,
    );
    expect(
      verifyStatement(crypto, seconded, { ...ctx, parentHash: repeatByte(1) }, sig, v0.publicKey),
    ).toBe(false);
    expect(
      verifyAttestation(crypto, { kind: "Implicit", signature: sig }, H, ctx, v0.publicKey),
    ).toBe(true);
    expect(
      verifyAttestation(crypto, { kind: "Explicit", signature: sig }, H, ctx, v0.publicKey),
    ).toBe(false);
  });

  it("a bitfield verifies only with its key, bits and context", () => {
    const bits = [true, false, true, true];
    const sig = signBitfield(crypto, v1.secretKey, bits, ctx);
    expect(verifyBitfield(crypto, bits, ctx, sig, v1.publicKey)).toBe(true);
    expect(verifyBitfield(crypto, [true, false, true, false], ctx, sig, v1.publicKey)).toBe(false);
    expect(verifyBitfield(crypto, [...bits, false], ctx, sig, v1.publicKey)).toBe(false);
    expect(verifyBitfield(crypto, bits, ctx, sig, v0.publicKey)).toBe(false);
  });
});

describe("AvailabilityBitfield (BitVec<u8, Lsb0>)", () => {
  it.each([
    [[], "0x00"],
    [[true], "0x0401"],
    [[true, false, true], "0x0c05"],
    [[false, false, false, false, false, false, false, false, true], "0x240001"],
    [Array(10).fill(true), "0x28ff03"],
  ])("%j encodes as %s", (bits, hex) => {
    expect(toHex(encodeBitVec(bits))).toBe(hex);
    expect(decodeBitVec(fromHex(hex))).toEqual(bits);
  });

  it("signing payload is (bitfield, context).encode()", () => {
    expect(toHex(bitfieldSigningPayload([true, false, true], ctx))).toBe(
      `0x0c0504030201${"cd".repeat(32)}`,
    );
  });

  it("rejects a truncated bitfield", () => {
    expect(decodeBitVec(fromHex("0x2401"))).toBeNull();
  });

  it("round-trips (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 300 }), (bits) => {
        expect(decodeBitVec(encodeBitVec(bits))).toEqual(bits);
      }),
    );
  });
});

describe("approval votes", () => {
  it("ApprovalVote payload is APPR ++ candidate hash ++ session", () => {
    expect(toHex(approvalVoteSigningPayload(H, 9))).toBe(`0x41505052${"ab".repeat(32)}09000000`);
  });

  it("ApprovalVoteMultipleCandidates: one candidate signs like ApprovalVote, more as a Vec", () => {
    expect(approvalVoteMultipleCandidatesSigningPayload([H], 9)).toEqual(
      approvalVoteSigningPayload(H, 9),
    );
    const H2 = repeatByte(0x01);
    expect(toHex(approvalVoteMultipleCandidatesSigningPayload([H, H2], 9))).toBe(
      `0x4150505208${"ab".repeat(32)}${"01".repeat(32)}09000000`,
    );
  });
});
