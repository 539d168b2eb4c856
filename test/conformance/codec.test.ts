import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type JsonObject, Reader } from "../../src/conformance/json.ts";
import { runVector } from "../../src/conformance/runner.ts";
import { codecSuite } from "../../src/conformance/suites/codec.ts";
import { repeatByte } from "../../src/lib/hex.ts";

const suites = new Map([[codecSuite.name, codecSuite]]);
const DIR = join(import.meta.dirname, "../../conformance/shared/vectors/codec");
const shared = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => [f, JSON.parse(readFileSync(join(DIR, f), "utf8"))] as const);

const run = (steps: unknown[]) =>
  runVector({ suite: "codec", name: "t", given: {}, steps }, suites, "t.json");

const v2 = {
  paraId: 1454,
  relayParent: repeatByte(0x9b),
  version: 0,
  coreIndex: 95,
  sessionIndex: 46852,
  persistedValidationDataHash: repeatByte(1),
  povHash: repeatByte(2),
  erasureRoot: repeatByte(3),
  paraHead: repeatByte(4),
  validationCodeHash: repeatByte(5),
};
const commitments = {
  upwardMessages: ["0x01", "0x", "0x000000"],
  horizontalMessages: [{ recipient: 7, data: "0xaa" }],
  newValidationCode: null,
  headData: "0x1234",
  processedDownwardMessages: 1,
  hrmpWatermark: 5,
};

describe("codec suite", () => {
  it("has shared vectors", () => expect(shared.length).toBeGreaterThan(0));

  it.each(shared)("passes %s", (file, vector) => {
    expect(runVector(vector, suites, file)).toMatchObject({ status: "pass" });
  });

  it("reports a FAIL saying what differed when an expectation is wrong", () => {
    for (const [file, vector] of shared) {
      const broken = structuredClone(vector);
      const step = broken.steps[0];
      step.expect = { ok: `${step.expect.ok.slice(0, -2)}ff` };
      const v = runVector(broken, suites, file);
      expect(v.status).toBe("fail");
      expect(v.status === "fail" && v.reason).toContain("steps[0]");
    }
  });

  it("encodes a V2 descriptor with non-zero reserved bytes in the V1 layout", () => {
    const zero = run([{ op: "encode", type: "CandidateDescriptorV2", value: v2, expect: "ok" }]);
    expect(zero.status).toBe("pass");
    // Same bytes as a V1 descriptor whose collator is version ++ core ++ session ++ reserved1.
    const collator = `0x005f00${"04b70000"}${"11".repeat(25)}`;
    const asV1 = {
      paraId: v2.paraId,
      relayParent: v2.relayParent,
      collator,
      persistedValidationDataHash: v2.persistedValidationDataHash,
      povHash: v2.povHash,
      erasureRoot: v2.erasureRoot,
      signature: repeatByte(0x22, 64),
      paraHead: v2.paraHead,
      validationCodeHash: v2.validationCodeHash,
    };
    const viaV1 = run([{ op: "hash", type: "CandidateDescriptor", value: asV1, expect: "ok" }]);
    expect(viaV1.status).toBe("pass");
    const a = runVectorValue("CandidateDescriptor", asV1);
    const b = runVectorValue("CandidateDescriptorV2", {
      ...v2,
      reserved1: `0x${"11".repeat(25)}`,
      reserved2: repeatByte(0x22, 64),
    });
    expect(a).toBe(b);
  });

  it("the candidate hash is the hash of the plain receipt", () => {
    const receipt = { descriptor: { v2 }, commitments };
    const committed = runVectorValue("CommittedCandidateReceipt", receipt);
    const commitmentsHash = runVectorHash("CandidateCommitments", commitments);
    const plainHash = runVectorHash("CandidateReceipt", { descriptor: { v2 }, commitmentsHash });
    expect(committed.length).toBeGreaterThan(0);
    expect(run([{ op: "candidateHash", receipt, expect: { ok: plainHash } }]).status).toBe("pass");
    expect(
      run([
        {
          op: "candidateHash",
          receipt: { descriptor: { v2 }, commitmentsHash },
          expect: { ok: plainHash },
        },
      ]).status,
    ).toBe("pass");
  });

  it("encodes the signing payload types", () => {
    const h = repeatByte(0xab);
    expect(
      run([
        {
          op: "encode",
          type: "CompactStatement",
          value: { kind: "Valid", candidateHash: h },
          expect: { ok: `0x424b4e4702${"ab".repeat(32)}` },
        },
        {
          op: "encode",
          type: "SigningContext",
          value: { sessionIndex: 1, parentHash: h },
          expect: { ok: `0x01000000${"ab".repeat(32)}` },
        },
        {
          op: "encode",
          type: "UMPSignal",
          value: { selectCore: [4, 1] },
          expect: { ok: "0x000401" },
        },
        {
          op: "encode",
          type: "UMPSignal",
          value: { approvedPeer: "0xaa" },
          expect: { ok: "0x0104aa" },
        },
        {
          op: "encode",
          type: "AvailabilityBitfield",
          value: [true, false, true],
          expect: { ok: "0x0c05" },
        },
      ]).status,
    ).toBe("pass");
  });

  it.each([
    [{ op: "encode", type: "Nope", value: {} }, "type"],
    [{ op: "frobnicate" }, "unknown op"],
    [{ op: "encode", type: "HeadData", value: "xyz" }, "value"],
    [
      { op: "encode", type: "PersistedValidationData", value: { parentHead: "0x" } },
      "value.relayParentNumber",
    ],
    [
      {
        op: "encode",
        type: "PersistedValidationData",
        value: {
          parentHead: "0x",
          relayParentNumber: 4294967296,
          relayParentStorageRoot: repeatByte(0),
          maxPovSize: 1,
        },
      },
      "u32",
    ],
    [
      { op: "encode", type: "CandidateDescriptorV2", value: { ...v2, coreIndex: 65536 } },
      "value.coreIndex",
    ],
    [{ op: "candidateHash", receipt: { descriptor: { v3: v2 }, commitments } }, "descriptor"],
    [{ op: "headDataHash", head: 5 }, "head"],
  ])("a malformed step is a vector error (%j)", (step, where) => {
    const v = run([{ ...step, expect: "ok" }]);
    expect(v.status).toBe("error");
    expect(v.status === "error" && v.reason).toContain(where);
  });
});

function opValue(op: string, type: string, value: unknown): string {
  const step = codecSuite.init(new Reader({}, "given"), "2024");
  const out = step(op, new Reader({ op, type, value } as JsonObject, "steps[0]"));
  if (out.kind !== "ok" || typeof out.value !== "string") throw new Error("unexpected outcome");
  return out.value;
}

const runVectorValue = (type: string, value: unknown) => opValue("encode", type, value);
const runVectorHash = (type: string, value: unknown) => opValue("hash", type, value);
