/**
 * Erasure coding: novelpoly's GF(2^16) (`erasure/field.ts`), its Reed-Solomon code
 * (`erasure/novelpoly.ts`) and polkadot's `obtain_chunks` / `reconstruct` (`erasure/codec.ts`).
 *
 * The known answers marked "C reference" were computed with novelpoly's bundled C code
 * (reed-solomon-novelpoly/cxx/RSErasureCode.c at v2.0.0: `setup`, `FLT`, `IFLT`, `encodeL`),
 * compiled with gcc, polkadot's run layout around `encodeL` (runs of 2k payload bytes as
 * big-endian symbols, zero padded; symbol v of run r is bytes 2r, 2r+1 of chunk v). They are not
 * outputs of polkadot itself, which could not be run here.
 */
import { blake2b } from "@noble/hashes/blake2.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/lib/hex.ts";
import type { Result } from "../../src/lib/result.ts";
import {
  codeParams,
  type ErasureError,
  obtainChunks,
  reconstruct,
  reconstructFromSystematic,
  systematicRecoveryThreshold,
} from "../../src/primitives/erasure/codec.ts";
import {
  CANTOR_BASIS,
  FIELD_SIZE,
  fieldTables,
  mul,
  mulPolynomialBasis,
  ONEMASK,
  toPolynomialBasis,
} from "../../src/primitives/erasure/field.ts";
import {
  afft,
  encodeSub,
  evalErrorPolynomial,
  inverseAfft,
  reconstructSub,
} from "../../src/primitives/erasure/novelpoly.ts";

/** The payload of the known-answer vectors: byte i is `(i * 31 + 7) ^ (i >> 8)`, mod 256. */
function vectorPayload(len: number): Uint8Array {
  return new Uint8Array(len).map((_, i) => ((i * 31 + 7) ^ (i >> 8)) & 0xff);
}

/** FNV-1a (32 bits) over a table's little-endian bytes, as the C harness computed it. */
function fnv1a(table: Uint16Array): string {
  let h = 2166136261;
  for (const x of table) {
    h = Math.imul(h ^ (x & 0xff), 16777619) >>> 0;
    h = Math.imul(h ^ (x >>> 8), 16777619) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

function concatHash(chunks: readonly Uint8Array[]): string {
  const all = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.length;
  }
  return toHex(blake2b(all, { dkLen: 32 }));
}

function value<T>(r: Result<T, ErasureError>): T {
  if (!r.ok) throw new Error(`unexpected error ${JSON.stringify(r.error)}`);
  return r.value;
}

function chunksOf(n: number, payload: Uint8Array): Uint8Array[] {
  return value(obtainChunks(n, payload));
}

/** `reconstruct` returns the payload followed by zeros, k * chunk length bytes in all. */
function expectPayload(out: Uint8Array, payload: Uint8Array, k: number, chunkLen: number): void {
  expect(out.length).toBe(k * chunkLen);
  expect(toHex(out.subarray(0, payload.length))).toBe(toHex(payload));
  expect(out.subarray(payload.length).every((b) => b === 0)).toBe(true);
}

describe("GF(2^16) tables (novelpoly f2e16)", () => {
  const t = fieldTables();

  it("are the C reference's tables (checksums and spot values)", () => {
    // C reference: FNV-1a of LOG_TABLE, EXP_TABLE, log_walsh and skewVec[0..65535) after setup().
    expect([fnv1a(t.log), fnv1a(t.exp), fnv1a(t.logWalsh), fnv1a(t.skews)]).toEqual([
      "23de0209",
      "e54217d4",
      "1d290687",
      "ef394ee7",
    ]);
    expect(t.skews.length).toBe(ONEMASK);
    expect([t.log[0], t.log[1], t.log[2], t.log[3], t.log[4660], t.log[65535]]).toEqual([
      65535, 0, 21845, 43690, 15737, 45925,
    ]);
    expect([t.exp[0], t.exp[1], t.exp[4660], t.exp[65534], t.exp[65535]]).toEqual([
      1, 18064, 53948, 9798, 1,
    ]);
    expect([t.logWalsh[0], t.logWalsh[1], t.logWalsh[32768]]).toEqual([65535, 8105, 65535]);
    expect([t.skews[0], t.skews[1], t.skews[2], t.skews[4], t.skews[65534]]).toEqual([
      65535, 65535, 21845, 17476, 43173,
    ]);
  });

  it("exp and log are inverse bijections", () => {
    for (let a = 1; a < FIELD_SIZE; a++) {
      if (t.exp[t.log[a]!] !== a) throw new Error(`exp[log[${a}]] = ${t.exp[t.log[a]!]}`);
    }
    for (let l = 0; l < ONEMASK; l++) {
      if (t.log[t.exp[l]!] !== l) throw new Error(`log[exp[${l}]] = ${t.log[t.exp[l]!]}`);
    }
  });

  it("the Cantor basis: its first entries, and BASE[i] = BASE[i+1]^2 + BASE[i+1]", () => {
    expect(CANTOR_BASIS.slice(0, 5)).toEqual([1, 44234, 15374, 5694, 50562]);
    // novelpoly's `cantor_basis` test, in the polynomial representation.
    for (let i = 0; i + 1 < CANTOR_BASIS.length; i++) {
      const b = CANTOR_BASIS[i + 1]!;
      expect(mulPolynomialBasis(b, b) ^ b).toBe(CANTOR_BASIS[i]);
    }
  });

  const element = fc.integer({ min: 0, max: ONEMASK });

  it("multiplication: identity, zero, commutativity, distributivity, and the polynomial product", () => {
    fc.assert(
      fc.property(element, element, element, (a, b, c) => {
        expect(mul(a, 1)).toBe(a);
        expect(mul(a, 0)).toBe(0);
        expect(mul(a, b)).toBe(mul(b, a));
        expect(mul(a, b ^ c)).toBe(mul(a, b) ^ mul(a, c));
        expect(toPolynomialBasis(mul(a, b))).toBe(
          mulPolynomialBasis(toPolynomialBasis(a), toPolynomialBasis(b)),
        );
      }),
      { numRuns: 50 },
    );
    // BASE[1]^2 = BASE[0] + BASE[1] (the Cantor identity): in Cantor coordinates, 2 * 2 = 3.
    expect(mul(2, 2)).toBe(3);
  });
});

describe("the additive FFT (novelpoly inc_afft.rs)", () => {
  const input = [1, 2, 3, 5, 8, 13, 21, 44, 65, 0, 0xffff, 2, 3, 5, 7, 11];

  it("afft and inverse_afft of 16 symbols at index 4 are the C reference's FLT and IFLT", () => {
    const forward = Uint16Array.from(input);
    afft(forward, 16, 4);
    expect(Array.from(forward)).toEqual([
      0xba0c, 0xba06, 0xff49, 0xff45, 0x68d4, 0x686f, 0x2dab, 0x2d35, 0x7b9e, 0x7b91, 0xc122,
      0xc129, 0xa9fa, 0xa91d, 0x1329, 0x13e2,
    ]);
    const inverse = Uint16Array.from(input);
    inverseAfft(inverse, 16, 4);
    expect(Array.from(inverse)).toEqual([
      0xc1b4, 0xd2f2, 0xec8a, 0x45f0, 0xc1a8, 0xd24b, 0xecbb, 0x45d1, 0x979f, 0xa9c8, 0x84c0,
      0xffb9, 0x9707, 0xa93d, 0x840d, 0xff8f,
    ]);
  });

  it("inverse_afft undoes afft (novelpoly flt_back_and_forth: 128 symbols at index 32)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: ONEMASK }), { minLength: 128, maxLength: 128 }),
        (xs) => {
          const data = Uint16Array.from(xs);
          afft(data, 128, 32);
          inverseAfft(data, 128, 32);
          expect(Array.from(data)).toEqual(xs);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("one run decodes with erasures at both ends (novelpoly sub_encode_decode: n 32, k 4)", () => {
    const data = Uint8Array.from([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]);
    const codewords = encodeSub(data, 32, 4);
    const erasures = new Uint8Array(32);
    for (const i of [0, 1, 2, 29, 30, 31]) erasures[i] = 1;
    const errorPoly = new Uint16Array(FIELD_SIZE);
    evalErrorPolynomial(erasures, errorPoly, FIELD_SIZE);
    expect(toHex(reconstructSub(codewords, erasures, 32, 4, errorPoly))).toBe(toHex(data));
  });
});

describe("code parameters (polkadot code_params)", () => {
  it.each([
    [2, 1, 2],
    [3, 1, 4],
    [4, 2, 4],
    [10, 4, 16],
    [12, 4, 16],
    [300, 64, 512],
    [600, 128, 1024],
    [1000, 256, 1024],
    [65536, 16384, 65536],
  ])("n = %i: k %i, n' %i", (n, k, nPo2) => {
    expect(value(codeParams(n))).toEqual({ n: nPo2, k, wantedN: n });
    expect(value(systematicRecoveryThreshold(n))).toBe(k);
  });

  it("n <= 1 is NotEnoughValidators, n > 65536 TooManyValidators", () => {
    for (const n of [0, 1]) {
      expect(codeParams(n)).toEqual({ ok: false, error: { code: "NotEnoughValidators" } });
      expect(obtainChunks(n, vectorPayload(10))).toEqual({
        ok: false,
        error: { code: "NotEnoughValidators" },
      });
    }
    expect(codeParams(65537)).toEqual({ ok: false, error: { code: "TooManyValidators" } });
    expect(obtainChunks(65537, vectorPayload(10))).toEqual({
      ok: false,
      error: { code: "TooManyValidators" },
    });
    expect(reconstruct(1, [])).toEqual({ ok: false, error: { code: "NotEnoughValidators" } });
  });
});

describe("obtain_chunks", () => {
  it("n = 10, 37 bytes: the C reference's chunks", () => {
    const chunks = chunksOf(10, vectorPayload(37));
    expect(chunks.map(toHex)).toEqual([
      "0x0726ff1ef716ef0ee706",
      "0x45643d5c35542d4c2544",
      "0x83a27b9a73926b8a6300",
      "0xc1e0b9d8b1d0a9c80000",
      "0x78f19ade92d68acea30d",
      "0x3ab3589c5094488cbd23",
      "0xfc751e5a16520e4a9c6e",
      "0xbe37dc18d410cc082302",
      "0x8e941145194d0155ee4f",
      "0xccd6d307db0fc317ea46",
    ]);
  });

  it.each([
    [300, 5000, 80, "0xa0ebd2d8b8e440ea5e5af5430369b52eae6df1359457945783e9fc3592ef5ac8"],
    // Several batches of runs, the last one partial:
    [12, 70001, 17502, "0xf4dfad7b25b6bbb0f183740e2d0590eca4deb2f2e43010e698e50fc9822fcf7e"],
    [1000, 100000, 392, "0x584fba54c88f41d759d490e6a955af50c3b053e3e25fb9f4e2501774679d096b"],
  ])(
    "n = %i, %i bytes: %i-byte chunks, blake2b of all of them is the C reference's",
    (n, len, chunkLen, hash) => {
      const chunks = chunksOf(n, vectorPayload(len));
      expect(chunks.length).toBe(n);
      expect(chunks.every((c) => c.length === chunkLen)).toBe(true);
      expect(concatHash(chunks)).toBe(hash);
    },
  );

  it("exactly n chunks of 2 * ceil(ceil(L/2) / k) bytes; chunk v symbol r is encode_sub's symbol v of run r", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 70 }),
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        (n, payload) => {
          const { n: nPo2, k } = value(codeParams(n));
          const chunks = chunksOf(n, payload);
          const chunkLen = 2 * Math.ceil(Math.ceil(payload.length / 2) / k);
          expect(chunks.length).toBe(n);
          for (const c of chunks) expect(c.length).toBe(chunkLen);
          for (let r = 0; r < chunkLen / 2; r++) {
            const run = encodeSub(payload.subarray(2 * k * r, 2 * k * (r + 1)), nPo2, k);
            for (let v = 0; v < n; v++) {
              expect((chunks[v]![2 * r]! << 8) | chunks[v]![2 * r + 1]!).toBe(run[v]);
            }
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it("systematic chunks carry the payload: symbol r of chunk i < k is payload symbol r * k + i", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 70 }),
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        (n, payload) => {
          const { k } = value(codeParams(n));
          const chunks = chunksOf(n, payload);
          const byte = (at: number): number => (at < payload.length ? payload[at]! : 0);
          for (let i = 0; i < k; i++) {
            const expected = new Uint8Array(chunks[i]!.length);
            for (let r = 0; r < expected.length / 2; r++) {
              expected[2 * r] = byte(2 * (r * k + i));
              expected[2 * r + 1] = byte(2 * (r * k + i) + 1);
            }
            expect(toHex(chunks[i]!)).toBe(toHex(expected));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("an empty payload is BadPayload", () => {
    expect(obtainChunks(10, new Uint8Array(0))).toEqual({
      ok: false,
      error: { code: "BadPayload" },
    });
  });
});

/** n, a payload and a subset of the chunk indices of size `sizeOf(k, n)`, in random order. */
function caseArb(sizeOf: (k: number, n: number) => fc.Arbitrary<number>) {
  return fc.integer({ min: 2, max: 70 }).chain((n) => {
    const { k } = value(codeParams(n));
    const indices = Array.from({ length: n }, (_, i) => i);
    return sizeOf(k, n).chain((size) =>
      fc.record({
        n: fc.constant(n),
        k: fc.constant(k),
        payload: fc.uint8Array({ minLength: 1, maxLength: 200 }),
        picked: fc.shuffledSubarray(indices, { minLength: size, maxLength: size }),
      }),
    );
  });
}

describe("reconstruct", () => {
  it("any k chunks give back the payload, then zero padding", () => {
    fc.assert(
      fc.property(
        caseArb((k) => fc.constant(k)),
        ({ n, k, payload, picked }) => {
          const chunks = chunksOf(n, payload);
          const out = value(
            reconstruct(
              n,
              picked.map((i) => [chunks[i]!, i] as const),
            ),
          );
          expectPayload(out, payload, k, chunks[0]!.length);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("so do more than k chunks, in any order", () => {
    fc.assert(
      fc.property(
        caseArb((k, n) => fc.integer({ min: k, max: n })),
        ({ n, k, payload, picked }) => {
          const chunks = chunksOf(n, payload);
          const out = value(
            reconstruct(
              n,
              picked.map((i) => [chunks[i]!, i] as const),
            ),
          );
          expectPayload(out, payload, k, chunks[0]!.length);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("the last k chunks of a payload spanning several batches (n = 12, k = 4; n = 1000, k = 256)", () => {
    for (const [n, len] of [
      [12, 70001],
      [1000, 100000],
    ] as const) {
      const payload = vectorPayload(len);
      const chunks = chunksOf(n, payload);
      const { k } = value(codeParams(n));
      const last = chunks.slice(n - k).map((c, j) => [c, n - k + j] as const);
      expectPayload(value(reconstruct(n, last)), payload, k, chunks[0]!.length);
    }
  });

  it("fewer than k chunks: NotEnoughChunks", () => {
    fc.assert(
      fc.property(
        caseArb((k) => fc.integer({ min: 0, max: k - 1 })),
        ({ n, payload, picked }) => {
          const chunks = chunksOf(n, payload);
          expect(
            reconstruct(
              n,
              picked.map((i) => [chunks[i]!, i] as const),
            ),
          ).toEqual({
            ok: false,
            error: { code: "NotEnoughChunks" },
          });
        },
      ),
      { numRuns: 30 },
    );
  });

  const chunks = chunksOf(10, vectorPayload(37)); // k = 4, 10-byte chunks
  const first = (m: number) => chunks.slice(0, m).map((c, i) => [c, i] as const);

  it("an index >= n: ChunkIndexOutOfBounds", () => {
    expect(reconstruct(10, [...first(4), [chunks[0]!, 10]])).toEqual({
      ok: false,
      error: { code: "ChunkIndexOutOfBounds", chunkIndex: 10, nValidators: 10 },
    });
  });

  it("only the first n pairs are read", () => {
    const pairs = [...chunks.map((c, i) => [c, i] as const), [chunks[0]!, 99] as const];
    expectPayload(value(reconstruct(10, pairs)), vectorPayload(37), 4, 10);
  });

  it("odd length: UnevenLength; unequal or empty: NonUniformChunks", () => {
    const odd = (c: Uint8Array) => c.subarray(0, 9);
    expect(
      reconstruct(
        10,
        first(4).map(([c, i]) => [odd(c), i] as const),
      ),
    ).toEqual({
      ok: false,
      error: { code: "UnevenLength" },
    });
    expect(reconstruct(10, [...first(3), [chunks[3]!.subarray(0, 8), 3]])).toEqual({
      ok: false,
      error: { code: "NonUniformChunks" },
    });
    // The Rust checks evenness on the first chunk's length only.
    expect(reconstruct(10, [...first(3), [odd(chunks[3]!), 3]])).toEqual({
      ok: false,
      error: { code: "NonUniformChunks" },
    });
    const empty = new Uint8Array(0);
    expect(
      reconstruct(10, [
        [empty, 0],
        [empty, 1],
        [empty, 2],
        [empty, 3],
      ]),
    ).toEqual({
      ok: false,
      error: { code: "NonUniformChunks" },
    });
  });
});

describe("reconstruct_from_systematic", () => {
  it("chunks 0..k-1 give back the payload, then zero padding", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 70 }),
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        (n, payload) => {
          const { k } = value(codeParams(n));
          const chunks = chunksOf(n, payload);
          // More than k may be passed; only the first k are read.
          const out = value(reconstructFromSystematic(n, chunks));
          expectPayload(out, payload, k, chunks[0]!.length);
          expect(toHex(value(reconstructFromSystematic(n, chunks.slice(0, k))))).toBe(toHex(out));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("errors, in the Rust's order", () => {
    const chunks = chunksOf(10, vectorPayload(37)); // k = 4
    const fail = (code: ErasureError["code"]) => ({ ok: false, error: { code } });
    expect(reconstructFromSystematic(10, [])).toEqual(fail("NotEnoughChunks"));
    expect(reconstructFromSystematic(10, chunks.slice(0, 3))).toEqual(fail("NotEnoughChunks"));
    expect(reconstructFromSystematic(10, [new Uint8Array(0)])).toEqual(fail("NonUniformChunks"));
    expect(reconstructFromSystematic(10, [chunks[0]!, chunks[1]!.subarray(0, 8)])).toEqual(
      fail("NonUniformChunks"),
    );
    expect(reconstructFromSystematic(10, [chunks[0]!.subarray(0, 9)])).toEqual(
      fail("UnevenLength"),
    );
    expect(reconstructFromSystematic(1, chunks)).toEqual(fail("NotEnoughValidators"));
  });
});
