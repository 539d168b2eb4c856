/**
 * Runs presets and prints their trace hashes, one JSON line per run, for the golden trace test
 * (`golden-traces.test.ts`), which starts it in fresh Node processes:
 *
 *   node --import tsx test/sim/golden-traces.ts elastic-12 sync sync:sr25519
 *
 * Each argument is `<preset>` or `<preset>:<crypto>`: the built-in preset with all its own
 * parameters (seed 1, 5 warm-up and 60 measured relay blocks), only its crypto mode replaced when
 * one is given. The crypto provider is the command line's (`nativeCryptoProvider`) without
 * wasm-crypto compiled (`useNativeCrypto` is not awaited: sr25519 verifies with @scure), whose
 * answers are the same (test/cli/native-crypto.test.ts), so a hash printed here is the one
 * `parapipe run --preset <preset> --json` reports.
 */
import { nativeCryptoProvider } from "../../src/cli/native-crypto.ts";
import { PRESET_NAMES, type PresetName } from "../../src/config/presets.ts";
import { resolveScenario } from "../../src/config/scenario.ts";
import { runScenario } from "../../src/report/run.ts";

export interface GoldenRun {
  readonly job: string;
  readonly preset: PresetName;
  readonly crypto: string;
  readonly traceHash: string;
  readonly traceEntries: number;
  readonly wallMs: number;
}

const isPreset = (name: string): name is PresetName =>
  (PRESET_NAMES as readonly string[]).includes(name);

for (const job of process.argv.slice(2)) {
  const [preset = "", crypto] = job.split(":");
  if (!isPreset(preset)) {
    throw new Error(`${job}: expected <preset>[:<crypto>] with a preset of ${PRESET_NAMES}`);
  }
  const input = crypto === undefined ? { preset } : { preset, crypto };
  const resolved = resolveScenario(input);
  if (!resolved.ok) throw new Error(`${job}: ${resolved.error.join("; ")}`);
  const started = Date.now();
  const { report, world } = runScenario(resolved.value, { crypto: nativeCryptoProvider() });
  const line: GoldenRun = {
    job,
    preset,
    crypto: resolved.value.crypto,
    traceHash: report.traceHash,
    traceEntries: world.trace.count,
    wallMs: Date.now() - started,
  };
  console.log(JSON.stringify(line));
}
