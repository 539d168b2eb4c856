/**
 * `parapipe import NETWORK.toml [--para-preset NAME] [--cores N|ID=N,...] [--zndsl FILE]`: the
 * scenario a zombienet network maps to, as YAML on stdout; on stderr the keys ignored, where each
 * para's cores come from and the `.zndsl` lines not checked (docs/import.md). `run`, `check` and
 * `compare` take the network file directly through `importNetworkFile`.
 * Exit 0: imported; 2: refused (file, line and reason on stderr).
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { Document, isSeq } from "yaml";
import { formatIgnored, type ImportResult, importZombienet } from "../config/zombienet/import.ts";
import { parseZndsl } from "../config/zombienet/zndsl.ts";
import { InputError } from "./input-error.ts";

export interface ImportCommandOptions {
  readonly paraPreset?: string;
  readonly cores?: string;
  readonly zndsl?: string;
}

/** `--cores`: `N` (every para) or `ID=N,ID=N`. */
export function parseCores(value: string | undefined): number | Map<number, number> | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value) && Number(value) >= 1) return Number(value);
  const map = new Map<number, number>();
  for (const part of value.split(",")) {
    const m = /^\s*(\d+)\s*=\s*(\d+)\s*$/.exec(part);
    if (!m || Number(m[2]) < 1) {
      throw new InputError(
        `--cores: expected N (cores for every para) or ID=N,ID=N with N >= 1, got ${JSON.stringify(value)}`,
      );
    }
    map.set(Number(m[1]), Number(m[2]));
  }
  return map;
}

function read(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(`${file}: cannot read (${e instanceof Error ? e.message : String(e)})`);
  }
}

/**
 * The `.zndsl` files beside a network that name it (`Network: ./NAME.toml`): zombienet's tests
 * are found by that line, not by their file name (0020's test is `..._elastic_scaling.zndsl`).
 */
export function zndslBeside(file: string): string[] {
  const dir = dirname(file);
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith(".zndsl"));
  } catch {
    return [];
  }
  return names
    .sort()
    .map((f) => join(dir, f))
    .filter((f) => {
      const network = parseZndsl(read(f)).network;
      return network !== null && basename(network) === basename(file);
    });
}

export interface ImportedNetwork {
  readonly result: ImportResult;
  /** The .zndsl read, or null. */
  readonly zndsl: string | null;
}

/** Import a network file with its .zndsl (given, or the one beside it); `InputError` on refusal. */
export function importNetworkFile(file: string, opts: ImportCommandOptions): ImportedNetwork {
  const text = read(file);
  const cores = parseCores(opts.cores);
  let zndsl: string | null = opts.zndsl ?? null;
  if (zndsl === null) {
    const beside = zndslBeside(file);
    if (beside.length > 1) {
      throw new InputError(
        `${file}: several .zndsl files name this network (${beside.join(", ")}): import it with parapipe import --zndsl FILE`,
      );
    }
    zndsl = beside[0] ?? null;
  }
  const result = importZombienet(text, {
    name: basename(file).replace(/\.toml$/i, ""),
    ...(opts.paraPreset === undefined ? {} : { paraPreset: opts.paraPreset }),
    ...(cores === undefined ? {} : { cores }),
    ...(zndsl === null ? {} : { zndsl: { name: basename(zndsl), text: read(zndsl) } }),
  });
  if (!result.ok) {
    const where = result.error.inZndsl ? zndsl! : file;
    const at = result.error.line === null ? where : `${where}:${result.error.line}`;
    throw new InputError(`${at}: ${result.error.reason}`);
  }
  return { result: result.value, zndsl };
}

/** The stderr lines of an import: ignored keys, cores, checks and the lines not checked. */
export function importNotes(imported: ImportedNetwork): string[] {
  const { result, zndsl } = imported;
  const name = zndsl === null ? "" : basename(zndsl);
  const checks = (result.scenario.expect as string[] | undefined) ?? [];
  return [
    ...formatIgnored(result.ignored),
    ...result.cores.map((c) => `cores: ${c}`),
    ...(zndsl === null
      ? ["checks: no .zndsl names this network, so no checks"]
      : [
          ...checks.map((c, i) => `check: ${name}:${result.expectLines[i]}: ${c}`),
          ...result.notChecked.map((n) => `not checked: ${name}:${n.line}: ${n.text}: ${n.reason}`),
        ]),
  ];
}

export function importCommand(file: string, opts: ImportCommandOptions): number {
  let imported: ImportedNetwork;
  try {
    imported = importNetworkFile(file, opts);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    console.error(`error: ${e.message}`);
    return 2;
  }
  for (const line of importNotes(imported)) console.error(line);
  process.stdout.write(scenarioYaml(file, imported));
  return 0;
}

/** The imported scenario as YAML, each check under a comment with the .zndsl line it comes from. */
export function scenarioYaml(file: string, imported: ImportedNetwork): string {
  const { result, zndsl } = imported;
  const doc = new Document(result.scenario);
  const from = [file, zndsl].filter((f) => f !== null).map((f) => basename(f!));
  doc.commentBefore = ` imported from ${from.join(" and ")} by parapipe import`;
  const checks = doc.get("expect", true);
  if (zndsl !== null && isSeq(checks)) {
    const lines = parseZndsl(read(zndsl)).lines;
    checks.items.forEach((item, i) => {
      const line = result.expectLines[i];
      const text = lines.find((l) => l.line === line)?.text ?? "";
      (item as { commentBefore?: string }).commentBefore = ` ${basename(zndsl)}:${line}: ${text}`;
    });
  }
  return doc.toString({ lineWidth: 0 });
}
