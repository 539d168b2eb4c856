/**
 * Reading vector JSON with errors that say where: every accessor names the key path, what was
 * expected and what was found. A malformed vector is a `VectorError` (exit 2), never a FAIL.
 */
import { type Hash, type Hex, isHex } from "../lib/hex.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export class VectorError extends Error {
  override readonly name = "VectorError";
}

export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const s = JSON.stringify(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A typed view of one JSON object in a vector, at a known path. */
export class Reader {
  constructor(
    readonly obj: JsonObject,
    readonly path: string,
  ) {}

  static of(value: unknown, path: string): Reader {
    if (!isObject(value))
      throw new VectorError(`${path}: expected an object, got ${describe(value)}`);
    return new Reader(value, path);
  }

  at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  /**
   * Refuse any key outside `allowed` (FORMAT.md: a key the runner does not know is an error of
   * the vector, never ignored), naming its path and the keys that are allowed.
   */
  onlyKeys(allowed: readonly string[]): this {
    for (const key of Object.keys(this.obj)) {
      if (!allowed.includes(key)) {
        throw new VectorError(
          `${this.at(key)}: unknown key (allowed: ${allowed.length > 0 ? allowed.join(", ") : "none"})`,
        );
      }
    }
    return this;
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined;
  }

  raw(key: string): Json | undefined {
    return this.obj[key];
  }

  fail(key: string, expected: string): never {
    throw new VectorError(`${this.at(key)}: expected ${expected}, got ${describe(this.obj[key])}`);
  }

  num(key: string): number {
    const v = this.obj[key];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)
      this.fail(key, "an integer >= 0");
    return v;
  }

  numOr(key: string, fallback: number): number {
    return this.has(key) ? this.num(key) : fallback;
  }

  /** A number or null. */
  optNum(key: string): number | null {
    const v = this.obj[key];
    return v === null || v === undefined ? null : this.num(key);
  }

  bool(key: string): boolean {
    const v = this.obj[key];
    if (typeof v !== "boolean") this.fail(key, "a boolean");
    return v;
  }

  str(key: string): string {
    const v = this.obj[key];
    if (typeof v !== "string") this.fail(key, "a string");
    return v;
  }

  oneOf<T extends string>(key: string, options: readonly T[]): T {
    const v = this.obj[key];
    if (typeof v !== "string" || !(options as readonly string[]).includes(v)) {
      this.fail(key, `one of ${options.map((o) => JSON.stringify(o)).join(", ")}`);
    }
    return v as T;
  }

  hex(key: string): Hex {
    const v = this.obj[key];
    if (!isHex(v)) this.fail(key, "0x-hex bytes");
    return v.toLowerCase();
  }

  optHex(key: string): Hex | null {
    const v = this.obj[key];
    return v === null || v === undefined ? null : this.hex(key);
  }

  hash(key: string): Hash {
    const v = this.obj[key];
    if (!isHex(v, 32)) this.fail(key, "a 32-byte 0x-hex hash");
    return v.toLowerCase();
  }

  sub(key: string): Reader {
    const v = this.obj[key];
    if (!isObject(v)) this.fail(key, "an object");
    return new Reader(v, this.at(key));
  }

  optObj(key: string): Reader | null {
    const v = this.obj[key];
    return v === null || v === undefined ? null : this.sub(key);
  }

  arr(key: string): Json[] {
    const v = this.obj[key];
    if (!Array.isArray(v)) this.fail(key, "an array");
    return v;
  }

  optArr(key: string): Json[] | null {
    const v = this.obj[key];
    return v === null || v === undefined ? null : this.arr(key);
  }

  /** An array of objects, each as a Reader. */
  objs(key: string): Reader[] {
    return this.arr(key).map((v, i) => Reader.of(v, `${this.at(key)}[${i}]`));
  }

  /** An array of integers. */
  nums(key: string): number[] {
    return this.arr(key).map((v, i) => {
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
        throw new VectorError(
          `${this.at(key)}[${i}]: expected an integer >= 0, got ${describe(v)}`,
        );
      }
      return v;
    });
  }

  /** An array of hex strings. */
  hexes(key: string): Hex[] {
    return this.arr(key).map((v, i) => {
      if (!isHex(v))
        throw new VectorError(`${this.at(key)}[${i}]: expected 0x-hex, got ${describe(v)}`);
      return v.toLowerCase();
    });
  }

  strs(key: string): string[] {
    return this.arr(key).map((v, i) => {
      if (typeof v !== "string") {
        throw new VectorError(`${this.at(key)}[${i}]: expected a string, got ${describe(v)}`);
      }
      return v;
    });
  }

  /** An object keyed by decimal integers (para ids, core indices): entries sorted by key. */
  numKeyed<T>(key: string, read: (value: Json, path: string) => T): Map<number, T> {
    const r = this.sub(key);
    const out = new Map<number, T>();
    const keys = Object.keys(r.obj)
      .map((k) => {
        if (!/^\d+$/.test(k)) throw new VectorError(`${r.at(k)}: expected a decimal integer key`);
        return Number(k);
      })
      .sort((a, b) => a - b);
    for (const k of keys) out.set(k, read(r.obj[String(k)]!, r.at(String(k))));
    return out;
  }
}
