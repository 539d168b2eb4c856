#!/usr/bin/env node
// `npm run build` (and `prepare`, so `npm ci` and `npm pack` run it): compiles src/ to dist/ with
// tsconfig.build.json (ESM for Node 20, `.ts` import specifiers rewritten to `.js`). dist/ is
// emptied first, so a removed or renamed source leaves no module behind to be packed, and every
// file's time is the build's: bin/parapipe.js runs dist/ only while src/ is not newer.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit",
});
process.exitCode = r.status ?? 1;
