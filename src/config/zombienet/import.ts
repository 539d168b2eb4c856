/**
 * Importing a zombienet v1 network (TOML) as a scenario (docs/import.md, issue 19's first step):
 * the relay chain's genesis preset for its `chain` (rococo-local only), the host-configuration
 * overrides in every home polkadot-sdk reads them from, the validators, the parachains registered
 * at genesis and their collators. Every key parapipe does not model is listed as ignored with its
 * line and reason; a value parapipe would have to guess is refused. Pure: the caller reads the file.
 */
import { parse as parseToml, TomlError } from "smol-toml";
import { err, ok, type Result } from "../../lib/result.ts";
import { PRESET_NAMES, type PresetName } from "../presets.ts";

export interface ImportOptions {
  /** The scenario's name (the file's name without `.toml`). */
  readonly name: string;
  /** The preset whose parachain runtime and collator the paras take (default `async`). */
  readonly paraPreset?: string;
  /** Cores per para: one number for every para, or per para id. */
  readonly cores?: number | ReadonlyMap<number, number>;
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
}

export interface ImportError {
  readonly line: number | null;
  readonly reason: string;
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
  text: string,
  options: ImportOptions,
): Result<ImportResult, ImportError> {
  // Templates in the structure: refused before parsing (they are not TOML).
  const rawLines = text.split(/\r?\n/);
  for (let i = 0; i < rawLines.length; i++) {
    const code = codeOf(rawLines[i]!);
    if (code.includes("{%")) {
      return err({
        line: i + 1,
        reason:
          "a `{% ... %}` template block: rendering `{% for %}` ranges and `{% if %}` is a later step of issue 19 (render the file first, e.g. with zombienet's own tooling)",
      });
    }
    if (code.includes("{{")) {
      return err({
        line: i + 1,
        reason:
          "a `{{...}}` template outside a string: rendering templates that decide the network's structure is a later step of issue 19",
      });
    }
  }
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (e) {
    if (e instanceof TomlError) {
      return err({ line: e.line, reason: `not valid TOML: ${e.message.split("\n")[0]}` });
    }
    throw e;
  }

  const paraPreset = options.paraPreset ?? "async";
  if (!(PRESET_NAMES as readonly string[]).includes(paraPreset)) {
    return err({
      line: null,
      reason: `--para-preset: expected one of ${PRESET_NAMES.join(", ")}, got ${JSON.stringify(paraPreset)}`,
    });
  }

  const where = keyLines(text);
  const lineOf = (path: string): number | null => where.get(path) ?? null;
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
        `a template (${t[0]}) in a key parapipe maps: rendering it is a later step of issue 19`,
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
          if (isValidator(`${at}.validator`, node.validator)) validators += count;
          else ignore(`${at}`, undefined, "a full node (validator = false), not a validator");
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
    const out: Record<string, unknown>[] = [];
    for (const [i, para] of (paras as unknown[]).entries()) {
      const at = `parachains[${i}]`;
      if (!isTable(para)) refuse(at, "expected a table");
      const id = integer(`${at}.id`, para.id, 0);
      let collators = 0;
      let atGenesis = true;
      for (const [k, v] of Object.entries(para)) {
        const path = `${at}.${k}`;
        if (k === "id") continue;
        if (k === "addToGenesis" || k === "add_to_genesis" || k === "onboard_as_parachain") {
          noTemplate(path, v);
          if (v === false) atGenesis = false;
          else if (v !== true) refuse(path, `expected true or false, got ${JSON.stringify(v)}`);
          continue;
        }
        if (k === "chain") {
          ignore(
            path,
            v,
            `the para runtime's constants come from --para-preset (${paraPreset}), not from its chain name`,
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
            if (isValidator(`${cpath}.validator`, c.validator)) collators += count;
            else ignore(cpath, undefined, "a full node (validator = false), not a collator");
            for (const [ck, cv] of Object.entries(c)) {
              if (ck !== "count" && ck !== "validator") ignore(`${cpath}.${ck}`, cv, NOT_MODELLED);
            }
          }
          continue;
        }
        ignore(path, v, NOT_MODELLED);
      }
      if (collators === 0) refuse(at, `para ${id} has no collator`);
      const given =
        typeof options.cores === "number" ? options.cores : (options.cores?.get(id) ?? undefined);
      if (!atGenesis && given === undefined) {
        refuse(
          at,
          `para ${id} is registered after genesis (add_to_genesis or onboard_as_parachain false): its cores come from the .zndsl's assign-core lines (a later step of issue 19); give --cores to simulate it from genesis`,
        );
      }
      out.push({ id, cores: given ?? 1, collators });
    }

    const cores = out.reduce((n, p) => n + (p.cores as number), 0);
    const scheduler = hc.schedulerParams as Record<string, unknown>;
    if (scheduler.numCores === undefined) hc.schedulerParams = { ...scheduler, numCores: cores };

    const scenario: Record<string, unknown> = {
      name: options.name,
      preset: paraPreset as PresetName,
      relay: { validators, hostConfiguration: hc },
      parachains: out,
    };
    return ok({ scenario, ignored });
  } catch (e) {
    if (e instanceof Refusal)
      return err({ line: lineOf(e.path), reason: `${e.path}: ${e.message}` });
    throw e;
  }
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
    if (k.line !== null) g.lines.push(k.line);
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
