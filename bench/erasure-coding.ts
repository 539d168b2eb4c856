/**
 * Throughput of the erasure coding (`src/primitives/erasure/codec.ts`):
 * `npm run bench -- --only erasure-coding [--runs N]`.
 *
 * For PoVs of 100 KiB, 1 MiB and 5 MiB at n = 12, 300 and 600 validators, prints the median over
 * `runs` (default 3) of:
 * - encode: `obtainChunks(n, payload)`, all n chunks;
 * - reconstruct: `reconstruct(n, chunks)` from the last k chunks, none of them systematic (the
 *   worst case: every run goes through the full decoder; chunks 0..k-1 would allow
 *   `reconstructFromSystematic`, a copy).
 * MB/s is 10^6 payload bytes per wall second. The payload bytes come from a seeded PRNG; each
 * reconstruction is checked against the payload (outside the timing). The field tables are built,
 * and every case's code warmed up on a 64 KiB payload, before the first timing.
 */
import { Prng } from "../src/lib/prng.ts";
import { codeParams, obtainChunks, reconstruct } from "../src/primitives/erasure/codec.ts";
import { fieldTables } from "../src/primitives/erasure/field.ts";

const KIB = 1024;
const MIB = 1024 * KIB;
const POV_SIZES: readonly (readonly [string, number])[] = [
  ["100 KiB", 100 * KIB],
  ["1 MiB", MIB],
  ["5 MiB", 5 * MIB],
];
const VALIDATORS: readonly number[] = [12, 300, 600];

function payloadOf(rng: Prng, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 4) {
    const w = rng.uint32();
    for (let b = 0; b < 4 && i + b < size; b++) bytes[i + b] = (w >>> (8 * b)) & 0xff;
  }
  return bytes;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs the cases and prints the table. */
export function erasureCodingBench(runs = 3): void {
  fieldTables();
  const rng = Prng.fromSeed(1).fork("erasure-coding");
  // Warm-up (untimed): the JIT compiles the loops for every n before the first timing.
  const warmUp = payloadOf(rng.fork("warm-up"), 64 * KIB);
  for (const n of VALIDATORS) {
    const chunks = obtainChunks(n, warmUp);
    if (!chunks.ok) throw new Error(`n = ${n}: ${chunks.error.code}`);
    reconstruct(n, chunks.value.map((c, i) => [c, i] as const).slice(n >> 1));
  }
  const header = [
    "PoV",
    "n",
    "k",
    "n'",
    "chunk bytes",
    "encode ms",
    "encode MB/s",
    "reconstruct ms",
    "reconstruct MB/s",
  ];
  const rows: string[][] = [];
  for (const [label, size] of POV_SIZES) {
    const payload = payloadOf(rng, size);
    for (const n of VALIDATORS) {
      const params = codeParams(n);
      if (!params.ok) throw new Error(`n = ${n}: ${params.error.code}`);
      const { k } = params.value;
      const encodeMs: number[] = [];
      const reconstructMs: number[] = [];
      let chunkBytes = 0;
      for (let r = 0; r < runs; r++) {
        let t0 = performance.now();
        const chunks = obtainChunks(n, payload);
        encodeMs.push(performance.now() - t0);
        if (!chunks.ok) throw new Error(`n = ${n}: ${chunks.error.code}`);
        chunkBytes = chunks.value[0]!.length;
        const last: (readonly [Uint8Array, number])[] = [];
        for (let i = n - k; i < n; i++) last.push([chunks.value[i]!, i]);
        t0 = performance.now();
        const back = reconstruct(n, last);
        reconstructMs.push(performance.now() - t0);
        if (!back.ok) throw new Error(`n = ${n}: ${back.error.code}`);
        for (let i = 0; i < size; i++) {
          if (back.value[i] !== payload[i]) throw new Error(`n = ${n}: byte ${i} differs`);
        }
      }
      const enc = median(encodeMs);
      const rec = median(reconstructMs);
      rows.push([
        label,
        String(n),
        String(k),
        String(params.value.n),
        String(chunkBytes),
        enc.toFixed(0),
        (size / 1e6 / (enc / 1000)).toFixed(1),
        rec.toFixed(0),
        (size / 1e6 / (rec / 1000)).toFixed(1),
      ]);
    }
  }
  console.log(
    `erasure coding (novelpoly GF(2^16)): node ${process.version}, median of ${runs} run(s); ` +
      `reconstruct from the last k chunks (no systematic chunk)`,
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
}
