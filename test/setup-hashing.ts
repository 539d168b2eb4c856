/**
 * Vitest setup: the WebAssembly BLAKE2b-256, as the commands install it (src/primitives/hashing.ts
 * `useFastHashing`; its outputs equal noble's, test/primitives/hashing.test.ts checks them).
 */
import { useFastHashing } from "../src/primitives/hashing.ts";

await useFastHashing();
