/**
 * GF(2^16) as reed-solomon-novelpoly v2.0.0 builds it: the field its Reed-Solomon code works in.
 *
 * An element is a 16-bit integer whose bits are coordinates over the Cantor basis `CANTOR_BASIS`
 * (novelpoly's `Additive`); addition is XOR. Multiplication goes through logarithms: `LOG_TABLE`
 * maps an element to its discrete logarithm (novelpoly's `Multiplier` form, in 0..65534, and
 * 65535 for the zero element), `EXP_TABLE` maps a logarithm back. The elements' polynomial
 * representation (reduction polynomial x^16 + x^5 + x^3 + x^2 + 1, stored as its tail `GENERATOR`
 * = 0x2D) appears only while the tables are built.
 *
 * Follows line by line:
 * - `write_field_tables` (inc_gen_field_tables.rs, run by novelpoly's build.rs): LOG_TABLE,
 *   EXP_TABLE, LOG_WALSH;
 * - `Additive::mul` (inc_log_mul.rs): `mulByLog`, including its quirk that a multiplier of 65535
 *   (the log of zero) multiplies by one, which is why the FFTs skip a skew of 65535;
 * - `walsh_plain` (inc_log_mul.rs): `walsh`;
 * - `AdditiveFFT::initalize` (inc_afft.rs): the skew factors `SKEWS`, in multiplier form. Its
 *   `B` table exists only under `cfg(b_is_not_one)`, which novelpoly's build never sets (it
 *   would multiply by one), so it is not built;
 * - `gf_mul_bitpoly_reduced` (gen.rs, used by novelpoly's `cantor_basis` test):
 *   `mulPolynomialBasis`, a table-free reference multiplication for the tests.
 * Simplified: novelpoly's AVX (`faster8`) variants are not ported (they compute the same values),
 * nor the experimental GF(2^8) field.
 *
 * The tables (3 x 128 KiB and the skews) are a pure function of the constants above, built the
 * first time `fieldTables()` is called and kept in a module-level cache object (no import-time
 * work; the cache cannot make one run depend on another). Equality with the tables novelpoly's
 * build generates is UNVERIFIED (no Rust on this machine); the tests pin checksums of the tables
 * built by novelpoly's bundled C reference (cxx/RSErasureCode.c, `setup()`, which these Rust
 * routines were ported from), and check the field laws, the Cantor-basis identity and that the
 * table multiplication is the polynomial one.
 *
 * Ref: paritytech/reed-solomon-novelpoly v2.0.0 reed-solomon-novelpoly/src/field/{gen.rs,
 *      f2e16.rs, inc_log_mul.rs, inc_afft.rs}, reed-solomon-novelpoly/inc_gen_field_tables.rs.
 */

/** `FIELD_BITS`. */
export const FIELD_BITS = 16;
/** `FIELD_SIZE`: 65536 elements. */
export const FIELD_SIZE = 1 << FIELD_BITS;
/** `ONEMASK`: the order of the multiplicative group, 65535; also the log stored for zero. */
export const ONEMASK = FIELD_SIZE - 1;
/** `GENERATOR`: the tail of the reduction polynomial x^16 + x^5 + x^3 + x^2 + 1. */
export const GENERATOR = 0x2d;
/** `BASE`: the Cantor basis, in polynomial representation. */
export const CANTOR_BASIS: readonly number[] = Object.freeze([
  1, 44234, 15374, 5694, 50562, 60718, 37196, 16402, 27800, 4312, 27250, 47360, 64952, 64308, 65336,
  39198,
]);

/** The tables novelpoly generates at build time (`LOG_TABLE`, `EXP_TABLE`, `LOG_WALSH`) or at
 * start-up (`AFFT.skews`). Never written after they are built. */
export interface FieldTables {
  /** `LOG_TABLE[element]`: its logarithm (65535 for zero). */
  readonly log: Uint16Array;
  /** `EXP_TABLE[log]`: the element; `EXP_TABLE[65535] = EXP_TABLE[0] = 1`. */
  readonly exp: Uint16Array;
  /** `LOG_WALSH`: the Walsh transform of `LOG_TABLE` with entry 0 set to 0. */
  readonly logWalsh: Uint16Array;
  /** `AFFT.skews`: the additive FFT's skew factors in multiplier (log) form, 65535 entries. */
  readonly skews: Uint16Array;
}

const cache: { tables?: FieldTables } = {};

/** The field's tables, built on the first call. */
export function fieldTables(): FieldTables {
  if (cache.tables === undefined) cache.tables = buildTables();
  return cache.tables;
}

function buildTables(): FieldTables {
  const { log, exp } = logExpTables();
  const logWalsh = log.slice();
  logWalsh[0] = 0;
  walsh(logWalsh, FIELD_SIZE);
  const skews = skewFactors(log, exp);
  return { log, exp, logWalsh, skews };
}

/** `write_field_tables`, the LOG_TABLE / EXP_TABLE part. */
function logExpTables(): { log: Uint16Array; exp: Uint16Array } {
  const log = new Uint16Array(FIELD_SIZE);
  const exp = new Uint16Array(FIELD_SIZE);
  // Discrete logs in the polynomial representation, temporarily in `exp`.
  const mas = (1 << (FIELD_BITS - 1)) - 1;
  let state = 1;
  for (let i = 0; i < ONEMASK; i++) {
    exp[state] = i;
    if (state >> (FIELD_BITS - 1) !== 0) {
      state &= mas;
      state = (state << 1) ^ GENERATOR;
    } else {
      state <<= 1;
    }
  }
  exp[0] = ONEMASK;
  // Cantor coordinates -> polynomial representation -> logarithm.
  log[0] = 0;
  for (let i = 0; i < FIELD_BITS; i++) {
    const base = CANTOR_BASIS[i]!;
    for (let j = 0; j < 1 << i; j++) log[j + (1 << i)] = log[j]! ^ base;
  }
  for (let i = 0; i < FIELD_SIZE; i++) log[i] = exp[log[i]!]!;
  for (let i = 0; i < FIELD_SIZE; i++) exp[log[i]!] = i;
  exp[ONEMASK] = exp[0]!;
  return { log, exp };
}

/**
 * `Additive::mul`: `a * EXP[logB]`, with `logB` in multiplier form (0..65535). Zero times
 * anything is zero; a `logB` of 65535 multiplies by one (see the header).
 */
export function mulByLog(t: Pick<FieldTables, "log" | "exp">, a: number, logB: number): number {
  if (a === 0) return 0;
  const l = t.log[a]! + logB;
  return t.exp[(l & ONEMASK) + (l >>> FIELD_BITS)]!;
}

/** The field product of two elements (both in additive form). */
export function mul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  const t = fieldTables();
  return mulByLog(t, a, t.log[b]!);
}

/** `walsh_plain`: the fast Walsh-Hadamard transform of log-form values, modulo 65535. */
export function walsh(data: Uint16Array, size: number): void {
  if (data.length < size) throw new Error(`walsh: ${data.length} values, size ${size}`);
  const mask = ONEMASK;
  let departNo = 1;
  while (departNo < size) {
    let j = 0;
    while (j < size) {
      for (let i = j; i < j + departNo; i++) {
        // In field form: data[i] := data[i] / data[i + departNo],
        // data[i + departNo] := data[i] * data[i + departNo].
        const a = data[i]!;
        const b = data[i + departNo]!;
        const tmp2 = a + mask - b;
        const tmp1 = a + b;
        data[i] = (tmp1 & mask) + (tmp1 >>> FIELD_BITS);
        data[i + departNo] = (tmp2 & mask) + (tmp2 >>> FIELD_BITS);
      }
      j += departNo << 1;
    }
    departNo <<= 1;
  }
}

/** `AdditiveFFT::initalize`: the skew factors, built in additive form then taken to logs. */
function skewFactors(log: Uint16Array, exp: Uint16Array): Uint16Array {
  const t = { log, exp };
  const base = new Uint16Array(FIELD_BITS - 1);
  const skewsAdditive = new Uint16Array(ONEMASK);
  for (let i = 1; i < FIELD_BITS; i++) base[i - 1] = 1 << i;

  for (let m = 0; m < FIELD_BITS - 1; m++) {
    const step = 1 << (m + 1);
    skewsAdditive[(1 << m) - 1] = 0;
    for (let i = m; i < FIELD_BITS - 1; i++) {
      const s = 1 << (i + 1);
      let j = (1 << m) - 1;
      while (j < s) {
        skewsAdditive[j + s] = skewsAdditive[j]! ^ base[i]!;
        j += step;
      }
    }
    // base[m] = ONEMASK - LOG[base[m] * (base[m] ^ 1)]
    const idx = mulByLog(t, base[m]!, log[base[m]! ^ 1]!);
    base[m] = ONEMASK - log[idx]!;
    // base[i] = base[i] * EXP[(LOG[base[i] ^ 1] + base[m]) % ONEMASK]
    for (let i = m + 1; i < FIELD_BITS - 1; i++) {
      const b = (log[base[i]! ^ 1]! + base[m]!) % ONEMASK;
      base[i] = mulByLog(t, base[i]!, b);
    }
  }

  const skews = new Uint16Array(ONEMASK);
  for (let i = 0; i < ONEMASK; i++) skews[i] = log[skewsAdditive[i]!]!;
  return skews;
}

/**
 * `gf_mul_bitpoly_reduced`: the product in the POLYNOMIAL representation (not the Cantor
 * coordinates the tables use), by shift-and-add and reduction. No tables; for the tests.
 */
export function mulPolynomialBasis(a: number, b: number): number {
  let r = 0;
  for (let i = 0; i < FIELD_BITS; i++) if ((b >> i) & 1) r ^= a << i;
  const red = (1 << FIELD_BITS) + GENERATOR;
  for (let i = FIELD_BITS * 2 - 1; i >= FIELD_BITS; i--) {
    if (r & (1 << i)) r ^= red << (i - FIELD_BITS);
  }
  return r;
}

/** An element's polynomial representation: the XOR of the basis vectors its bits select. */
export function toPolynomialBasis(a: number): number {
  let r = 0;
  for (let i = 0; i < FIELD_BITS; i++) if ((a >> i) & 1) r ^= CANTOR_BASIS[i]!;
  return r;
}
