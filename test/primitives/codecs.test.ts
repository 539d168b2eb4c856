/**
 * SCALE codecs of src/primitives/codecs.ts: known answers (the shared CD vectors, produced with
 * @polkadot/types) and round trips.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Hex, repeatByte, toHex } from "../../src/lib/hex.ts";
import {
  type CandidateCommitments,
  CandidateCommitments as CandidateCommitmentsCodec,
  type CandidateDescriptor,
  CandidateDescriptor as CandidateDescriptorCodec,
  CandidateDescriptorV1,
  CandidateDescriptorV2,
  CandidateReceipt,
  CommittedCandidateReceipt,
  descriptorVersion,
  HeadData,
  PersistedValidationData,
} from "../../src/primitives/codecs.ts";
import { hashBytes, hashHex } from "../../src/primitives/hashing.ts";

const hexOf = (n: number) =>
  fc.uint8Array({ minLength: n, maxLength: n }).map((b) => toHex(b) as Hex);
const u32 = fc.nat({ max: 4294967295 });

const commitmentsArb: fc.Arbitrary<CandidateCommitments> = fc.record({
  upwardMessages: fc.array(fc.uint8Array({ maxLength: 20 }), { maxLength: 4 }),
  horizontalMessages: fc.array(
    fc.record({ recipient: u32, data: fc.uint8Array({ maxLength: 20 }) }),
    { maxLength: 3 },
  ),
  newValidationCode: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null }),
  headData: fc.uint8Array({ maxLength: 70 }).map(toHex),
  processedDownwardMessages: u32,
  hrmpWatermark: u32,
});

const v2Arb = fc.record({
  paraId: u32,
  relayParent: hexOf(32),
  version: fc.nat({ max: 255 }),
  coreIndex: fc.nat({ max: 65535 }),
  sessionIndex: u32,
  persistedValidationDataHash: hexOf(32),
  povHash: hexOf(32),
  erasureRoot: hexOf(32),
  paraHead: hexOf(32),
  validationCodeHash: hexOf(32),
});

const v1Arb = fc.record({
  paraId: u32,
  relayParent: hexOf(32),
  collator: hexOf(32),
  persistedValidationDataHash: hexOf(32),
  povHash: hexOf(32),
  erasureRoot: hexOf(32),
  signature: hexOf(64),
  paraHead: hexOf(32),
  validationCodeHash: hexOf(32),
});

describe("known encodings (shared CD vectors)", () => {
  it("PersistedValidationData (CD01)", () => {
    const pvd = {
      parentHead:
        "0x3f3191e903e814db7603b34070dda2fd732c9fd8a136325d7058d9c570e89da60b1d13195be468",
      relayParentNumber: 72445,
      relayParentStorageRoot: "0x9720222ce860a0524a745e0d1c5acbc0a0b2eb9fe53374db89d4b378a2a92646",
      maxPovSize: 5242903,
    };
    const enc = PersistedValidationData.enc(pvd);
    expect(toHex(enc)).toBe(
      "0x9c3f3191e903e814db7603b34070dda2fd732c9fd8a136325d7058d9c570e89da60b1d13195be468fd1a01009720222ce860a0524a745e0d1c5acbc0a0b2eb9fe53374db89d4b378a2a9264617005000",
    );
    expect(hashBytes(enc)).toBe(
      "0x66209f04967df764018f973e8e48aa122a77685ddbb3f616598f4ca528c36b35",
    );
    expect(PersistedValidationData.dec(enc)).toEqual(pvd);
  });

  it("CandidateCommitments (CD02)", () => {
    const c: CandidateCommitments = {
      upwardMessages: [],
      horizontalMessages: [],
      newValidationCode: null,
      headData: "0xcd46f552b6a8ef6050",
      processedDownwardMessages: 2,
      hrmpWatermark: 854399,
    };
    expect(toHex(CandidateCommitmentsCodec.enc(c))).toBe(
      "0x00000024cd46f552b6a8ef6050020000007f090d00",
    );
    expect(hashBytes(CandidateCommitmentsCodec.enc(c))).toBe(
      "0xa26dec4721d81d8415e92d53e50c8765f3bde79ed74e11e6fe9c2caabcf8b86c",
    );
  });

  it("HeadData is length-prefixed; HeadData::hash is of the raw bytes (CD07)", () => {
    expect(toHex(HeadData.enc("0x9e0a8e61040bfa"))).toBe("0x1c9e0a8e61040bfa");
    expect(hashHex("0x9e0a8e61040bfa")).toBe(
      "0x7a76a9ea8bcf3dcdc4612a72499605ff36cdd3667ecacab2d4af38ed11c30c31",
    );
  });

  it("a V2 descriptor has its reserved bytes zero and 292 bytes like V1 (CD06)", () => {
    const d = {
      paraId: 3711,
      relayParent: "0x6b550cfc16c617f77cf5e6b9e4b55255d42877202f8d040e1b42721ba31a9011",
      version: 0,
      coreIndex: 49,
      sessionIndex: 12222,
      persistedValidationDataHash:
        "0xe0d3c01cecabfba2a18759e55f11d51a9ac8a2a216b862ffaeefbed9c4f810c2",
      povHash: "0xc43a04619a4fcc0d42953f95080f7d0c6fc6564be40628406b3edd90932ecf4c",
      erasureRoot: "0x78883ff6152545ba76dc4eaae2d75b6191020d6ba541d0b34853e0d50afca3cd",
      paraHead: "0x024e264eeac885e0a4bba05c51ec3b04951e03e1e1f5f34ce0b5404752e99875",
      validationCodeHash: "0x34ff2762d1aa6e3393453d4d3cec3dcfc56a963e42b89a4eabb7d2ec9d12cb03",
    };
    const enc = CandidateDescriptorV2.enc(d);
    expect(enc.length).toBe(292);
    expect(toHex(enc)).toBe(
      "0x7f0e00006b550cfc16c617f77cf5e6b9e4b55255d42877202f8d040e1b42721ba31a9011003100be2f000000000000000000000000000000000000000000000000000000e0d3c01cecabfba2a18759e55f11d51a9ac8a2a216b862ffaeefbed9c4f810c2c43a04619a4fcc0d42953f95080f7d0c6fc6564be40628406b3edd90932ecf4c78883ff6152545ba76dc4eaae2d75b6191020d6ba541d0b34853e0d50afca3cd00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000024e264eeac885e0a4bba05c51ec3b04951e03e1e1f5f34ce0b5404752e9987534ff2762d1aa6e3393453d4d3cec3dcfc56a963e42b89a4eabb7d2ec9d12cb03",
    );
  });
});

describe("descriptor version (CandidateDescriptorV2::version)", () => {
  const base = {
    paraId: 1,
    relayParent: repeatByte(1),
    persistedValidationDataHash: repeatByte(2),
    povHash: repeatByte(3),
    erasureRoot: repeatByte(4),
    paraHead: repeatByte(5),
    validationCodeHash: repeatByte(6),
  };
  const decodeV1 = (collator: Hex, signature: Hex) =>
    CandidateDescriptorCodec.dec(CandidateDescriptorV1.enc({ ...base, collator, signature }));

  it.each([
    ["zero collator and signature: V2", repeatByte(0), repeatByte(0, 64), "v2"],
    ["a non-zero signature: V1", repeatByte(0), repeatByte(1, 64), "v1"],
    ["a non-zero reserved1 byte: V1", `0x${"00".repeat(31)}01`, repeatByte(0, 64), "v1"],
    [
      "zero reserved areas, version byte 1: unknown",
      `0x01${"00".repeat(31)}`,
      repeatByte(0, 64),
      "unknown",
    ],
    [
      "core and session bytes alone keep V2",
      `0x00ffff${"01".repeat(4)}${"00".repeat(25)}`,
      repeatByte(0, 64),
      "v2",
    ],
  ])("%s", (_name, collator, signature, expected) => {
    expect(descriptorVersion(decodeV1(collator, signature))).toBe(expected);
  });
});

describe("round trips (properties)", () => {
  it("CandidateCommitments", () => {
    fc.assert(
      fc.property(commitmentsArb, (c) => {
        expect(CandidateCommitmentsCodec.dec(CandidateCommitmentsCodec.enc(c))).toEqual(c);
      }),
    );
  });

  it("CandidateDescriptor in either layout, and the committed and plain receipts", () => {
    const descriptor: fc.Arbitrary<CandidateDescriptor> = fc.oneof(
      v2Arb.map((d): CandidateDescriptor => ({ kind: "v2", ...d })),
      // A V1 descriptor with a non-zero signature stays V1.
      v1Arb.map(
        (d): CandidateDescriptor => ({
          kind: "v1",
          ...d,
          signature: `0x01${d.signature.slice(4)}`,
        }),
      ),
    );
    fc.assert(
      fc.property(descriptor, commitmentsArb, (d, c) => {
        expect(CandidateDescriptorCodec.dec(CandidateDescriptorCodec.enc(d))).toEqual(d);
        const committed = { descriptor: d, commitments: c };
        expect(CommittedCandidateReceipt.dec(CommittedCandidateReceipt.enc(committed))).toEqual(
          committed,
        );
        const plain = {
          descriptor: d,
          commitmentsHash: hashBytes(CandidateCommitmentsCodec.enc(c)),
        };
        expect(CandidateReceipt.dec(CandidateReceipt.enc(plain))).toEqual(plain);
      }),
    );
  });

  it("a V2 descriptor is the V1 layout with collator = version ++ core ++ session ++ reserved", () => {
    fc.assert(
      fc.property(v2Arb, (d) => {
        const v1 = CandidateDescriptorV1.dec(CandidateDescriptorV2.enc(d));
        const core = d.coreIndex.toString(16).padStart(4, "0");
        const session = d.sessionIndex.toString(16).padStart(8, "0");
        const le = (h: string) => h.match(/../g)!.reverse().join("");
        expect(v1.collator).toBe(
          `0x${d.version.toString(16).padStart(2, "0")}${le(core)}${le(session)}${"00".repeat(25)}`,
        );
        expect(v1.signature).toBe(repeatByte(0, 64));
      }),
    );
  });
});
