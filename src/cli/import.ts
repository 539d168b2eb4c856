/**
 * `parapipe import NETWORK.toml [--para-preset NAME] [--cores N|ID=N,...]`: the scenario a
 * zombienet network maps to, as YAML on stdout; the keys ignored on stderr (docs/import.md).
 * Exit 0: imported; 2: refused (file, line and reason on stderr).
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { stringify } from "yaml";
import { formatIgnored, importZombienet } from "../config/zombienet/import.ts";
import { InputError } from "./targets.ts";

export interface ImportCommandOptions {
  readonly paraPreset?: string;
  readonly cores?: string;
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

export function importCommand(file: string, opts: ImportCommandOptions): number {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(`${file}: cannot read (${e instanceof Error ? e.message : String(e)})`);
  }
  const cores = parseCores(opts.cores);
  const result = importZombienet(text, {
    name: basename(file).replace(/\.toml$/i, ""),
    ...(opts.paraPreset === undefined ? {} : { paraPreset: opts.paraPreset }),
    ...(cores === undefined ? {} : { cores }),
  });
  if (!result.ok) {
    const at = result.error.line === null ? file : `${file}:${result.error.line}`;
    console.error(`error: ${at}: ${result.error.reason}`);
    return 2;
  }
  for (const line of formatIgnored(result.value.ignored)) console.error(line);
  process.stdout.write(`# imported from ${basename(file)} by parapipe import\n`);
  process.stdout.write(stringify(result.value.scenario));
  return 0;
}
