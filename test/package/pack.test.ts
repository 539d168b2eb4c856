/**
 * `npm pack` gives a package that installs and runs outside the repository: the tarball is
 * installed into an empty folder, as on a clean machine, and its `parapipe` command runs a
 * comparison. It checks `files` in package.json (dist/, bin/, spec/, the vectors...), `prepare`
 * (the build `npm pack` runs), the shebang's Node flag, and that nothing at run time needs the
 * TypeScript sources, tsx or a devDependency.
 *
 * The repository is packed from a copy in a temporary folder (its node_modules linked, for the
 * compiler), so the build `npm pack` runs never rewrites the dist/ that other tests are running.
 * Installing needs the dependencies in npm's cache or the registry. Slow: about a minute.
 */
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const work = mkdtempSync(join(tmpdir(), "parapipe-pack-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The environment without what a surrounding `npm run` adds, so npm behaves as when typed. */
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_")),
);

function sh(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 64 << 20 });
  return { ...r, all: `$ ${cmd} ${args.join(" ")}\n${r.stdout}\n${r.stderr}` };
}

describe("npm pack", () => {
  it("installs into an empty folder and runs `parapipe compare`", { timeout: 600_000 }, () => {
    // A copy of the repository, without what git ignores at its top.
    const source = join(work, "source");
    const skip = new Set(["node_modules", "dist", ".git", "coverage"].map((d) => join(ROOT, d)));
    cpSync(ROOT, source, { recursive: true, filter: (path) => !skip.has(path) });
    symlinkSync(join(ROOT, "node_modules"), join(source, "node_modules"), "dir");

    const tarballs = join(work, "tarballs");
    mkdirSync(tarballs);
    const pack = sh("npm", ["pack", "--pack-destination", tarballs], source);
    expect(pack.status, pack.all).toBe(0);
    const [tarball, ...more] = readdirSync(tarballs).filter((f) => f.endsWith(".tgz"));
    expect(tarball, pack.all).toMatch(/^parapipe-.*\.tgz$/);
    expect(more).toEqual([]);

    const app = join(work, "app"); // the clean machine: an empty folder, no repository around
    cpSync(join(tarballs, tarball!), join(app, tarball!));
    writeFileSync(join(app, "package.json"), '{"name": "app", "private": true}\n');
    const install = sh(
      "npm",
      ["install", "--no-audit", "--no-fund", "--prefer-offline", `./${tarball}`],
      app,
    );
    expect(install.status, install.all).toBe(0);

    const installed = join(app, "node_modules/parapipe");
    for (const shipped of ["dist/cli/main.js", "bin/parapipe.js", "spec/SCENARIO.md"]) {
      expect(existsSync(join(installed, shipped)), shipped).toBe(true);
    }
    // Nothing that runs TypeScript: no sources shipped, no tsx or compiler installed.
    for (const absent of ["parapipe/src", "tsx", "typescript", "esbuild"]) {
      expect(existsSync(join(app, "node_modules", absent)), absent).toBe(false);
    }

    const bin = join(app, "node_modules/.bin/parapipe");
    const help = sh(bin, ["--help"], app);
    expect(help.status, help.all).toBe(0);
    expect(help.stdout).toContain("Usage: parapipe");

    // `--report` draws its charts with echarts, a runtime dependency of the installed package.
    const compare = sh(
      bin,
      ["compare", "--relay-blocks", "15", "--json", "--no-progress", "--report", "compare.html"],
      app,
    );
    expect(compare.status, compare.all).toBe(0);
    const out = JSON.parse(compare.stdout);
    expect(out.columns.map((c: { name: string }) => c.name)).toEqual(["sync", "async"]);
    const html = readFileSync(join(app, "compare.html"), "utf8");
    expect(html.match(/<svg /g)?.length, "charts in compare.html").toBe(4 + 2 * 3);

    const run = sh(bin, ["run", "--preset", "sync", "--relay-blocks", "15", "--json"], app);
    expect(run.status, run.all).toBe(0);
    expect(JSON.parse(run.stdout).host.nodeFlags).toEqual(["--max-semi-space-size=64"]);

    // The conformance vectors ship with it, and pass from the installed copy.
    const vectors = sh(
      bin,
      ["conformance", "--quiet", join(installed, "conformance/shared/vectors")],
      app,
    );
    expect(vectors.status, vectors.all).toBe(0);
    expect(vectors.stdout).toMatch(/\d+ passed, 0 failed/);
  });
});
