/**
 * reed-solomon-novelpoly v2.0.0's Reed-Solomon code over GF(2^16) (`field.ts`): Lin, Han and
 * Chung's additive FFT in the "novel polynomial basis" (FOCS 2014, arXiv:1404.3458), the
 * systematic low-rate encoder and erasure decoding from any k of n shards. Polkadot's
 * `polkadot-erasure-coding` (`codec.ts`) is the only caller.
 *
 * A symbol is one field element, written big-endian as 2 bytes. A payload of L bytes is cut into
 * runs of 2k bytes (the last one zero padded); each run is k symbols, encoded into n' symbols
 * (n' and k powers of two, k <= n'/2), of which symbol v goes to shard v. The code is systematic:
 * symbol v < k of a run is the run's symbol v. Shards n..n' (n = the wanted count) are never
 * materialised and count as erasures when decoding.
 *
 * Follows the Rust line by line (same loops, same order of operations, same skew tables):
 * `inverse_afft`, `afft` (inc_afft.rs, the `_plain` paths; the AVX `faster8` variants compute
 * the same values), `formal_derivative` / `tweaked_formal_derivative` (inc_afft.rs; the latter
 * is the former because novelpoly never sets `cfg(b_is_not_one)`), `encode_low_plain`,
 * `encode_sub_plain` (inc_encode.rs), `eval_error_polynomial`, `decode_main`, `reconstruct_sub`
 * (inc_reconstruct.rs), `CodeParams::derive_parameters`, `ReedSolomon::{new, shard_len, encode,
 * reconstruct}` (novel_poly_basis/mod.rs), the power-of-two helpers (util.rs) and the error enum
 * (errors.rs, including its spelling `ParamterMustBePowerOf2`). The exported one-run functions
 * (`afft`, `inverseAfft`, `formalDerivative`, `encodeLow`, `encodeSub`, `evalErrorPolynomial`,
 * `decodeMain`, `reconstructSub`) are the Rust ones.
 *
 * Departures, none of which changes an output byte:
 * - Batches (for speed: a JavaScript loop over 1 to 8 symbols costs more than its body). The
 *   routines work on `width` runs side by side (see "Batches" below): the Rust loops with one
 *   more innermost loop over the runs; width 1 is the Rust routine. `encode` and `reconstruct`
 *   run batches of up to 2^17 symbols, with one set of buffers instead of `elm_data`,
 *   `codeword` and `recovered` per run.
 * - Work whose result is never read is skipped: `encode` computes no coset at or past the
 *   wanted shard count (Rust computes and drops them); `reconstruct`'s final FFT computes only
 *   the k rows `reconstruct_sub` reads; its inverse FFT and formal derivative skip butterflies
 *   between two all-zero rows (erased shards are zero rows; the skipped operations would leave
 *   them zero).
 * - Data is `Uint16Array` / `Uint8Array`, a sub-slice is an `offset` argument, `Option`s are a
 *   symbol array plus an erasure mask (1 = absent); `Additive::mul` is inlined (the same
 *   formula as `mulByLog`); a Rust `assert!` (a bug on the caller's side, e.g. an odd shard
 *   length, which polkadot checks first) throws.
 * - Not ported: `encode_high` (unused: k <= n'/2 always), novelpoly's
 *   `reconstruct_from_systematic` (polkadot has its own, in `codec.ts`), the `Shard` traits.
 *
 * Byte equality with polkadot is UNVERIFIED: this machine cannot run Rust, so no shard was
 * compared with one novelpoly produced. What was checked: the field tables and the shards equal
 * those of novelpoly's bundled C reference (`cxx/RSErasureCode.c`, Lin's original code, whose
 * `FLT` novelpoly's own tests compare with its `afft`), compiled with gcc outside the repository,
 * for n = 2, 3, 10, 12, 17, 65, 100, 300, 513, 600 and 1000; the tests pin some of those
 * chunks, and check the properties (systematic layout, any k shards reconstruct).
 *
 * Ref: paritytech/reed-solomon-novelpoly v2.0.0 reed-solomon-novelpoly/src/{field/inc_afft.rs,
 *      field/inc_encode.rs, field/inc_reconstruct.rs, novel_poly_basis/mod.rs, util.rs,
 *      errors.rs}.
 */
import type { Result } from "../../lib/result.ts";
import { err, ok } from "../../lib/result.ts";
import { FIELD_SIZE, type FieldTables, fieldTables, ONEMASK, walsh } from "./field.ts";

/** novelpoly's `Error`, variant for variant. */
export type NovelpolyError =
  | { readonly code: "WantedShardCountTooHigh"; readonly n: number }
  | { readonly code: "WantedShardCountTooLow"; readonly n: number }
  | { readonly code: "WantedPayloadShardCountTooLow"; readonly k: number }
  | { readonly code: "PayloadSizeIsZero" }
  | {
      readonly code: "NeedMoreShards";
      readonly have: number;
      readonly min: number;
      readonly all: number;
    }
  | { readonly code: "ParamterMustBePowerOf2"; readonly n: number; readonly k: number }
  | { readonly code: "InconsistentShardLengths"; readonly first: number; readonly other: number }
  | { readonly code: "EmptyShard" };

// ---------------------------------------------------------------------------------------------
// util.rs

/** `log2`: floor(log2(x)), 0 for x <= 1. */
export function log2(x: number): number {
  let o = 0;
  while (x > 1) {
    x = Math.floor(x / 2);
    o++;
  }
  return o;
}

/** `is_power_of_2`; zero is not one. */
export function isPowerOf2(x: number): boolean {
  if (x < 1) return false;
  while (x > 1) {
    if (x % 2 !== 0) return false;
    x /= 2;
  }
  return true;
}

/** `next_higher_power_of_2`: `k` if it is a power of two, else the next one up. */
export function nextHigherPowerOf2(k: number): number {
  return isPowerOf2(k) ? k : 2 ** (log2(k) + 1);
}

/** `next_lower_power_of_2`: `k` if it is a power of two, else the next one down. */
export function nextLowerPowerOf2(k: number): number {
  return isPowerOf2(k) ? k : 2 ** log2(k);
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`novelpoly: assertion failed: ${what}`);
}

// ---------------------------------------------------------------------------------------------
// Batches. Every routine below works on `width` runs side by side: symbol i of run r is
// `data[i * width + r]`, and "row i" is `data[i * width .. (i + 1) * width]`. The loops are the
// Rust's, with one more innermost loop over the runs of the batch (`xorRow`, `mulXorRow`,
// `mulRow`); with width 1 a batch is Rust's `&mut [Additive]` and the routine is the Rust one.
// Runs never interact, so a run's symbols go through exactly the operations, in the same order,
// that the Rust applies to that run alone.

/** `data[a + r] ^= data[b + r]` for the `width` runs. */
function xorRow(data: Uint16Array, a: number, b: number, width: number): void {
  for (let r = 0; r < width; r++) data[a + r] = data[a + r]! ^ data[b + r]!;
}

/** `data[a + r] ^= data[b + r].mul(Multiplier(m))` for the `width` runs (`Additive::mul`). */
function mulXorRow(
  t: FieldTables,
  data: Uint16Array,
  a: number,
  b: number,
  width: number,
  m: number,
): void {
  const { log, exp } = t;
  for (let r = 0; r < width; r++) {
    const x = data[b + r]!;
    if (x !== 0) {
      // 0xffff and 16 are ONEMASK and FIELD_BITS, written as literals in the hot loops.
      const l = log[x]! + m;
      data[a + r] = data[a + r]! ^ exp[(l & 0xffff) + (l >>> 16)]!;
    }
  }
}

/** `data[a + r] = data[a + r].mul(Multiplier(m))` for the `width` runs. */
function mulRow(t: FieldTables, data: Uint16Array, a: number, width: number, m: number): void {
  const { log, exp } = t;
  for (let r = 0; r < width; r++) {
    const x = data[a + r]!;
    if (x !== 0) {
      const l = log[x]! + m;
      data[a + r] = exp[(l & 0xffff) + (l >>> 16)]!;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// inc_afft.rs

/**
 * `inverse_afft(data[offset..], size, index)`: the inverse additive FFT of `size` symbols at
 * `offset`, over the coset given by `index` (Algorithm 2 of Lin-Han-Chung, page 6288).
 */
export function inverseAfft(data: Uint16Array, size: number, index: number, offset = 0): void {
  check(data.length - offset >= size, "data.len() >= size");
  inverseAfftBatch(fieldTables(), data, 1, size, index, offset);
}

/**
 * `inverse_afft` on rows `offset..offset + size` of a batch. With `nonZero` (a flag per row, 0
 * only if the row is all zero), a butterfly whose operands are both zero rows is skipped (it
 * would leave them zero: XOR of zeros, `mul` of zero) and the flags are kept up to date.
 */
function inverseAfftBatch(
  t: FieldTables,
  data: Uint16Array,
  width: number,
  size: number,
  index: number,
  offset: number,
  nonZero?: Uint8Array,
): void {
  const skews = t.skews;
  let departNo = 1;
  while (departNo < size) {
    let j = departNo;
    while (j < size) {
      // Line 4: data[i + depart_no] ^= data[i].
      for (let i = j - departNo; i < j; i++) {
        if (nonZero !== undefined) {
          if (!nonZero[i]!) continue;
          nonZero[i + departNo] = 1;
        }
        xorRow(data, (offset + i + departNo) * width, (offset + i) * width, width);
      }
      const skew = skews[j + index - 1]!;
      // A skew of ONEMASK is the zero element: nothing to add.
      if (skew !== 0xffff) {
        // Line 5: data[i] ^= data[i + depart_no].mul(skew).
        for (let i = j - departNo; i < j; i++) {
          if (nonZero !== undefined) {
            if (!nonZero[i + departNo]!) continue;
            nonZero[i] = 1;
          }
          mulXorRow(t, data, (offset + i) * width, (offset + i + departNo) * width, width, skew);
        }
      }
      j += departNo << 1;
    }
    departNo <<= 1;
  }
}

/**
 * `afft(data[offset..], size, index)`: the additive FFT of `size` symbols at `offset`,
 * evaluated on the coset given by `index` (Algorithm 1 of Lin-Han-Chung, page 6287).
 */
export function afft(data: Uint16Array, size: number, index: number, offset = 0): void {
  check(data.length - offset >= size, "data.len() >= size");
  afftBatch(fieldTables(), data, 1, size, index, offset, size);
}

/**
 * `afft` on rows `offset..offset + size` of a batch, computing only what rows
 * `offset..offset + needed` of the result depend on: a block of a stage is skipped when it lies
 * entirely at or past `needed` (the later stages never mix it into an earlier row). With
 * `needed = size` this is the Rust loop; rows past `needed` are then left half transformed.
 */
function afftBatch(
  t: FieldTables,
  data: Uint16Array,
  width: number,
  size: number,
  index: number,
  offset: number,
  needed: number,
): void {
  const skews = t.skews;
  let departNo = size >> 1;
  while (departNo > 0) {
    let j = departNo;
    while (j < size && j - departNo < needed) {
      const skew = skews[j + index - 1]!;
      if (skew !== 0xffff) {
        // Line 6: data[i] ^= data[i + depart_no].mul(skew).
        for (let i = j - departNo; i < j; i++) {
          mulXorRow(t, data, (offset + i) * width, (offset + i + departNo) * width, width, skew);
        }
      }
      // Line 7: data[i + depart_no] ^= data[i].
      for (let i = j - departNo; i < j; i++) {
        xorRow(data, (offset + i + departNo) * width, (offset + i) * width, width);
      }
      j += departNo << 1;
    }
    departNo >>= 1;
  }
}

/**
 * `formal_derivative` of the polynomial whose novel-basis coefficients are `cos[0..len]`; also
 * `tweaked_formal_derivative` (see the header).
 */
export function formalDerivative(cos: Uint16Array, len: number = cos.length): void {
  formalDerivativeBatch(cos, 1, len);
}

/** `formal_derivative` on a batch; `nonZero` as in `inverseAfftBatch`. */
function formalDerivativeBatch(
  cos: Uint16Array,
  width: number,
  len: number,
  nonZero?: Uint8Array,
): void {
  for (let i = 1; i < len; i++) {
    const length = ((i ^ (i - 1)) + 1) >> 1;
    for (let j = i - length; j < i; j++) {
      // `cos.get(j + length)` is always present: j + length < i + lowbit(i) <= len.
      if (j + length >= len) continue;
      if (nonZero !== undefined) {
        if (!nonZero[j + length]!) continue;
        nonZero[j] = 1;
      }
      xorRow(cos, j * width, (j + length) * width, width);
    }
  }
  // Rust's second loop starts at i = len and runs while i < len: it never runs.
}

// ---------------------------------------------------------------------------------------------
// inc_encode.rs

/**
 * `encode_low_plain` (k/n' <= 1/2): `codeword[0..n]` from `data[0..k]` (`data[k..n]` is zero):
 * the inverse FFT of the message on coset 0, then its FFT on each coset `shift` = k, 2k, ...
 * Systematic: `codeword[0..k]` is `data[0..k]`.
 */
export function encodeLow(data: Uint16Array, k: number, codeword: Uint16Array, n: number): void {
  check(k + k <= n, "k + k <= n");
  check(codeword.length === n, "codeword.len() == n");
  check(data.length === n, "data.len() == n");
  check(isPowerOf2(n) && isPowerOf2(k), "n and k are powers of 2");
  codeword.set(data);
  encodeLowBatch(fieldTables(), codeword, 1, k, n, n);
  // Restore `M`.
  codeword.set(data.subarray(0, k));
}

/**
 * `encode_low_plain` on a batch whose rows 0..k hold the messages, up to the Rust's final
 * "restore M" (the caller's): rows k..n get the cosets. Only rows below `wanted` are computed
 * (cosets starting at or past it are skipped, the last one is cut with `afftBatch`'s `needed`):
 * Rust computes the rest and drops it, since shards past `wanted_n` are never output.
 */
function encodeLowBatch(
  t: FieldTables,
  codeword: Uint16Array,
  width: number,
  k: number,
  n: number,
  wanted: number,
): void {
  inverseAfftBatch(t, codeword, width, k, 0, 0);
  // Rows 0..k are now `M_topdash`, the basis of the remaining transforms.
  for (let shift = k; shift < n && shift < wanted; shift += k) {
    codeword.copyWithin(shift * width, 0, k * width);
    afftBatch(t, codeword, width, k, shift, shift, Math.min(k, wanted - shift));
  }
}

/**
 * `encode_sub_plain`: one run. `bytes` (at most 2k of them) as big-endian symbols, zero padded
 * to n, encoded with `encodeLow`. Returns the n codeword symbols.
 */
export function encodeSub(bytes: Uint8Array, n: number, k: number): Uint16Array {
  check(isPowerOf2(n) && isPowerOf2(k), "n and k are powers of 2");
  check(bytes.length <= k << 1, "bytes.len() <= k << 1");
  check(k <= n / 2, "k <= n / 2");
  const elmData = new Uint16Array(n);
  for (let i = 0; i < (bytes.length + 1) >> 1; i++) {
    elmData[i] = (bytes[2 * i]! << 8) | (2 * i + 1 < bytes.length ? bytes[2 * i + 1]! : 0);
  }
  const codeword = elmData.slice();
  encodeLow(elmData, k, codeword, n);
  return codeword;
}

// ---------------------------------------------------------------------------------------------
// inc_reconstruct.rs

/**
 * `eval_error_polynomial`: the evaluations of the error locator polynomial of `erasure`
 * (1 = absent) in log form, into `logWalsh2` (FIELD_SIZE entries); computed once per
 * reconstruction.
 */
export function evalErrorPolynomial(erasure: Uint8Array, logWalsh2: Uint16Array, n: number): void {
  const z = Math.min(n, erasure.length);
  check(n <= logWalsh2.length && z <= logWalsh2.length, "n <= log_walsh2.len()");
  const { logWalsh } = fieldTables();
  for (let i = 0; i < z; i++) logWalsh2[i] = erasure[i]! ? 1 : 0;
  for (let i = z; i < n; i++) logWalsh2[i] = 0;
  walsh(logWalsh2, FIELD_SIZE);
  for (let i = 0; i < n; i++) {
    // Both factors < 2^16: the product is exact in a double.
    logWalsh2[i] = (logWalsh2[i]! * logWalsh[i]!) % ONEMASK;
  }
  walsh(logWalsh2, FIELD_SIZE);
  for (let i = 0; i < z; i++) {
    if (erasure[i]!) logWalsh2[i] = ONEMASK - logWalsh2[i]!;
  }
}

/**
 * `decode_main`: recovers the erased symbols among `codeword[0..recoverUpTo]` in place (the
 * others become 0). `codeword` holds n symbols, erased ones 0.
 */
export function decodeMain(
  codeword: Uint16Array,
  recoverUpTo: number,
  erasure: Uint8Array,
  logWalsh2: Uint16Array,
  n: number,
): void {
  check(codeword.length === n && erasure.length === n && n >= recoverUpTo, "decode_main sizes");
  decodeMainBatch(fieldTables(), codeword, 1, recoverUpTo, erasure, logWalsh2, n, n);
}

/**
 * `decode_main` on a batch. The erased rows start as zero rows, and the butterflies of the
 * inverse FFT and the formal derivative that would only combine zero rows are skipped (see
 * `inverseAfftBatch`); the final FFT computes rows `0..afftRows` (see `afftBatch`).
 */
function decodeMainBatch(
  t: FieldTables,
  codeword: Uint16Array,
  width: number,
  recoverUpTo: number,
  erasure: Uint8Array,
  logWalsh2: Uint16Array,
  n: number,
  afftRows: number,
): void {
  const nonZero = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (erasure[i]!) {
      codeword.fill(0, i * width, (i + 1) * width);
    } else {
      mulRow(t, codeword, i * width, width, logWalsh2[i]!);
      nonZero[i] = 1;
    }
  }
  inverseAfftBatch(t, codeword, width, n, 0, 0, nonZero);
  formalDerivativeBatch(codeword, width, n, nonZero);
  afftBatch(t, codeword, width, n, 0, 0, afftRows);
  for (let i = 0; i < recoverUpTo; i++) {
    if (erasure[i]!) mulRow(t, codeword, i * width, width, logWalsh2[i]!);
    else codeword.fill(0, i * width, (i + 1) * width);
  }
}

/**
 * `reconstruct_sub`: one run. `codewords[i]` is symbol i (ignored where `erasures[i]` is 1);
 * returns the k message symbols as 2k big-endian bytes.
 */
export function reconstructSub(
  codewords: Uint16Array,
  erasures: Uint8Array,
  n: number,
  k: number,
  errorPoly: Uint16Array,
): Uint8Array {
  check(isPowerOf2(n) && isPowerOf2(k), "n and k are powers of 2");
  check(codewords.length === n && erasures.length === n, "codewords.len() == n");
  check(k <= n / 2, "k <= n / 2");
  // The first k symbols are the message: present ones as received, erased ones decoded.
  const recovered = new Uint16Array(k);
  const codeword = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    codeword[i] = erasures[i]! ? 0 : codewords[i]!;
    if (i < k) recovered[i] = codeword[i]!;
  }
  decodeMain(codeword, k, erasures, errorPoly, n);
  for (let i = 0; i < k; i++) if (erasures[i]!) recovered[i] = codeword[i]!;
  const out = new Uint8Array(2 * k);
  for (let i = 0; i < k; i++) {
    out[2 * i] = recovered[i]! >>> 8;
    out[2 * i + 1] = recovered[i]! & 0xff;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// novel_poly_basis/mod.rs

/** `CodeParams`: n' (total shards, a power of 2), k (message shards, a power of 2, k < n') and
 * the wanted shard count. */
export interface CodeParams {
  readonly n: number;
  readonly k: number;
  readonly wantedN: number;
}

/**
 * `CodeParams::derive_parameters(n, k)`: k rounded down and n rounded up to powers of two, so
 * the rate never exceeds k/n.
 */
export function deriveParameters(n: number, k: number): Result<CodeParams, NovelpolyError> {
  if (n < 2) return err({ code: "WantedShardCountTooLow", n });
  if (k < 1) return err({ code: "WantedPayloadShardCountTooLow", k });
  const kPo2 = nextLowerPowerOf2(k);
  const nPo2 = nextHigherPowerOf2(n);
  check(n * kPo2 <= nPo2 * k, "n * k_po2 <= n_po2 * k");
  if (nPo2 > FIELD_SIZE) return err({ code: "WantedShardCountTooHigh", n });
  return ok({ n: nPo2, k: kPo2, wantedN: n });
}

/** `CodeParams::make_encoder`. */
export function makeEncoder(params: CodeParams): ReedSolomon {
  const rs = ReedSolomon.create(params.n, params.k, params.wantedN);
  if (!rs.ok) throw new Error("this struct is not created with invalid shard number; qed");
  return rs.value;
}

/** Symbols per batch buffer (256 KiB): runs per batch = this / n'. */
const BATCH_SYMBOLS = 1 << 17;

/** How many runs go in one batch of n'-symbol codewords. */
function batchWidth(n: number, runs: number): number {
  return Math.max(1, Math.min(runs, Math.floor(BATCH_SYMBOLS / n)));
}

/** `ReedSolomon`: n' shards of which k carry the message; `wantedN` of them are produced. */
export class ReedSolomon {
  private constructor(
    readonly n: number,
    readonly k: number,
    readonly wantedN: number,
  ) {}

  /** `ReedSolomon::new`, with its check as written in Rust (`&&`: both must fail to fail). */
  static create(n: number, k: number, wantedN: number): Result<ReedSolomon, NovelpolyError> {
    if (!isPowerOf2(n) && !isPowerOf2(k)) return err({ code: "ParamterMustBePowerOf2", n, k });
    return ok(new ReedSolomon(n, k, wantedN));
  }

  /** `shard_len`: bytes per shard for a payload of `payloadSize` bytes, 2 * ceil(ceil(L/2) / k). */
  shardLen(payloadSize: number): number {
    const payloadSymbols = Math.floor((payloadSize + 1) / 2);
    const shardSymbolsCeil = Math.floor((payloadSymbols + this.k - 1) / this.k);
    return shardSymbolsCeil * 2;
  }

  /**
   * `encode`: `wantedN` shards of `shardLen(bytes.length)` bytes. Run r (payload bytes
   * `r*2k .. (r+1)*2k`, zero padded) is `encode_sub`'s, and its symbol v is bytes 2r, 2r+1 of
   * shard v. The runs are encoded in batches (see "Batches").
   */
  encode(bytes: Uint8Array): Result<Uint8Array[], NovelpolyError> {
    if (bytes.length === 0) return err({ code: "PayloadSizeIsZero" });
    const shardLen = this.shardLen(bytes.length);
    check(shardLen > 0, "shard_len > 0");
    const { n, k, wantedN } = this;
    const shards: Uint8Array[] = [];
    for (let v = 0; v < wantedN; v++) shards.push(new Uint8Array(shardLen));

    const t = fieldTables();
    const runs = shardLen / 2;
    const maxWidth = batchWidth(n, runs);
    const codeword = new Uint16Array(n * maxWidth);
    const message = new Uint16Array(k * maxWidth);
    const len = bytes.length;
    for (let start = 0; start < runs; start += maxWidth) {
      const width = Math.min(maxWidth, runs - start);
      // `elm_data`: symbol i of run start + r is payload symbol (start + r) * k + i.
      for (let i = 0; i < k; i++) {
        for (let r = 0; r < width; r++) {
          const b = 2 * ((start + r) * k + i);
          const hi = b < len ? bytes[b]! : 0;
          const lo = b + 1 < len ? bytes[b + 1]! : 0;
          message[i * width + r] = (hi << 8) | lo;
        }
      }
      codeword.set(message.subarray(0, k * width));
      encodeLowBatch(t, codeword, width, k, n, wantedN);
      // Restore `M`.
      codeword.set(message.subarray(0, k * width));
      for (let v = 0; v < wantedN; v++) {
        const shard = shards[v]!;
        const row = v * width;
        for (let r = 0; r < width; r++) {
          const x = codeword[row + r]!;
          shard[2 * (start + r)] = x >>> 8;
          shard[2 * (start + r) + 1] = x & 0xff;
        }
      }
    }
    return ok(shards);
  }

  /**
   * `reconstruct`: the message from the received shards (`receivedShards[i]` is shard i or
   * undefined; missing entries up to n' count as absent, entries past n' are ignored). Returns
   * `shard_len_in_syms * 2k` bytes: the payload then zero padding. Run i is `reconstruct_sub`'s;
   * the runs are decoded in batches (see "Batches"), and the final FFT of `decode_main` computes
   * only the k rows `reconstruct_sub` reads.
   */
  reconstruct(
    receivedShards: readonly (Uint8Array | undefined)[],
  ): Result<Uint8Array, NovelpolyError> {
    const { n, k } = this;
    const shards: (Uint8Array | undefined)[] = [];
    for (let i = 0; i < n; i++) {
      shards.push(i < receivedShards.length ? receivedShards[i] : undefined);
    }

    let existentialCount = 0;
    const erasures = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const erased = shards[i] === undefined;
      erasures[i] = erased ? 1 : 0;
      if (!erased) existentialCount++;
    }
    if (existentialCount < k) {
      return err({ code: "NeedMoreShards", have: existentialCount, min: k, all: n });
    }

    // A sample of a shard length, assumed to be the truth (`AsRef<[[u8; 2]]>` asserts evenness).
    const firstIdx = shards.findIndex((s) => s !== undefined);
    const firstLenBytes = shards[firstIdx]!.length;
    check(firstLenBytes % 2 === 0, "shard length is even");
    const shardLenInSyms = firstLenBytes / 2;
    if (shardLenInSyms === 0) return err({ code: "EmptyShard" });
    for (let i = firstIdx + 1; i < n; i++) {
      const s = shards[i];
      if (s === undefined) continue;
      check(s.length % 2 === 0, "shard length is even");
      if (s.length / 2 !== shardLenInSyms) {
        return err({
          code: "InconsistentShardLengths",
          first: shardLenInSyms,
          other: s.length / 2,
        });
      }
    }

    // The error locator polynomial, evaluated once.
    const errorPolyInLog = new Uint16Array(FIELD_SIZE);
    evalErrorPolynomial(erasures, errorPolyInLog, FIELD_SIZE);

    const t = fieldTables();
    const acc = new Uint8Array(shardLenInSyms * 2 * k);
    const maxWidth = batchWidth(n, shardLenInSyms);
    const codeword = new Uint16Array(n * maxWidth);
    for (let start = 0; start < shardLenInSyms; start += maxWidth) {
      const width = Math.min(maxWidth, shardLenInSyms - start);
      // Symbol start + r of every shard; absent ones 0.
      for (let v = 0; v < n; v++) {
        const s = shards[v];
        const row = v * width;
        if (s === undefined) {
          codeword.fill(0, row, row + width);
          continue;
        }
        for (let r = 0; r < width; r++) {
          codeword[row + r] = (s[2 * (start + r)]! << 8) | s[2 * (start + r) + 1]!;
        }
      }
      // `recovered`: the present symbols among the first k now, the erased ones once decoded.
      this.writeRecovered(acc, codeword, width, start, erasures, 0);
      decodeMainBatch(t, codeword, width, k, erasures, errorPolyInLog, n, k);
      this.writeRecovered(acc, codeword, width, start, erasures, 1);
    }
    return ok(acc);
  }

  /** Writes rows i < k with `erasures[i] === erased` of a batch as runs start.. of `acc`. */
  private writeRecovered(
    acc: Uint8Array,
    codeword: Uint16Array,
    width: number,
    start: number,
    erasures: Uint8Array,
    erased: number,
  ): void {
    const k2 = 2 * this.k;
    for (let i = 0; i < this.k; i++) {
      if (erasures[i] !== erased) continue;
      const row = i * width;
      for (let r = 0; r < width; r++) {
        const x = codeword[row + r]!;
        const at = (start + r) * k2 + 2 * i;
        acc[at] = x >>> 8;
        acc[at + 1] = x & 0xff;
      }
    }
  }
}
