/**
 * Importing a zombienet v1 network (TOML) as a scenario (docs/import.md): its templates rendered
 * where they decide the structure (`template.ts`), the relay chain's genesis preset for its `chain`
 * (rococo-local only), the host-configuration overrides in every home polkadot-sdk reads them from,
 * the validators, the parachains and their collators; with its `.zndsl`, the cores its
 * `assign-core.js` lines give and the assertions parapipe can measure as timed `expect:` checks
 * (`zndsl-checks.ts`). Every key parapipe does not model is listed as ignored with its line and
 * reason, every .zndsl line it does not check with the reason; a value parapipe would have to guess
 * is refused. Pure: the caller reads the files.
 */
import { parse as parseToml, TomlError } from "smol-toml";
import { err, ok, type Result } from "../../lib/result.ts";
import { PRESET_NAMES, PRESETS, type PresetName } from "../presets.ts";
import { renderTemplates } from "./template.ts";
import { parseZndsl } from "./zndsl.ts";
import { type NetworkNodes, type NotChecked, type ParaFacts, zndslChecks } from "./zndsl-checks.ts";

export interface ImportOptions {
  /** The scenario's name (the file's name without `.toml`). */
  readonly name: string;
  /**
   * The preset whose parachain runtime, collator and load the paras take: `NAME` for every para,
   * `ID=NAME` for one, comma-separated (`elastic-3,2000=async`); default `async`.
   */
  readonly paraPreset?: string;
  /** Cores per para: one number for every para, or per para id (over the .zndsl's). */
  readonly cores?: number | ReadonlyMap<number, number>;
  /** The network's test file: its core assignments and the assertions parapipe can measure. */
  readonly zndsl?: { readonly name: string; readonly text: string };
}

export interface IgnoredKey {
  /** The key's path, e.g. `parachains[0].collator.image`. */
  readonly path: string;
  readonly line: number | null;
  readonly reason: string;
  /** The `{{...}}` templates left unrendered inside it. */
  readonly templates: readonly string[];
}

export interface ImportResult {
  /** The scenario, as `resolveScenario` takes it. */
  readonly scenario: Record<string, unknown>;
  readonly ignored: readonly IgnoredKey[];
  /** The .zndsl lines not checked, with the reason (empty without a .zndsl). */
  readonly notChecked: readonly NotChecked[];
  /** The .zndsl line of each `expect:` check, in order. */
  readonly expectLines: readonly number[];
  /** Where each para's cores come from, one line per para. */
  readonly cores: readonly string[];
  /** The scenario keys the network file itself sets (`relay.hostConfiguration.neededApprovals`, ...). */
  readonly fromFile: readonly string[];
}

export interface ImportError {
  readonly line: number | null;
  readonly reason: string;
  /** The error is in the .zndsl (its line), not in the network file. */
  readonly inZndsl?: boolean;
}

/**
 * rococo-local's genesis preset (polkadot-sdk `polkadot/runtime/rococo/src/genesis_config_presets.rs`,
 * `default_parachains_host_configuration`) in the scenario's terms, as listed in
 * ../shared/zombienet/README.md. No executor params: the node's code defaults (2 s, 12 s).
 */
const ROCOCO_LOCAL = {
  asyncBackingParams: { maxCandidateDepth: 3, allowedAncestryLen: 2 },
  schedulerParams: {
    lookahead: 2,
    maxValidatorsPerCore: 1,
    groupRotationFrequency: 20,
    parasAvailabilityPeriod: 4,
  },
  minimumBackingVotes: 2,
  neededApprovals: 2,
  relayVrfModuloSamples: 2,
  nDelayTranches: 25,
  noShowSlots: 2,
  executorParams: { pvfExecTimeoutBackingMs: 2000, pvfExecTimeoutApprovalMs: 12000 },
} as const;

/** A parameter parapipe models: where it goes in `hostConfiguration`. */
type Target = readonly [string, string?];

/** Flat (legacy and current) keys of `configuration.config`. */
const FLAT: Readonly<Record<string, Target>> = {
  scheduling_lookahead: ["schedulerParams", "lookahead"],
  group_rotation_frequency: ["schedulerParams", "groupRotationFrequency"],
  coretime_cores: ["schedulerParams", "numCores"],
  max_validators_per_core: ["schedulerParams", "maxValidatorsPerCore"],
  paras_availability_period: ["schedulerParams", "parasAvailabilityPeriod"],
  needed_approvals: ["neededApprovals"],
  relay_vrf_modulo_samples: ["relayVrfModuloSamples"],
  n_delay_tranches: ["nDelayTranches"],
  zeroth_delay_tranche_width: ["zerothDelayTrancheWidth"],
  no_show_slots: ["noShowSlots"],
  minimum_backing_votes: ["minimumBackingVotes"],
  max_pov_size: ["maxPovSize"],
  validation_upgrade_delay: ["validationUpgradeDelay"],
  minimum_validation_upgrade_delay: ["minimumValidationUpgradeDelay"],
  validation_upgrade_cooldown: ["validationUpgradeCooldown"],
};
const SCHEDULER: Readonly<Record<string, Target>> = {
  lookahead: ["schedulerParams", "lookahead"],
  num_cores: ["schedulerParams", "numCores"],
  group_rotation_frequency: ["schedulerParams", "groupRotationFrequency"],
  max_validators_per_core: ["schedulerParams", "maxValidatorsPerCore"],
  paras_availability_period: ["schedulerParams", "parasAvailabilityPeriod"],
};
const ASYNC_BACKING: Readonly<Record<string, Target>> = {
  max_candidate_depth: ["asyncBackingParams", "maxCandidateDepth"],
  allowed_ancestry_len: ["asyncBackingParams", "allowedAncestryLen"],
};
const APPROVAL_VOTING: Readonly<Record<string, Target>> = {
  max_approval_coalesce_count: ["approvalVotingParams", "maxApprovalCoalesceCount"],
};

const NOT_MODELLED = "not modelled by parapipe (binaries, images, arguments, resources, names)";

type Table = Record<string, unknown>;
/** A TOML table (not an array, not a date: smol-toml's dates are class instances). */
const isTable = (v: unknown): v is Table =>
  typeof v === "object" &&
  v !== null &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/** The `{{...}}` templates inside a value (strings at any depth). */
function templatesIn(v: unknown): string[] {
  if (typeof v === "string") return v.match(/\{\{.*?\}\}/g) ?? [];
  if (Array.isArray(v)) return v.flatMap(templatesIn);
  if (isTable(v)) return Object.values(v).flatMap(templatesIn);
  return [];
}

/** A line with what lies inside strings and comments removed. */
function codeOf(line: string): string {
  return line
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/'[^']*'/g, "''")
    .replace(/#.*/, "");
}

/**
 * Where each key is defined: `a.b[0].c` → line (1-based), from the table headers and
 * `key = value` lines (arrays of tables are indexed as the parser indexes them).
 */
function keyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const counts = new Map<string, number>();
  const lastIndex = new Map<string, number>();
  let current = "";
  const concrete = (segments: string[]): string => {
    let abstract = "";
    let out = "";
    for (const s of segments) {
      abstract = abstract === "" ? s : `${abstract}.${s}`;
      out = out === "" ? s : `${out}.${s}`;
      const i = lastIndex.get(abstract);
      if (i !== undefined) out = `${out}[${i}]`;
    }
    return out;
  };
  text.split(/\r?\n/).forEach((raw, n) => {
    const line = codeOf(raw).trim();
    const header = /^\[(\[)?\s*([^\]]+?)\s*\]\]?$/.exec(line);
    if (header) {
      const segments = header[2]!.split(".").map((s) => s.trim().replace(/^["']|["']$/g, ""));
      if (header[1] !== undefined) {
        const parent = concrete(segments.slice(0, -1));
        const key = `${parent}.${segments.at(-1)}`;
        const index = counts.get(key) ?? 0;
        counts.set(key, index + 1);
        lastIndex.set(segments.join("."), index);
        // A new entry forgets the indices of arrays nested in the previous one.
        const prefix = `${segments.join(".")}.`;
        for (const k of [...lastIndex.keys()]) if (k.startsWith(prefix)) lastIndex.delete(k);
      }
      current = concrete(segments);
      for (let k = 1; k <= segments.length; k++) {
        const prefix = concrete(segments.slice(0, k));
        if (!lines.has(prefix)) lines.set(prefix, n + 1);
      }
      return;
    }
    const kv = /^([A-Za-z0-9_\-."']+)\s*=/.exec(line);
    if (kv) {
      const key = kv[1]!.replace(/["']/g, "");
      const path = current === "" ? key : `${current}.${key}`;
      if (!lines.has(path)) lines.set(path, n + 1);
    }
  });
  return lines;
}

/**
 * Import a zombienet network. Refuses (with a line where one is known) what it cannot map without
 * guessing: templates outside ignored keys, `{% ... %}` blocks, another relay `chain`, paras
 * registered after genesis without `--cores`, values of the wrong type.
 */
export function importZombienet(
  source: string,
  options: ImportOptions,
): Result<ImportResult, ImportError> {
  // Templates that decide the structure are rendered; the others stay in strings.
  const rendered = renderTemplates(source);
  if (!rendered.ok) return err({ line: rendered.error.line, reason: rendered.error.reason });
  const { text, sourceLine } = rendered.value;
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (e) {
    if (e instanceof TomlError) {
      return err({
        line: sourceLine[e.line - 1] ?? e.line,
        reason: `not valid TOML: ${e.message.split("\n")[0]}`,
      });
    }
    throw e;
  }

  const presets = paraPresets(options.paraPreset ?? "async");
  if (!presets.ok) return err({ line: null, reason: presets.error });
  const paraPreset = presets.value.all;
  const presetOf = (id: number): PresetName => presets.value.byPara.get(id) ?? paraPreset;

  const where = keyLines(text);
  const lineOf = (path: string): number | null => {
    const at = where.get(path);
    return at === undefined ? null : (sourceLine[at - 1] ?? at);
  };
  const ignored: IgnoredKey[] = [];
  const ignore = (path: string, value: unknown, reason: string): void => {
    ignored.push({ path, line: lineOf(path), reason, templates: templatesIn(value) });
  };
  class Refusal extends Error {
    constructor(
      readonly path: string,
      reason: string,
    ) {
      super(reason);
    }
  }
  function refuse(path: string, reason: string): never {
    throw new Refusal(path, reason);
  }
  const noTemplate = (path: string, value: unknown): void => {
    const t = templatesIn(value);
    if (t.length > 0) {
      refuse(
        path,
        `a template (${t[0]}) in a key parapipe maps: only \`{% for %}\` ranges and variables with a default are rendered (never guessed)`,
      );
    }
  };
  const integer = (path: string, value: unknown, min: number): number => {
    noTemplate(path, value);
    const n = typeof value === "bigint" ? Number(value) : value;
    if (typeof n !== "number" || !Number.isInteger(n) || n < min) {
      refuse(path, `expected an integer >= ${min}, got ${JSON.stringify(String(value))}`);
    }
    return n as number;
  };
  /** `validator`: `true`, `"true"` or absent count as validators. */
  const isValidator = (path: string, value: unknown): boolean => {
    if (value === undefined || value === true || value === "true") return true;
    if (value === false || value === "false") return false;
    noTemplate(path, value);
    refuse(path, `expected true or false, got ${JSON.stringify(value)}`);
  };

  try {
    for (const [key, value] of Object.entries(doc)) {
      if (key === "relaychain" || key === "parachains") continue;
      const reason =
        key === "settings"
          ? "zombienet's own settings (timeouts, bootnode, providers), not the network"
          : key === "types"
            ? "custom types for polkadot.js, not the network"
            : key === "hrmp_channels"
              ? "HRMP channels are not modelled by parapipe"
              : NOT_MODELLED;
      ignore(key, value, reason);
    }

    // The relay chain.
    const relay = doc.relaychain;
    if (!isTable(relay)) refuse("relaychain", "missing: a network needs a [relaychain]");
    const chain = relay.chain ?? "rococo-local";
    if (chain !== "rococo-local") {
      noTemplate("relaychain.chain", chain);
      refuse(
        "relaychain.chain",
        `the relay chain's defaults come from its genesis preset, and parapipe knows only rococo-local's; got ${JSON.stringify(chain)} (never guessed)`,
      );
    }
    const hc: Record<string, Record<string, unknown> | unknown> = structuredClone(
      ROCOCO_LOCAL,
    ) as unknown as Record<string, unknown>;
    const set = new Map<string, { value: number; path: string }>();
    const assign = (path: string, target: Target, value: unknown): void => {
      const n = integer(path, value, 0);
      const id = target.join(".");
      const before = set.get(id);
      if (before !== undefined && before.value !== n) {
        refuse(
          path,
          `sets ${id} to ${n}, but ${before.path} (line ${lineOf(before.path) ?? "?"}) sets it to ${before.value}: which one the runtime reads depends on its version (never guessed)`,
        );
      }
      set.set(id, { value: n, path });
      const [a, b] = target;
      if (b === undefined) hc[a] = n;
      else hc[a] = { ...(hc[a] as Record<string, unknown>), [b]: n };
    };
    const mapTable = (
      base: string,
      table: unknown,
      known: Readonly<Record<string, Target>>,
      other: (key: string) => string,
    ): void => {
      if (!isTable(table)) refuse(base, "expected a table");
      for (const [k, v] of Object.entries(table)) {
        const path = `${base}.${k}`;
        const target = known[k];
        if (target !== undefined) assign(path, target, v);
        else ignore(path, v, other(k));
      }
    };

    let validators = 0;
    const relayNodes = new Map<string, "validator" | "full">();
    const paraNodes = new Map<string, { paraId: number; index: number | null }>();
    for (const [key, value] of Object.entries(relay)) {
      const path = `relaychain.${key}`;
      if (key === "chain") continue;
      if (key === "chain_spec_path" || key === "chain_spec_command") {
        refuse(
          path,
          "a custom chain spec: parapipe cannot read its genesis configuration, so it would have to guess every parameter",
        );
      }
      if (key === "nodes" || key === "node_groups") {
        if (!Array.isArray(value)) refuse(path, "expected an array of tables");
        for (const [i, node] of (value as unknown[]).entries()) {
          const at = `${path}[${i}]`;
          if (!isTable(node)) refuse(at, "expected a table");
          const count = key === "node_groups" ? integer(`${at}.count`, node.count ?? 1, 0) : 1;
          const validator = isValidator(`${at}.validator`, node.validator);
          if (validator) validators += count;
          else ignore(`${at}`, undefined, "a full node (validator = false), not a validator");
          for (const name of nodeNames(node.name, key === "node_groups" ? count : null)) {
            relayNodes.set(name, validator ? "validator" : "full");
          }
          for (const [k, v] of Object.entries(node)) {
            if (k !== "count" && k !== "validator") ignore(`${at}.${k}`, v, NOT_MODELLED);
          }
        }
        continue;
      }
      if (key === "genesis") {
        if (!isTable(value)) refuse(path, "expected a table");
        for (const [g, gv] of Object.entries(value)) {
          const gpath = `${path}.${g}`;
          if (g !== "runtimeGenesis" && g !== "runtime_genesis") {
            ignore(gpath, gv, "genesis other than the runtime genesis patch is not modelled");
            continue;
          }
          if (!isTable(gv)) refuse(gpath, "expected a table");
          for (const [p, pv] of Object.entries(gv)) {
            const ppath = `${gpath}.${p}`;
            if (p !== "patch" || !isTable(pv)) {
              ignore(ppath, pv, "only the genesis patch is read");
              continue;
            }
            for (const [pallet, palletValue] of Object.entries(pv)) {
              const palletPath = `${ppath}.${pallet}`;
              if (pallet !== "configuration" || !isTable(palletValue)) {
                ignore(palletPath, palletValue, "a pallet's genesis parapipe does not model");
                continue;
              }
              for (const [c, cv] of Object.entries(palletValue)) {
                const cpath = `${palletPath}.${c}`;
                if (c !== "config" || !isTable(cv)) {
                  ignore(cpath, cv, NOT_MODELLED);
                  continue;
                }
                for (const [k, v] of Object.entries(cv)) {
                  const kpath = `${cpath}.${k}`;
                  if (k === "async_backing_params") {
                    mapTable(kpath, v, ASYNC_BACKING, () => "not a field of AsyncBackingParams");
                  } else if (k === "scheduler_params") {
                    mapTable(kpath, v, SCHEDULER, (s) =>
                      s === "scheduling_lookahead"
                        ? "a misplaced name: SchedulerParams' field is `lookahead`, so polkadot-sdk ignores it (rococo-local's lookahead stays unless set elsewhere)"
                        : "a scheduler parameter parapipe does not model (on-demand, timeouts)",
                    );
                  } else if (k === "approval_voting_params") {
                    mapTable(
                      kpath,
                      v,
                      APPROVAL_VOTING,
                      (s) =>
                        `not a field of ApprovalVotingParams (only max_approval_coalesce_count): polkadot-sdk ignores it${FLAT[s] !== undefined ? ` (the flat \`${s}\` is the parameter)` : ""}`,
                    );
                  } else if (FLAT[k] !== undefined) {
                    assign(kpath, FLAT[k], v);
                  } else {
                    ignore(kpath, v, "a host-configuration parameter parapipe does not model");
                  }
                }
              }
            }
          }
        }
        continue;
      }
      ignore(path, value, NOT_MODELLED);
    }
    if (validators === 0) {
      refuse("relaychain", "no validators: no [[relaychain.nodes]] or node_groups with validators");
    }

    // The parachains.
    const paras = doc.parachains ?? [];
    if (!Array.isArray(paras) || paras.length === 0) {
      refuse("parachains", "expected at least one [[parachains]]");
    }
    const facts: (ParaFacts & { readonly at: string })[] = [];
    for (const [i, para] of (paras as unknown[]).entries()) {
      const at = `parachains[${i}]`;
      if (!isTable(para)) refuse(at, "expected a table");
      const id = integer(`${at}.id`, para.id, 0);
      let collators = 0;
      let lateKey: string | null = null;
      for (const [k, v] of Object.entries(para)) {
        const path = `${at}.${k}`;
        if (k === "id") continue;
        if (k === "addToGenesis" || k === "add_to_genesis" || k === "onboard_as_parachain") {
          noTemplate(path, v);
          if (v === false) lateKey ??= path;
          else if (v !== true) refuse(path, `expected true or false, got ${JSON.stringify(v)}`);
          continue;
        }
        if (k === "chain") {
          ignore(
            path,
            v,
            `the para runtime's constants come from --para-preset (${presetOf(id)}), not from its chain name`,
          );
          continue;
        }
        if (k === "collator" || k === "collators" || k === "collator_groups") {
          const list = k === "collator" ? [v] : v;
          if (!Array.isArray(list)) refuse(path, "expected an array of tables");
          for (const [j, c] of (list as unknown[]).entries()) {
            const cpath = k === "collator" ? path : `${path}[${j}]`;
            if (!isTable(c)) refuse(cpath, "expected a table");
            const count = k === "collator_groups" ? integer(`${cpath}.count`, c.count ?? 1, 0) : 1;
            const names = nodeNames(c.name, k === "collator_groups" ? count : null);
            if (isValidator(`${cpath}.validator`, c.validator)) {
              // A group's own name stands for its first collator's index.
              const first = collators;
              for (const [n, name] of names.entries()) {
                paraNodes.set(name, { paraId: id, index: first + Math.max(0, n - 1) });
              }
              collators += count;
            } else {
              ignore(cpath, undefined, "a full node (validator = false), not a collator");
              for (const name of names) paraNodes.set(name, { paraId: id, index: null });
            }
            for (const [ck, cv] of Object.entries(c)) {
              if (ck !== "count" && ck !== "validator") ignore(`${cpath}.${ck}`, cv, NOT_MODELLED);
            }
          }
          continue;
        }
        ignore(path, v, NOT_MODELLED);
      }
      if (collators === 0) refuse(at, `para ${id} has no collator`);
      facts.push({
        id,
        at,
        atGenesis: lateKey === null,
        lateLine: lateKey === null ? null : lineOf(lateKey),
        collators,
      });
    }

    // The .zndsl: its core assignments and the checks parapipe can measure.
    const nodes: NetworkNodes = { relay: relayNodes, para: paraNodes };
    const zndsl = options.zndsl;
    const checks = zndsl === undefined ? null : zndslChecks(parseZndsl(zndsl.text), nodes, facts);
    if (checks !== null && !checks.ok) {
      throw new ZndslRefusal(checks.error.line, `${zndsl!.name}: ${checks.error.reason}`);
    }
    const found = checks?.value ?? null;
    const coreNotes: string[] = [];
    const out = facts.map((p) => {
      const given = typeof options.cores === "number" ? options.cores : options.cores?.get(p.id);
      const assigned = found?.cores.get(p.id);
      let cores: number;
      if (given !== undefined) {
        cores = given;
        coreNotes.push(`para ${p.id}: ${cores} core${cores === 1 ? "" : "s"} (--cores)`);
      } else if (assigned !== undefined) {
        cores = assigned;
        const lines = found!.coreLines.get(p.id)!;
        coreNotes.push(
          `para ${p.id}: ${cores} core${cores === 1 ? "" : "s"} (assign-core.js, ${zndsl!.name} line${lines.length === 1 ? "" : "s"} ${lines.join(", ")}; the para's from genesis)`,
        );
      } else if (p.atGenesis) {
        cores = 1;
        coreNotes.push(`para ${p.id}: 1 core (registered at genesis)`);
      } else {
        refuse(
          p.at,
          `para ${p.id} is registered after genesis (add_to_genesis or onboard_as_parachain false) and ${zndsl === undefined ? "there is no .zndsl beside the network to assign it cores" : `no assign-core.js line of ${zndsl.name} assigns it a core`}: give --cores to simulate it from genesis`,
        );
      }
      const own = presetOf(p.id);
      if (own === paraPreset) return { id: p.id, cores, collators: p.collators };
      // Another preset's para: its runtime, collator and load, on this network's relay chain.
      const { runtime, collator, load } = PRESETS[own].parachains[0]!;
      return { id: p.id, cores, collators: p.collators, collator, runtime, load };
    });
    const unknown = [...presets.value.byPara.keys()].filter(
      (id) => !facts.some((p) => p.id === id),
    );
    if (unknown.length > 0) {
      refuse(
        "parachains",
        `--para-preset names para ${unknown.join(", ")}, which is not in the network`,
      );
    }

    const cores = out.reduce((n, p) => n + p.cores, 0);
    const scheduler = hc.schedulerParams as Record<string, unknown>;
    if (scheduler.numCores === undefined) {
      hc.schedulerParams = { ...scheduler, numCores: cores };
    } else if ((scheduler.numCores as number) < cores) {
      const from = set.get("schedulerParams.numCores")?.path ?? "relaychain";
      refuse(
        from,
        `the paras take ${cores} cores (${coreNotes.join("; ")}), but the network has ${scheduler.numCores}`,
      );
    }

    const preset = PRESETS[paraPreset as PresetName];
    const scenario: Record<string, unknown> = {
      name: options.name,
      preset: paraPreset as PresetName,
      relay: { validators, hostConfiguration: hc },
      parachains: out,
    };
    if (found !== null && found.expect.length > 0) {
      // Long enough for every check to take its whole window.
      const needed = Math.ceil(found.worstCaseMs / preset.relay.slotDurationMs) + 1;
      scenario.relayBlocks = Math.max(preset.relayBlocks, needed - preset.warmupRelayBlocks);
      scenario.expect = [...found.expect];
    }
    return ok({
      scenario,
      ignored,
      notChecked: found?.notChecked ?? [],
      expectLines: found?.expectLines ?? [],
      cores: coreNotes,
      fromFile: [...set.keys()].map((k) => `relay.hostConfiguration.${k}`),
    });
  } catch (e) {
    if (e instanceof Refusal)
      return err({ line: lineOf(e.path), reason: `${e.path}: ${e.message}` });
    if (e instanceof ZndslRefusal) return err({ line: e.line, reason: e.message, inZndsl: true });
    throw e;
  }
}

/** `--para-preset`: `NAME`, `ID=NAME`, comma-separated; the bare NAME is every other para's. */
function paraPresets(
  spec: string,
): Result<{ all: PresetName; byPara: Map<number, PresetName> }, string> {
  let all: PresetName = "async";
  const byPara = new Map<number, PresetName>();
  const bad = `--para-preset: expected NAME or ID=NAME (comma-separated) with NAME one of ${PRESET_NAMES.join(", ")}, got ${JSON.stringify(spec)}`;
  for (const part of spec.split(",").map((s) => s.trim())) {
    const m = /^(?:(\d+)\s*=\s*)?([a-z0-9-]+)$/.exec(part);
    if (!m || !(PRESET_NAMES as readonly string[]).includes(m[2]!)) return err(bad);
    if (m[1] === undefined) all = m[2] as PresetName;
    else byPara.set(Number(m[1]), m[2] as PresetName);
  }
  return ok({ all, byPara });
}

class ZndslRefusal extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(reason);
  }
}

/** A node's names as a .zndsl uses them: its own, or a group's and each member's (`name-0`, ...). */
function nodeNames(name: unknown, groupCount: number | null): string[] {
  if (typeof name !== "string" || name === "") return [];
  if (groupCount === null) return [name];
  return [name, ...Array.from({ length: groupCount }, (_, i) => `${name}-${i}`)];
}

/**
 * The ignored keys as lines for stderr, one per key path with the indices folded
 * (`parachains[].collator.image (lines 34, 43)`), in the file's order.
 */
export function formatIgnored(ignored: readonly IgnoredKey[]): string[] {
  const groups = new Map<string, { lines: number[]; reason: string; templates: Set<string> }>();
  for (const k of ignored) {
    const key = `${k.path.replace(/\[\d+\]/g, "[]")}\u0000${k.reason}`;
    const g = groups.get(key) ?? { lines: [], reason: k.reason, templates: new Set<string>() };
    // A key repeated by a `{% for %}` loop is one source line.
    if (k.line !== null && !g.lines.includes(k.line)) g.lines.push(k.line);
    for (const t of k.templates) g.templates.add(t);
    groups.set(key, g);
  }
  return [...groups.entries()].map(([key, g]) => {
    const path = key.split("\u0000")[0]!;
    const lines =
      g.lines.length === 0 ? "" : ` (line${g.lines.length > 1 ? "s" : ""} ${g.lines.join(", ")})`;
    const t = g.templates.size > 0 ? `; unrendered: ${[...g.templates].join(" ")}` : "";
    return `ignored: ${path}${lines}: ${g.reason}${t}`;
  });
}
