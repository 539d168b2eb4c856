#!/usr/bin/env -S node --max-semi-space-size=64
// The `parapipe` command. It runs the JavaScript that `npm run build` compiles from src/ into
// dist/ (built by `prepare`, so `npm ci` and `npm pack` leave it in place): no TypeScript compiler
// at run time.
//
// The simulator allocates many short-lived objects; with a 64 MiB young generation instead of
// V8's default the Polkadot-sized benchmark runs about 30% faster (docs/simulator.md). The flag
// must be given when Node starts, so it is in the shebang (`env -S` splits it from `node`): it
// applies whenever the file is executed, as `parapipe`, `npx parapipe`, `npm run parapipe` or
// `./bin/parapipe.js`. `node bin/parapipe.js` bypasses the shebang and runs with V8's default
// (the same results, slower on big networks); add the flag by hand there.
//
// In a checkout (src/ beside dist/), dist/ is used only while it is at least as new as every file
// and folder under src/; when it is missing or older (an edit since the last build), the sources
// are run through tsx, a devDependency, so a run never shows stale code (docs/package.md). An
// installed package has no src/ and always runs dist/.
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = new URL("../", import.meta.url);
const built = new URL("dist/cli/main.js", root);
const sources = fileURLToPath(new URL("src/", root));

/** Whether dist/ holds a build of the current src/ (always, when there is no src/). */
function builtIsCurrent() {
  if (!existsSync(built)) return false;
  if (!existsSync(sources)) return true;
  const builtAt = statSync(built).mtimeMs;
  let newest = statSync(sources).mtimeMs;
  for (const entry of readdirSync(sources, { recursive: true })) {
    newest = Math.max(newest, statSync(sources + entry).mtimeMs);
  }
  return newest <= builtAt;
}

if (builtIsCurrent()) {
  await import(built.href);
} else {
  let tsx;
  try {
    tsx = await import("tsx/esm/api");
  } catch {
    console.error(
      "parapipe: dist/ is missing or older than src/, and tsx (a devDependency) is not installed " +
        "to run the sources: run `npm run build` (or `npm install`) first.",
    );
    process.exit(1);
  }
  tsx.register();
  await import(new URL("src/cli/main.ts", root).href);
}
