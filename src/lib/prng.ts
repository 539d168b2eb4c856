/**
 * Seeded pseudo-random numbers with an integer API: one seed drives a run (STYLE.md rule 7).
 *
 * Generator: xoshiro128** 1.1 (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c),
 * 128 bits of state, period 2^128 - 1, written with `Math.imul` and `>>> 0` so every step is pure
 * 32-bit integer arithmetic and gives the same sequence on every JavaScript engine. Written by hand
 * (about 20 lines) instead of pure-rand: we need keyed `fork` streams, and it is one less
 * dependency for the browser build; a known-answer test pins it against the C reference.
 *
 * Streams and forks. Every stream has a 32-byte key. The root key is
 * `blake2b-256("parapipe.prng.v1/" + kind + ":" + seed)`; a child's key is
 * `blake2b-256(parentKey ++ utf8(label))`. The generator state is the first 16 bytes of the key
 * (four little-endian uint32). So `fork(label)` depends only on the parent's SEED (its key) and the
 * label, never on how many numbers the parent has drawn: a new draw in one component never
 * reshuffles another. Consequence: forking the same label twice gives the same stream; give every
 * component (and every node inside one) its own label (`rng.fork("network")`, `.fork("v3")`).
 *
 * Derived streams. `derive(a, b)` is a cheap child keyed by two uint32 (say a message and a
 * receiver): its state is the parent key's words mixed with `a` and `b` by murmur3's `fmix32`, no
 * hashing of labels, so one per message copy costs next to nothing. Like `fork` it depends only on
 * the parent's key; unlike `fork` it cannot be forked again.
 *
 * Derived draws (all deterministic, no `Math.log`/`Math.cos`, whose last bits may differ between
 * engines):
 * - `int(n)`: uniform in [0, n) by rejection (no modulo bias), n up to 2^53.
 * - `float()`: 53 random bits / 2^53, in [0, 1).
 * - `bernoulli(p)`: exactly one uint32 draw, true iff draw < p * 2^32 (resolution 2^-32).
 * - `normal()`: Irwin–Hall approximation of the standard normal, sum of 12 uniforms minus 6. Mean 0,
 *   variance 1, support [-6, 6] (so it is already truncated), computed exactly in doubles (sums of
 *   integers, then a division by a power of two). Good enough for latency jitter; not for tails.
 */
import { blake2b } from "@noble/hashes/blake2.js";
import { assert } from "./assert.ts";

const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_53 = 2 ** 53;
const utf8 = new TextEncoder();
/** `derive`'s state words, copied by the constructor. */
const deriveScratch = [0, 0, 0, 0];

function rootKey(seed: number | string): Uint8Array {
  let text: string;
  if (typeof seed === "number") {
    assert(Number.isSafeInteger(seed), () => `prng seed must be a safe integer, got ${seed}`);
    text = `parapipe.prng.v1/n:${seed}`;
  } else {
    text = `parapipe.prng.v1/s:${seed}`;
  }
  return blake2b(utf8.encode(text), { dkLen: 32 });
}

/** murmur3's 32-bit finaliser: a bijection that spreads every input bit over the output. */
function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

function readU32le(bytes: Uint8Array, offset: number): number {
  return (
    (bytes[offset]! |
      (bytes[offset + 1]! << 8) |
      (bytes[offset + 2]! << 16) |
      (bytes[offset + 3]! << 24)) >>>
    0
  );
}

export class Prng {
  /** The key `fork` derives from; null for a `derive`d stream (not forkable). */
  private readonly key: Uint8Array | null;
  /** The path, or for a derived stream its parent's path (see `path`). */
  private readonly pathBase: string;
  /** The keys of a derived stream (-1 otherwise). */
  private derivedA = -1;
  private derivedB = -1;
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  private constructor(
    key: Uint8Array | null,
    pathBase: string,
    state?: readonly number[],
    derivedA = -1,
    derivedB = -1,
  ) {
    this.key = key;
    this.pathBase = pathBase;
    const w =
      state ??
      (key === null
        ? [0, 0, 0, 0]
        : [readU32le(key, 0), readU32le(key, 4), readU32le(key, 8), readU32le(key, 12)]);
    this.reset(w, derivedA, derivedB);
  }

  /** Human-readable derivation path, e.g. `1/network/v3`; for logs and error messages. */
  get path(): string {
    return this.derivedA < 0 ? this.pathBase : `${this.pathBase}#${this.derivedA}.${this.derivedB}`;
  }

  /** The root stream of a run. */
  static fromSeed(seed: number | string): Prng {
    return new Prng(rootKey(seed), String(seed));
  }

  /**
   * A stream starting from raw xoshiro128** state words (for the reference test). Its key, used by
   * `fork`, is derived from the words.
   */
  static fromState(words: readonly [number, number, number, number]): Prng {
    const bytes = new Uint8Array(16);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < 4; i++) view.setUint32(4 * i, words[i]! >>> 0, true);
    return new Prng(blake2b(bytes, { dkLen: 32 }), `state:${words.join(",")}`, words);
  }

  /** A child stream derived from this stream's key and `label`, independent of draws made so far. */
  fork(label: string): Prng {
    assert(label.length > 0, "prng fork label must be non-empty");
    const key = this.key;
    assert(key !== null, () => `prng ${this.path}: a derived stream cannot be forked`);
    const l = utf8.encode(label);
    const input = new Uint8Array(key.length + l.length);
    input.set(key, 0);
    input.set(l, key.length);
    return new Prng(blake2b(input, { dkLen: 32 }), `${this.path}/${label}`);
  }

  /**
   * A copy of this stream as it stands (its key, path and position): the copy draws what this
   * stream would draw from here on, and the two advance independently (a replay of a sequence).
   */
  clone(): Prng {
    return new Prng(
      this.key,
      this.pathBase,
      [this.s0, this.s1, this.s2, this.s3],
      this.derivedA,
      this.derivedB,
    );
  }

  /**
   * A cheap child stream keyed by two uint32 `a` and `b` (see the header): independent of the
   * draws made so far, the same for the same `(a, b)`, not forkable.
   */
  derive(a: number, b: number): Prng {
    this.deriveWords(a, b);
    return new Prng(null, this.pathBase, deriveScratch, a, b);
  }

  /**
   * `derive(a, b)` written over `into` (a stream this one derived before) instead of a new object:
   * the same draws, one allocation less per use, for a caller that is done with `into`'s
   * previous draws (performance: lazily computed message copies).
   */
  rederive(into: Prng, a: number, b: number): Prng {
    assert(
      into.key === null && into.pathBase === this.pathBase,
      () => `prng rederive: ${into.path} was not derived from ${this.path}`,
    );
    const w = this.deriveWords(a, b);
    into.reset(w, a, b);
    return into;
  }

  /** Starts over from state words `w` (copied), as the stream derived with keys `a`, `b`. */
  private reset(w: readonly number[], a: number, b: number): void {
    this.derivedA = a;
    this.derivedB = b;
    this.s0 = w[0]! >>> 0;
    this.s1 = w[1]! >>> 0;
    this.s2 = w[2]! >>> 0;
    this.s3 = w[3]! >>> 0;
    // xoshiro's one forbidden state; a 2^-128 event for hashed keys, reachable only via fromState.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The state words of `derive(a, b)`, in the shared scratch array. */
  private deriveWords(a: number, b: number): readonly number[] {
    const key = this.key;
    assert(key !== null, () => `prng ${this.path}: a derived stream cannot derive`);
    assert(
      Number.isInteger(a) &&
        a >= 0 &&
        a < TWO_POW_32 &&
        Number.isInteger(b) &&
        b >= 0 &&
        b < TWO_POW_32,
      () => `prng derive: a and b must be uint32, got ${a}, ${b}`,
    );
    // Every state word depends on the key, `a` and `b`. The constructor copies the words, so one
    // scratch array serves every derivation (one allocation less per message copy).
    const words = deriveScratch;
    for (let i = 0; i < 4; i++) {
      const mixed = fmix32(fmix32(a + Math.imul(i + 1, 0x9e3779b9)) ^ b);
      words[i] = fmix32(readU32le(key, 16 + 4 * i) ^ mixed);
    }
    return words;
  }

  /** Next uint32, uniform in [0, 2^32). */
  uint32(): number {
    const s1 = this.s1;
    const r = Math.imul(s1, 5);
    const result = Math.imul((r << 7) | (r >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** Uniform integer in [0, n), without modulo bias. `n` is an integer in [1, 2^53]. */
  int(n: number): number {
    if (n <= TWO_POW_32) {
      assert(
        Number.isInteger(n) && n >= 1,
        () => `prng int(n): n must be an integer >= 1, got ${n}`,
      );
      // Reject the top 2^32 mod n values so that every residue is equally likely.
      const limit = TWO_POW_32 - (TWO_POW_32 % n);
      let x = this.uint32();
      while (x >= limit) x = this.uint32();
      return x % n;
    }
    assert(
      Number.isInteger(n) && n <= TWO_POW_53,
      () => `prng int(n): n must be <= 2^53, got ${n}`,
    );
    const limit = TWO_POW_53 - (TWO_POW_53 % n);
    let x = this.bits53();
    while (x >= limit) x = this.bits53();
    return x % n;
  }

  /** Uniform integer in [lo, hi], both inclusive. */
  intBetween(lo: number, hi: number): number {
    assert(hi >= lo, () => `prng intBetween: hi (${hi}) < lo (${lo})`);
    return lo + this.int(hi - lo + 1);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  float(): number {
    return this.bits53() / TWO_POW_53;
  }

  /** True with probability `p` (0 <= p <= 1); always consumes exactly one uint32. */
  bernoulli(p: number): boolean {
    assert(p >= 0 && p <= 1, () => `prng bernoulli: p must be in [0, 1], got ${p}`);
    return this.uint32() < p * TWO_POW_32;
  }

  /** Approximately standard normal (Irwin–Hall, 12 uniforms): mean 0, variance 1, in [-6, 6]. */
  normal(): number {
    let sum = 0;
    for (let i = 0; i < 12; i++) sum += this.uint32();
    return sum / TWO_POW_32 - 6;
  }

  /** `mean + sd * normal()`. */
  gaussian(mean: number, sd: number): number {
    return mean + sd * this.normal();
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    assert(items.length > 0, "prng pick from an empty array");
    return items[this.int(items.length)]!;
  }

  /** Fisher–Yates shuffle, in place; returns `items`. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  private bits53(): number {
    const hi = this.uint32() >>> 5; // 27 bits
    const lo = this.uint32() >>> 6; // 26 bits
    return hi * 67108864 + lo;
  }
}
