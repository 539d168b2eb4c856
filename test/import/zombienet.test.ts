/**
 * `parapipe import` (docs/import.md): every network in ../shared/zombienet is imported with the
 * .zndsl beside it (and its scenario resolves) or refused with a reason and line; exact values for
 * 0011, 0017 and the done-when network; cores from assign-core.js lines.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml, stringify } from "yaml";
import { importNetworkFile } from "../../src/cli/import.ts";
import { resolveScenario } from "../../src/config/scenario.ts";
import { formatIgnored, importZombienet } from "../../src/config/zombienet/import.ts";

const ROOT = join(import.meta.dirname, "../..");
const SHARED = join(ROOT, "../shared/zombienet");
const HAS_SHARED = existsSync(SHARED);
const cli = (...args: string[]) =>
  spawnSync("node", [join(ROOT, "bin/parapipe.js"), ...args], { encoding: "utf8", cwd: ROOT });

/** Import, print as the command does, read it back and resolve it. */
function importAndResolve(text: string, name: string, opts: Record<string, unknown> = {}) {
  const result = importZombienet(text, { name, ...opts });
  if (!result.ok) throw new Error(`refused: ${result.error.line}: ${result.error.reason}`);
  const resolved = resolveScenario(parseYaml(stringify(result.value.scenario)));
  if (!resolved.ok) throw new Error(`does not resolve: ${resolved.error.join("; ")}`);
  return { ...result.value, resolved: resolved.value };
}

/** What each network in ../shared/zombienet does: imported (cores per para), or refused. */
const EXPECTED: Record<
  string,
  { refused?: RegExp; line?: number; cores?: Record<number, number>; checks?: number }
> = {
  "0000-cumulus-3cores": { cores: { 2000: 2 }, checks: 0 },
  "0001-basic-3cores-6s-blocks": { cores: { 2000: 2, 2001: 1 }, checks: 2 },
  "0002-elastic-scaling-doesnt-break-parachains": { cores: { 2000: 1 }, checks: 1 },
  "0003-slot-based-3cores": { cores: { 2100: 2, 2200: 2 }, checks: 3 },
  "0004-mixed-receipt-versions": { cores: { 2200: 2 }, checks: 2 },
  "0008-elastic_authoring": { cores: { 2100: 2, 2000: 1 }, checks: 2 },
  "0009-elastic_pov_recovery": { cores: { 2100: 2 }, checks: 1 },
  "0011-async-backing-6-seconds-rate": { cores: { 2000: 1, 2001: 1 }, checks: 5 },
  "0011-async-backing-6-seconds-rate.with-jinja-if": {
    refused: /`\{% if not CI_JOB_ID %\}`: only `\{% for %\}` over a range is rendered/,
    line: 4,
  },
  "0012-elastic-scaling-mvp": {
    refused:
      /registered after genesis .*no assign-core\.js line of 0012-elastic-scaling-mvp\.zndsl/,
    line: 28,
  },
  "0017-sync-backing": { cores: { 2000: 1, 2001: 1 }, checks: 7 },
  "0020-asset-hub-westend-elastic-scaling": {
    refused: /only rococo-local's.*westend-local/,
    line: 7,
  },
};

describe.skipIf(!HAS_SHARED)(
  "parapipe import of ../shared/zombienet (skipped: ../shared absent)",
  () => {
    const files = HAS_SHARED ? readdirSync(SHARED).filter((f) => f.endsWith(".toml")) : [];

    it("knows every network there", () => {
      expect(files.map((f) => f.replace(/\.toml$/, "")).sort()).toEqual(
        Object.keys(EXPECTED).sort(),
      );
    });

    for (const file of files) {
      const name = file.replace(/\.toml$/, "");
      it(`${name}: imported with its .zndsl (and resolves) or refused with a reason and line`, () => {
        const expected = EXPECTED[name] ?? {};
        const path = join(SHARED, file);
        if (expected.refused) {
          expect(() => importNetworkFile(path, {})).toThrow(
            new RegExp(
              `${file.replace(/\./g, "\\.")}:${expected.line}: .*${expected.refused.source}`,
            ),
          );
          return;
        }
        const { result } = importNetworkFile(path, {});
        const resolved = resolveScenario(parseYaml(stringify(result.scenario)));
        if (!resolved.ok) throw new Error(resolved.error.join("; "));
        expect(Object.fromEntries(resolved.value.parachains.map((p) => [p.id, p.cores]))).toEqual(
          expected.cores,
        );
        expect(resolved.value.expect.length).toBe(expected.checks);
        expect(result.ignored.length).toBeGreaterThan(0);
      });
    }

    it("0001: the {% for %} loop renders paras 2000 and 2001, ignored keys keep their source lines", () => {
      const name = "0001-basic-3cores-6s-blocks";
      const { resolved, ignored } = importAndResolve(
        readFileSync(join(SHARED, `${name}.toml`), "utf8"),
        name,
      );
      expect(resolved.parachains.map((p) => p.id)).toEqual([2000, 2001]);
      expect(formatIgnored(ignored)).toContainEqual(
        expect.stringMatching(
          /^ignored: parachains\[\]\.collator\.image \(line 41\).*\{\{COL_IMAGE\}\}/,
        ),
      );
    });

    it("0011: 12 validators, depth 3 / ancestry 2, lookahead 2 (flat), rotation 4, paras 2000 and 2001", () => {
      const name = "0011-async-backing-6-seconds-rate";
      const { resolved, ignored } = importAndResolve(
        readFileSync(join(SHARED, `${name}.toml`), "utf8"),
        name,
      );
      const hc = resolved.relay.hostConfiguration;
      expect(resolved.relay.validators).toBe(12);
      expect(hc.asyncBackingParams).toEqual({ maxCandidateDepth: 3, allowedAncestryLen: 2 });
      expect(hc.schedulerParams.lookahead).toBe(2);
      expect(hc.schedulerParams.groupRotationFrequency).toBe(4);
      expect(hc.schedulerParams.maxValidatorsPerCore).toBe(1);
      expect(hc.neededApprovals).toBe(4);
      expect(hc.relayVrfModuloSamples).toBe(6);
      expect(resolved.parachains.map((p) => [p.id, p.cores, p.collators])).toEqual([
        [2000, 1, 1],
        [2001, 1, 1],
      ]);
      const lines = formatIgnored(ignored);
      expect(lines).toContainEqual(
        expect.stringMatching(
          /^ignored: parachains\[\]\.collator\.image \(lines 34, 44\).*\{\{COL_IMAGE\}\} \{\{CUMULUS_IMAGE\}\}/,
        ),
      );
      expect(lines).toContainEqual(
        expect.stringMatching(/^ignored: relaychain\.default_image \(line 5\)/),
      );
    });

    it("0017: 10 validators, depth 0 / ancestry 0, lookahead 2, rotation 4", () => {
      const name = "0017-sync-backing";
      const { resolved } = importAndResolve(
        readFileSync(join(SHARED, `${name}.toml`), "utf8"),
        name,
        { paraPreset: "sync" },
      );
      const hc = resolved.relay.hostConfiguration;
      expect(resolved.preset).toBe("sync");
      expect(resolved.relay.validators).toBe(10);
      expect(hc.asyncBackingParams).toEqual({ maxCandidateDepth: 0, allowedAncestryLen: 0 });
      expect(hc.schedulerParams.lookahead).toBe(2);
      expect(hc.schedulerParams.groupRotationFrequency).toBe(4);
      expect(resolved.parachains.map((p) => p.id)).toEqual([2000, 2001]);
    });

    it("a para registered after genesis imports with --cores (0002: 2 cores)", () => {
      const name = "0002-elastic-scaling-doesnt-break-parachains";
      const text = readFileSync(join(SHARED, `${name}.toml`), "utf8");
      const { resolved } = importAndResolve(text, name, { cores: new Map([[2000, 2]]) });
      expect(resolved.relay.validators).toBe(4);
      expect(resolved.parachains[0]).toMatchObject({ id: 2000, cores: 2 });
      expect(resolved.relay.hostConfiguration.schedulerParams.maxValidatorsPerCore).toBe(2);
    });

    it("0009: a collator with validator = false is a full node, not a collator", () => {
      const name = "0009-elastic_pov_recovery";
      const text = readFileSync(join(SHARED, `${name}.toml`), "utf8");
      const { resolved, ignored } = importAndResolve(text, name, { cores: 3 });
      expect(resolved.parachains[0]).toMatchObject({ id: 2100, cores: 3, collators: 1 });
      expect(ignored.some((k) => /full node/.test(k.reason))).toBe(true);
    });
  },
);

const DONE_WHEN = `
[relaychain]
default_image = "{{RELAY_IMAGE}}"
chain = "rococo-local"
default_command = "polkadot"

[relaychain.genesis.runtime_genesis.patch.configuration.config.async_backing_params]
max_candidate_depth = 3
allowed_ancestry_len = 2

[relaychain.genesis.runtime_genesis.patch.configuration.config.scheduler_params]
lookahead = 3
group_rotation_frequency = 4
scheduling_lookahead = 5

[[relaychain.nodes]]
name = "alice"
validator = true

[[relaychain.nodes]]
name = "bob"

[[relaychain.nodes]]
name = "full"
validator = false

[[relaychain.node_groups]]
name = "v"
validator = "true"
count = 4

[[parachains]]
id = 2000
chain = "my-para"
add_to_genesis = true

  [[parachains.collators]]
  name = "c1"
  image = "{{COL_IMAGE}}"

  [[parachains.collators]]
  name = "c2"
  command = "polkadot-parachain"
`;

describe("parapipe import: the issue's done-when network", () => {
  it("6 validators, depth 3, lookahead 3, rotation 4, one para with two collators", () => {
    const { scenario, resolved, ignored } = importAndResolve(DONE_WHEN, "done-when");
    expect(scenario).toMatchObject({
      relay: {
        validators: 6,
        hostConfiguration: {
          asyncBackingParams: { maxCandidateDepth: 3, allowedAncestryLen: 2 },
          schedulerParams: { lookahead: 3, groupRotationFrequency: 4, numCores: 1 },
        },
      },
      parachains: [{ id: 2000, cores: 1, collators: 2 }],
    });
    expect(resolved.relay.validators).toBe(6);
    const lines = formatIgnored(ignored);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /scheduler_params\.scheduling_lookahead \(line 14\): a misplaced name.*ignores it/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/parachains\[\]\.chain \(line 34\).*--para-preset/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/relaychain\.nodes\[\] \(line 23\): a full node/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/unrendered: \{\{RELAY_IMAGE\}\}/));
  });

  it("the command prints exactly those values (YAML on stdout, ignored keys on stderr)", () => {
    const dir = mkdtempSync(join(tmpdir(), "parapipe-import-"));
    const file = join(dir, "net.toml");
    writeFileSync(file, DONE_WHEN);
    const r = cli("import", file);
    expect(r.status).toBe(0);
    const printed = parseYaml(r.stdout);
    expect(printed.relay.validators).toBe(6);
    expect(printed.relay.hostConfiguration.asyncBackingParams.maxCandidateDepth).toBe(3);
    expect(printed.relay.hostConfiguration.schedulerParams.lookahead).toBe(3);
    expect(printed.relay.hostConfiguration.schedulerParams.groupRotationFrequency).toBe(4);
    expect(printed.parachains).toEqual([{ id: 2000, cores: 1, collators: 2 }]);
    expect(resolveScenario(printed).ok).toBe(true);
    expect(r.stderr).toMatch(/ignored: relaychain\.default_image/);
  });

  it("refuses with file, line and reason (exit 2)", () => {
    const dir = mkdtempSync(join(tmpdir(), "parapipe-import-"));
    const file = join(dir, "bad.toml");
    writeFileSync(file, DONE_WHEN.replace("count = 4", 'count = "{{N}}"'));
    const r = cli("import", file);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /bad\.toml:30: relaychain\.node_groups\[0\]\.count: a template \(\{\{N\}\}\)/,
    );
  });

  it("refuses two homes that disagree, templates outside strings, and unknown para presets", () => {
    const twice = `${DONE_WHEN}\n[relaychain.genesis.runtime_genesis.patch.configuration.config]\nscheduling_lookahead = 2\n`;
    const a = importZombienet(twice, { name: "x" });
    expect(a.ok || a.error.reason).toMatch(
      /sets schedulerParams\.lookahead to 2, but .*sets it to 3/,
    );
    const b = importZombienet(DONE_WHEN.replace("id = 2000", "id = {{ID}}"), { name: "x" });
    expect(b.ok || b.error).toEqual({
      line: 33,
      reason: expect.stringMatching(/`\{\{ID\}\}`: a variable without a default/),
    });
    const c = importZombienet(DONE_WHEN, { name: "x", paraPreset: "nope" });
    expect(c.ok || c.error.reason).toMatch(/--para-preset/);
  });

  it("--help teaches with an example", () => {
    const r = cli("import", "--help");
    expect(r.stdout).toMatch(/parapipe import .*\.toml/);
  });
});
