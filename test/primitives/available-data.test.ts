/**
 * The erasure-coding payload (`AvailableData::encode()`), its decoding after a reconstruction
 * (trailing zero padding ignored) and the modelled PoV bytes.
 */
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/lib/hex.ts";
import {
  availableDataPayload,
  decodeAvailableData,
  povBlockData,
} from "../../src/primitives/erasure/available-data.ts";

const PVD = {
  parentHead: "0x0102",
  relayParentNumber: 7,
  relayParentStorageRoot: `0x${"ab".repeat(32)}`,
  maxPovSize: 5 * 1024 * 1024,
};
const pov = (byte: string, sizeBytes: number) => ({ hash: `0x${byte.repeat(32)}`, sizeBytes });

describe("AvailableData payload", () => {
  it("is SCALE: compact-length block data, then the PVD fields in order", () => {
    const p = availableDataPayload(pov("11", 3), PVD);
    const block = povBlockData(pov("11", 3));
    // 3 bytes: compact length 3 << 2 = 0x0c; head data: compact 2 = 0x08, 01 02; u32 LE 7; root; u32 LE max.
    expect(toHex(p)).toBe(
      `0x0c${toHex(block).slice(2)}080102${"07000000"}${"ab".repeat(32)}00005000`,
    );
  });

  it("decodes back, ignoring trailing zero padding as Decode::decode does", () => {
    const p = availableDataPayload(pov("22", 1000), PVD);
    const padded = new Uint8Array(p.length + 37);
    padded.set(p);
    const d = decodeAvailableData(padded);
    expect(d).not.toBeNull();
    expect(d!.validationData).toEqual(PVD);
    expect(toHex(d!.blockData)).toBe(toHex(povBlockData(pov("22", 1000))));
    expect(decodeAvailableData(p.subarray(0, 10))).toBeNull();
  });

  it("PoV bytes: the size asked, the same for the same hash, different for another", () => {
    const a = povBlockData(pov("33", 4097));
    expect(a.length).toBe(4097);
    expect(toHex(povBlockData(pov("33", 4097)))).toBe(toHex(a));
    expect(toHex(povBlockData(pov("34", 4097)))).not.toBe(toHex(a));
    // A keystream, not zeros or a repeated byte.
    expect(new Set(a).size).toBeGreaterThan(200);
  });
});
