import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../src/lib/hex.ts";
import {
  decodeCompactU32,
  decodeUmpSignal,
  encodeCompactU32,
  encodeUmpSignal,
  NO_UMP_SIGNALS,
  selectCoreSignal,
  skipUmpSignals,
  UMP_SEPARATOR,
  type UMPSignal,
  umpSignals,
  umpSignalsIsEmpty,
  withSelectCore,
  withUmpSignals,
} from "../../src/primitives/ump.ts";

const b = (hex: string) => fromHex(hex);
const selectCore = (s: number, o: number) => encodeUmpSignal(selectCoreSignal(s, o));
const approvedPeer = (peer: string) =>
  encodeUmpSignal({ kind: "ApprovedPeer", peerId: fromHex(peer) });

describe("compact u32", () => {
  it.each([
    [0, "0x00"],
    [1, "0x04"],
    [63, "0xfc"],
    [64, "0x0101"],
    [16383, "0xfdff"],
    [16384, "0x02000100"],
    [2 ** 30 - 1, "0xfeffffff"],
    [2 ** 30, "0x0300000040"],
    [4294967295, "0x03ffffffff"],
  ])("encodes %i as %s (parity-scale-codec)", (n, hex) => {
    expect(toHex(encodeCompactU32(n))).toBe(hex);
    expect(decodeCompactU32(fromHex(hex), 0)).toEqual({ value: n, next: fromHex(hex).length });
  });

  it.each([
    ["0x", "no byte"],
    ["0x01", "two-byte mode, one byte"],
    ["0x0500", "1 in two-byte mode (non-canonical)"],
    ["0x02010000", "64 in four-byte mode (non-canonical)"],
    ["0x03ffffff3f", "2^30-1 in big-integer mode (non-canonical)"],
    ["0x0700000000ff", "more than 4 bytes in big-integer mode"],
    ["0x020001", "four-byte mode, three bytes"],
  ])("rejects %s: %s", (hex) => {
    expect(decodeCompactU32(fromHex(hex), 0)).toBeNull();
  });

  it("round-trips every u32 (property)", () => {
    fc.assert(
      fc.property(fc.nat({ max: 4294967295 }), (n) => {
        const enc = encodeCompactU32(n);
        expect(decodeCompactU32(enc, 0)).toEqual({ value: n, next: enc.length });
      }),
    );
  });
});

describe("UMPSignal codec", () => {
  it("SelectCore is variant 0 followed by selector and offset", () => {
    expect(toHex(selectCore(4, 0))).toBe("0x000400");
    expect(toHex(selectCore(255, 1))).toBe("0x00ff01");
  });

  it("ApprovedPeer is variant 1 followed by a length-prefixed peer id", () => {
    expect(toHex(approvedPeer("0x010203"))).toBe("0x010c010203");
    expect(toHex(approvedPeer("0x"))).toBe("0x0100");
  });

  it("refuses to encode what Rust cannot represent", () => {
    expect(() => encodeUmpSignal(selectCoreSignal(256, 0))).toThrow(RangeError);
    expect(() => encodeUmpSignal(selectCoreSignal(0, -1))).toThrow(RangeError);
    expect(() => encodeUmpSignal({ kind: "ApprovedPeer", peerId: new Uint8Array(65) })).toThrow(
      RangeError,
    );
  });

  it.each([
    ["0x", "empty"],
    ["0x00", "SelectCore without selector"],
    ["0x0004", "SelectCore without offset"],
    ["0x02", "unknown variant 2"],
    ["0x0c000dc8", "the Rust test's garbage vec![0, 13, 200].encode()"],
    ["0x01", "ApprovedPeer without length"],
    ["0x010c0102", "ApprovedPeer shorter than its length"],
    [`0x010501${"00".repeat(65)}`, "ApprovedPeer of 65 bytes (BoundedVec limit 64)"],
    ["0x010500", "ApprovedPeer with a non-canonical length"],
  ])("decoding %s fails (%s)", (hex) => {
    expect(decodeUmpSignal(fromHex(hex))).toBeNull();
  });

  it("decodes a prefix and ignores trailing bytes, like Decode::decode(&mut &bytes[..])", () => {
    expect(decodeUmpSignal(b("0x000400ffff"))).toEqual(selectCoreSignal(4, 0));
    expect(decodeUmpSignal(b("0x0104aabbcc"))).toEqual({
      kind: "ApprovedPeer",
      peerId: b("0xaa"),
    });
  });

  it("accepts an ApprovedPeer of exactly 64 bytes", () => {
    const peer = `0x${"ab".repeat(64)}`;
    expect(decodeUmpSignal(approvedPeer(peer))).toEqual({
      kind: "ApprovedPeer",
      peerId: fromHex(peer),
    });
  });

  it("round-trips every signal (property)", () => {
    const signal: fc.Arbitrary<UMPSignal> = fc.oneof(
      fc.tuple(fc.nat({ max: 255 }), fc.nat({ max: 255 })).map(([s, o]) => selectCoreSignal(s, o)),
      fc
        .uint8Array({ maxLength: 64 })
        .map((peerId): UMPSignal => ({ kind: "ApprovedPeer", peerId })),
    );
    fc.assert(
      fc.property(signal, (s) => {
        expect(decodeUmpSignal(encodeUmpSignal(s))).toEqual(s);
      }),
    );
  });
});

describe("skip_ump_signals", () => {
  it("keeps the messages before the first separator", () => {
    const msgs = [b("0x01"), b("0x0203"), UMP_SEPARATOR, b("0x000000"), UMP_SEPARATOR];
    expect(skipUmpSignals(msgs)).toEqual([b("0x01"), b("0x0203")]);
    expect(skipUmpSignals([b("0x01")])).toEqual([b("0x01")]);
    expect(skipUmpSignals([UMP_SEPARATOR, b("0x01")])).toEqual([]);
  });
});

describe("CandidateCommitments::ump_signals", () => {
  const sc = { coreSelector: 1, claimQueueOffset: 2 };
  const table: [string, Uint8Array[], ReturnType<typeof umpSignals>][] = [
    ["no messages", [], { ok: true, value: NO_UMP_SIGNALS }],
    ["no separator: user messages only", [b("0x00ff01")], { ok: true, value: NO_UMP_SIGNALS }],
    [
      "a separator with nothing after it",
      [b("0x01"), UMP_SEPARATOR],
      { ok: true, value: NO_UMP_SIGNALS },
    ],
    [
      "SelectCore",
      [b("0x01"), UMP_SEPARATOR, selectCore(1, 2)],
      { ok: true, value: { selectCore: sc, approvedPeer: null } },
    ],
    [
      "ApprovedPeer then SelectCore",
      [UMP_SEPARATOR, approvedPeer("0x0102"), selectCore(1, 2)],
      { ok: true, value: { selectCore: sc, approvedPeer: b("0x0102") } },
    ],
    [
      "only the first separator starts the signals (a later empty message is a bad signal)",
      [UMP_SEPARATOR, selectCore(1, 2), UMP_SEPARATOR],
      { ok: false, error: { code: "UmpSignalDecode" } },
    ],
    [
      "garbage first signal",
      [UMP_SEPARATOR, b("0x0c000dc8")],
      { ok: false, error: { code: "UmpSignalDecode" } },
    ],
    [
      "garbage second signal",
      [UMP_SEPARATOR, selectCore(1, 2), b("0x07")],
      { ok: false, error: { code: "UmpSignalDecode" } },
    ],
    [
      "duplicate SelectCore",
      [UMP_SEPARATOR, selectCore(0, 1), selectCore(1, 1)],
      { ok: false, error: { code: "DuplicateUMPSignal" } },
    ],
    [
      "duplicate ApprovedPeer",
      [UMP_SEPARATOR, approvedPeer("0x01"), approvedPeer("0x01")],
      { ok: false, error: { code: "DuplicateUMPSignal" } },
    ],
    [
      "three signals",
      [UMP_SEPARATOR, selectCore(0, 1), approvedPeer("0x01"), selectCore(0, 1)],
      { ok: false, error: { code: "TooManyUMPSignals" } },
    ],
    [
      "a third message is too many even if it is garbage",
      [UMP_SEPARATOR, selectCore(0, 1), approvedPeer("0x01"), b("0xff")],
      { ok: false, error: { code: "TooManyUMPSignals" } },
    ],
    [
      "a duplicate among the first two wins over too many",
      [UMP_SEPARATOR, selectCore(0, 1), selectCore(0, 1), selectCore(0, 1)],
      { ok: false, error: { code: "DuplicateUMPSignal" } },
    ],
    [
      "a decoding error of the first wins over too many",
      [UMP_SEPARATOR, b("0x09"), selectCore(0, 1), selectCore(0, 1)],
      { ok: false, error: { code: "UmpSignalDecode" } },
    ],
  ];

  it.each(table)("%s", (_name, upwardMessages, expected) => {
    expect(umpSignals({ upwardMessages })).toEqual(expected);
  });
});

describe("building upward messages", () => {
  it("appends nothing, not even the separator, without signals", () => {
    expect(withUmpSignals([b("0x01")], [])).toEqual([b("0x01")]);
  });

  it("appends the separator and the encoded signals in order", () => {
    const peer: UMPSignal = { kind: "ApprovedPeer", peerId: b("0xaa") };
    expect(withUmpSignals([b("0x01")], [selectCoreSignal(3, 1), peer])).toEqual([
      b("0x01"),
      UMP_SEPARATOR,
      b("0x000301"),
      b("0x0104aa"),
    ]);
  });

  it("withSelectCore is parsed back by ump_signals and hidden by skip_ump_signals (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 8 }), { maxLength: 5 }),
        fc.nat({ max: 255 }),
        fc.nat({ max: 255 }),
        (user, selector, offset) => {
          const msgs = withSelectCore(user, selector, offset);
          expect(skipUmpSignals(msgs)).toEqual(user);
          const parsed = umpSignals({ upwardMessages: msgs });
          expect(parsed).toEqual({
            ok: true,
            value: {
              selectCore: { coreSelector: selector, claimQueueOffset: offset },
              approvedPeer: null,
            },
          });
          expect(parsed.ok && umpSignalsIsEmpty(parsed.value)).toBe(false);
        },
      ),
    );
  });
});
