#!/usr/bin/env node
// The whole test suite, as CI runs it: type check, lint, unit/property/scenario tests (vitest),
// then the shared conformance vectors (the repository's copy, conformance/shared/vectors, or
// PARAPIPE_VECTORS) and the repository's current-generation ones. Ends with one line
// `N passed, N failed` that adds up the vitest tests and the conformance vectors; a failed type
// check or lint counts as one failure.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const vectors = process.env.PARAPIPE_VECTORS ?? "conformance/shared/vectors";
let passed = 0;
let failed = 0;

function run(label, cmd, args) {
  console.log(`\n== ${label}: ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  process.stdout.write(r.stdout ?? "");
  return r;
}

for (const [label, args] of [
  ["typecheck", ["tsc", "--noEmit", "-p", "."]],
  ["lint", ["biome", "check", "src", "test", "bin", "scripts", "bench"]],
]) {
  const r = run(label, "npx", ["--no-install", ...args]);
  if (r.status === 0) passed++;
  else failed++;
}

const report = join(tmpdir(), `parapipe-vitest-${process.pid}.json`);
const v = run("tests", "npx", [
  "--no-install",
  "vitest",
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile=${report}`,
]);
if (existsSync(report)) {
  const j = JSON.parse(readFileSync(report, "utf8"));
  passed += j.numPassedTests;
  failed +=
    j.numFailedTests +
    (j.numTotalTestSuites > 0 && v.status !== 0 && j.numFailedTests === 0 ? 1 : 0);
  rmSync(report);
} else {
  failed++;
}

if (existsSync(vectors)) {
  const c = run("conformance", "node", [
    "bin/parapipe.js",
    "conformance",
    "--quiet",
    vectors,
    "conformance/current",
  ]);
  const m = /(\d+) passed, (\d+) failed/.exec(c.stdout ?? "");
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]);
  }
  if (c.status !== 0 && (!m || Number(m[2]) === 0)) failed++;
} else {
  console.log(`\n== conformance: ${vectors} not found`);
  failed++;
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
