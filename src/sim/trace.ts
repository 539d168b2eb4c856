/**
 * The run's trace: one entry per notable event (virtual time, actor, kind, compact detail) and a
 * running blake2b-256 hash over a canonical encoding of every entry. Two runs of the same scenario
 * and seed must end with the same trace hash (STYLE.md rule 7); the determinism tests compare it.
 *
 * Encoding of one entry: `canonicalJson([time, actor, kind, detail ?? null]) + "\n"`, UTF-8. The
 * hash is blake2b-256 of the concatenation of all entries so far (a streaming hasher: no per-entry
 * finalisation), so it commits to the order of entries. Canonical JSON: object keys sorted by
 * UTF-16 code units, no whitespace, `undefined` members omitted, `Uint8Array` as 0x-hex, bigint as
 * the string `"<digits>n"`; non-finite numbers, functions, Maps and Sets are bugs and assert.
 *
 * Retention: by default entries are only hashed (big runs); `retain: n` keeps the last n entries
 * (a ring buffer, e.g. the context printed when a checker fails), `retain: Infinity` keeps all.
 */
import { blake2b } from "@noble/hashes/blake2.js";
import { assert } from "../lib/assert.ts";
import { type Hash, toHex } from "../lib/hex.ts";
import type { Time } from "./scheduler.ts";

export type TraceDetail = Readonly<Record<string, unknown>>;

export interface TraceEntry {
  readonly time: Time;
  readonly actor: string;
  readonly kind: string;
  readonly detail?: TraceDetail;
}

export interface TraceOptions {
  /** How many of the most recent entries to keep in memory: 0 (default), n, or Infinity. */
  readonly retain?: number;
}

/** Deterministic JSON: sorted keys, no whitespace. See the module header for the rules. */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      assert(Number.isFinite(value), () => `canonicalJson: non-finite number ${value}`);
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return `"${value}n"`;
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ",";
          out += value[i] === undefined ? "null" : canonicalJson(value[i]);
        }
        return `${out}]`;
      }
      if (value instanceof Uint8Array) return JSON.stringify(toHex(value));
      assert(
        !(value instanceof Map) && !(value instanceof Set),
        "canonicalJson: Map/Set are not supported; convert to an object or array",
      );
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      let out = "{";
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        if (!first) out += ",";
        first = false;
        out += `${JSON.stringify(k)}:${canonicalJson(v)}`;
      }
      return `${out}}`;
    }
    default:
      assert(false, () => `canonicalJson: unsupported ${typeof value}`);
  }
}

/** The canonical text of one entry, as hashed (including the trailing newline). */
export function encodeTraceEntry(entry: TraceEntry): string {
  return `${canonicalJson([entry.time, entry.actor, entry.kind, entry.detail ?? null])}\n`;
}

const utf8 = new TextEncoder();

export class Trace {
  private readonly hasher = blake2b.create({ dkLen: 32 });
  private cachedHash: Hash | undefined;
  private recorded = 0;
  private readonly retain: number;
  private readonly ring: TraceEntry[] = [];
  /** Next write position in `ring` once it is full. */
  private ringHead = 0;
  private buf = new Uint8Array(1024);

  constructor(options: TraceOptions = {}) {
    const retain = options.retain ?? 0;
    assert(
      retain === Number.POSITIVE_INFINITY || (Number.isInteger(retain) && retain >= 0),
      () => `Trace: retain must be an integer >= 0 or Infinity, got ${retain}`,
    );
    this.retain = retain;
  }

  record(time: Time, actor: string, kind: string, detail?: TraceDetail): void {
    const entry: TraceEntry =
      detail === undefined ? { time, actor, kind } : { time, actor, kind, detail };
    this.hashText(encodeTraceEntry(entry));
    this.recorded++;
    if (this.retain === 0) return;
    if (this.ring.length < this.retain) {
      this.ring.push(entry);
    } else {
      this.ring[this.ringHead] = entry;
      this.ringHead = (this.ringHead + 1) % this.retain;
    }
  }

  /** blake2b-256 over every entry recorded so far (of the empty trace when none). */
  get hash(): Hash {
    if (this.cachedHash === undefined) this.cachedHash = toHex(this.hasher.clone().digest());
    return this.cachedHash;
  }

  /** Entries recorded so far (retained or not). */
  get count(): number {
    return this.recorded;
  }

  /** The retained entries, oldest first (a copy). */
  entries(): TraceEntry[] {
    return this.ring.slice(this.ringHead).concat(this.ring.slice(0, this.ringHead));
  }

  private hashText(text: string): void {
    // encodeInto a reused buffer: no allocation per entry. UTF-8 needs at most 3 bytes per UTF-16
    // code unit.
    if (this.buf.length < text.length * 3) this.buf = new Uint8Array(text.length * 3);
    const { written } = utf8.encodeInto(text, this.buf);
    this.hasher.update(this.buf.subarray(0, written));
    this.cachedHash = undefined;
  }
}
