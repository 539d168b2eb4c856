/**
 * Memoisation in a `Map` or `WeakMap`: the value cached under a key, computed on first use (what
 * `Map.prototype.getOrInsertComputed` will do once Node has it).
 *
 * Invariant: `compute` never returns `undefined` (it would be computed again on every call).
 */

/** The part of `Map` and `WeakMap` a cache needs. */
export interface Cache<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): unknown;
}

/** `cache`'s value for `key`, computed by `compute(key)` and stored on first use. */
export function getOrInsertComputed<K, V>(cache: Cache<K, V>, key: K, compute: (key: K) => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = compute(key);
    cache.set(key, value);
  }
  return value;
}
