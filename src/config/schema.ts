/**
 * A small schema language for user input (scenario files): every key is checked, and an error
 * names the key's path, what was expected and what was found, e.g.
 * `parachains[0].runtime.blockProcessingVelocity: expected an integer >= 0, got "fast"`.
 * Hand-written rather than zod so that messages follow that exact shape and unknown keys are
 * always refused.
 */

export type Schema =
  | { readonly kind: "int"; readonly min?: number; readonly max?: number }
  | {
      readonly kind: "number";
      readonly min?: number;
      readonly max?: number;
      readonly above?: number;
    }
  | { readonly kind: "bool" }
  | { readonly kind: "string"; readonly nonEmpty?: boolean }
  | { readonly kind: "enum"; readonly values: readonly string[] }
  | {
      readonly kind: "object";
      readonly fields: Readonly<Record<string, Schema>>;
      /** Every key may be missing, even in a merged scenario (an override, not a whole). */
      readonly partial?: boolean;
    }
  | { readonly kind: "array"; readonly items: Schema; readonly minItems?: number }
  | { readonly kind: "nullable"; readonly inner: Schema }
  | { readonly kind: "any" };

export const int = (min?: number, max?: number): Schema => ({
  kind: "int",
  ...(min === undefined ? {} : { min }),
  ...(max === undefined ? {} : { max }),
});
export const num = (opts: { min?: number; max?: number; above?: number } = {}): Schema => ({
  kind: "number",
  ...opts,
});
export const bool: Schema = { kind: "bool" };
export const str: Schema = { kind: "string", nonEmpty: true };
export const oneOf = (...values: string[]): Schema => ({ kind: "enum", values });
export const obj = (fields: Record<string, Schema>): Schema => ({ kind: "object", fields });
/** An object whose keys are all optional (a change to apply, e.g. a runtime upgrade's). */
export const partialObj = (fields: Readonly<Record<string, Schema>>): Schema => ({
  kind: "object",
  fields,
  partial: true,
});
export const arr = (items: Schema, minItems?: number): Schema => ({
  kind: "array",
  items,
  ...(minItems === undefined ? {} : { minItems }),
});
export const nullable = (inner: Schema): Schema => ({ kind: "nullable", inner });
export const any: Schema = { kind: "any" };

export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object" && value !== null) return "an object";
  return String(value);
}

export function describeSchema(s: Schema): string {
  switch (s.kind) {
    case "int":
      if (s.min !== undefined && s.max !== undefined) return `an integer from ${s.min} to ${s.max}`;
      if (s.min !== undefined) return `an integer >= ${s.min}`;
      return "an integer";
    case "number": {
      const parts: string[] = [];
      if (s.above !== undefined) parts.push(`> ${s.above}`);
      if (s.min !== undefined) parts.push(`>= ${s.min}`);
      if (s.max !== undefined) parts.push(`<= ${s.max}`);
      return `a number${parts.length ? ` ${parts.join(" and ")}` : ""}`;
    }
    case "bool":
      return "true or false";
    case "string":
      return "a non-empty string";
    case "enum":
      return `one of ${s.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "object":
      return "an object";
    case "array":
      return s.minItems ? `a list of at least ${s.minItems}` : "a list";
    case "nullable":
      return `${describeSchema(s.inner)} or null`;
    case "any":
      return "anything";
  }
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Check `value` against `schema`; push one message per problem into `errors`. With
 * `partial`, object keys may be missing (a scenario names only what it overrides).
 */
export function check(
  value: unknown,
  schema: Schema,
  path: string,
  errors: string[],
  partial: boolean,
): void {
  const fail = () =>
    errors.push(`${path || "(top level)"}: expected ${describeSchema(schema)}, got ${show(value)}`);
  switch (schema.kind) {
    case "any":
      return;
    case "nullable":
      if (value !== null) check(value, schema.inner, path, errors, partial);
      return;
    case "int":
      if (typeof value !== "number" || !Number.isSafeInteger(value)) return void fail();
      if (
        (schema.min !== undefined && value < schema.min) ||
        (schema.max !== undefined && value > schema.max)
      )
        fail();
      return;
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) return void fail();
      if (
        (schema.min !== undefined && value < schema.min) ||
        (schema.max !== undefined && value > schema.max) ||
        (schema.above !== undefined && value <= schema.above)
      ) {
        fail();
      }
      return;
    case "bool":
      if (typeof value !== "boolean") fail();
      return;
    case "string":
      if (typeof value !== "string" || (schema.nonEmpty && value.length === 0)) fail();
      return;
    case "enum":
      if (typeof value !== "string" || !schema.values.includes(value)) fail();
      return;
    case "array":
      if (
        !Array.isArray(value) ||
        (schema.minItems !== undefined && value.length < schema.minItems)
      ) {
        return void fail();
      }
      value.forEach((item, i) => {
        check(item, schema.items, `${path}[${i}]`, errors, partial);
      });
      return;
    case "object": {
      if (!isPlainObject(value)) return void fail();
      for (const key of Object.keys(value)) {
        const sub = path ? `${path}.${key}` : key;
        // Own keys only: `toString`, `constructor` or `__proto__` are unknown keys like any other.
        const field = Object.hasOwn(schema.fields, key) ? schema.fields[key] : undefined;
        if (!field) {
          errors.push(
            `${sub}: unknown key (expected one of ${Object.keys(schema.fields).join(", ")})`,
          );
        } else {
          check(value[key], field, sub, errors, partial);
        }
      }
      if (!partial && !schema.partial) {
        for (const key of Object.keys(schema.fields)) {
          if (!(key in value))
            errors.push(
              `${path ? `${path}.${key}` : key}: missing (expected ${describeSchema(schema.fields[key]!)})`,
            );
        }
      }
      return;
    }
  }
}

/** Objects merge key by key; anything else (lists included) replaces. */
export function deepMerge<T>(base: T, override: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(override))
    return (override === undefined ? base : override) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override))
    out[k] = deepMerge((base as Record<string, unknown>)[k], v);
  return out as T;
}
