/**
 * FORMAT.md's matching rules. Objects in an expectation are compared on the keys it lists
 * (partial match, recursively); arrays are compared whole, element by element, unless the actual
 * value is an `UnorderedList` (a SET), then as multisets; scalars with `===`.
 * Actual values are first normalised to JSON (Uint8Array -> hex, Map -> object, Set -> SET).
 */
import { toHex } from "../lib/hex.ts";
import { isObject, type Json } from "./json.ts";
import { UnorderedList } from "./suite.ts";

/** Normalise an implementation value into JSON-like data (sets stay `UnorderedList`). */
export function normalise(value: unknown): unknown {
  if (value instanceof UnorderedList) return new UnorderedList(value.items.map(normalise));
  if (value instanceof Uint8Array) return toHex(value);
  if (value instanceof Set) return new UnorderedList([...value].map(normalise));
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = normalise(v);
    return out;
  }
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string" && /^0x[0-9A-F]*$/i.test(value)) return value.toLowerCase();
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = normalise(v);
    return out;
  }
  return value;
}

function show(value: unknown): string {
  if (value instanceof UnorderedList) return `SET ${show(value.items)}`;
  if (value === undefined) return "nothing";
  const s = JSON.stringify(value, (_k, v) => (v instanceof UnorderedList ? v.items : v));
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (v instanceof UnorderedList) return [...v.items.map(canonical)].sort();
    if (isObject(v))
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)));
    return v;
  });
}

/** Differences between an expectation and a normalised actual value ("" path = the root). */
export function differences(expected: Json, actual: unknown, path = ""): string[] {
  const where = path === "" ? "" : `${path}: `;
  if (isObject(expected)) {
    if (
      typeof actual !== "object" ||
      actual === null ||
      Array.isArray(actual) ||
      actual instanceof UnorderedList
    ) {
      return [`${where}expected an object ${show(expected)}, got ${show(actual)}`];
    }
    const out: string[] = [];
    const rec = actual as Record<string, unknown>;
    for (const [k, v] of Object.entries(expected)) {
      const sub = path === "" ? k : `${path}.${k}`;
      if (!(k in rec)) out.push(`${sub}: expected ${show(v)}, got nothing`);
      else out.push(...differences(v, rec[k], sub));
    }
    return out;
  }
  if (Array.isArray(expected)) {
    if (actual instanceof UnorderedList) {
      const a = actual.items.map(canonical).sort();
      const e = expected.map(canonical).sort();
      return a.length === e.length && a.every((x, i) => x === e[i])
        ? []
        : [`${where}expected the set ${show(expected)}, got ${show(actual)}`];
    }
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      return [`${where}expected ${show(expected)}, got ${show(actual)}`];
    }
    const out: string[] = [];
    expected.forEach((e, i) => {
      out.push(...differences(e, actual[i], `${path}[${i}]`));
    });
    return out.length > 0 ? [`${where}expected ${show(expected)}, got ${show(actual)}`] : [];
  }
  const e =
    typeof expected === "string" && /^0x[0-9a-f]*$/i.test(expected)
      ? expected.toLowerCase()
      : expected;
  return e === actual ? [] : [`${where}expected ${show(expected)}, got ${show(actual)}`];
}
