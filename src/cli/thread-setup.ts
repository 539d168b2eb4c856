/**
 * What a thread sets up before it simulates: the WebAssembly BLAKE2b-256 (`useFastHashing`: the
 * same outputs as noble's, faster) and schnorrkel's WebAssembly for sr25519 checks
 * (`useNativeCrypto`, native-crypto.ts); WebAssembly compiles asynchronously, so both are awaited
 * once. The main thread does it before any command (main.ts's `preAction` hook), each `--jobs`
 * worker before its first run (run-worker.ts): one function, so a worker runs what the main thread
 * runs. The crypto provider itself is built on first use, in whichever thread calls it (run-job.ts).
 */
export async function setUpThread(): Promise<void> {
  const [{ useFastHashing }, { useNativeCrypto }] = await Promise.all([
    import("../primitives/hashing.ts"),
    import("./native-crypto.ts"),
  ]);
  await Promise.all([useFastHashing(), useNativeCrypto()]);
}
