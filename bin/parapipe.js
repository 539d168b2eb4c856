#!/usr/bin/env node
// The `parapipe` command. Node 20 cannot run TypeScript itself, so the sources are loaded
// through tsx's ESM loader (a runtime dependency): no build step stands between an edit and a run.
//
// The simulator allocates many short-lived objects; with a 64 MiB young generation instead of
// V8's default the Polkadot-sized benchmark runs about 30% faster (docs/simulator.md). The command
// therefore runs itself in a child Node with `V8_FLAGS`, unless it already has such a flag: it
// must be given when Node starts. The exit code is passed back and signals on.
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { fileURLToPath } from "node:url";

const V8_FLAGS = ["--max-semi-space-size=64"];

if (!process.execArgv.some((a) => a.startsWith("--max-semi-space-size"))) {
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...V8_FLAGS, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  // Signals sent to this process (Ctrl-C, `timeout`, `kill`) go to the child, which decides.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => child.kill(signal));
  }
  const [code, signal] = await new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (c, s) => resolve([c, s]));
  });
  process.exit(code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)));
}

const { register } = await import("tsx/esm/api");
register();
await import("../src/cli/main.ts");
