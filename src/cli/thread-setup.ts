/**
 * What a thread sets up before it simulates: the WebAssembly BLAKE2b-256 (`useFastHashing`: the
 * same outputs as noble's, faster; WebAssembly compiles asynchronously, so it is awaited once).
 * The main thread does it before any command (main.ts's `preAction` hook), each `--jobs` worker
 * before its first run (run-worker.ts): one function, so a worker runs what the main thread runs.
 * The native crypto provider needs no set-up: `nativeCryptoProvider()` builds it on first use, in
 * whichever thread calls it (run-job.ts).
 */
export async function setUpThread(): Promise<void> {
  const { useFastHashing } = await import("../primitives/hashing.ts");
  await useFastHashing();
}
