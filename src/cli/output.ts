/**
 * The output options of the summarising commands (`run`, `compare`, `upgrade`): `--json`,
 * `--markdown` and `--csv` choose how the summary is printed (one of them, or plain text), and
 * `--report FILE.html` also writes the self-contained HTML report (`src/report/html/`,
 * docs/report.md). Both are checked before anything runs: a bad option runs nothing (exit 2).
 */
import { existsSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { TableFormat } from "../report/table.ts";
import { InputError } from "./targets.ts";

export interface OutputOptions {
  readonly json?: boolean;
  readonly markdown?: boolean;
  readonly csv?: boolean;
  readonly report?: string;
}

/** The summary's form: `json`, or a table form; more than one asked for is refused. */
export function outputFormat(opts: OutputOptions): TableFormat | "json" {
  const asked = (["json", "markdown", "csv"] as const).filter((f) => opts[f] === true);
  if (asked.length > 1) {
    throw new InputError(
      `give one of --json, --markdown, --csv (got ${asked.map((f) => `--${f}`).join(" and ")})`,
    );
  }
  return asked[0] ?? "text";
}

/** `--report FILE`: its folder must exist and it must not be a folder (checked before running). */
export function checkReportPath(path: string | undefined): void {
  if (path === undefined) return;
  const full = resolve(path);
  if (path === "" || (existsSync(full) && statSync(full).isDirectory())) {
    throw new InputError(
      `--report: expected a file to write (e.g. report.html), got ${JSON.stringify(path)}`,
    );
  }
  if (!existsSync(dirname(full))) {
    throw new InputError(`--report: the folder ${dirname(full)} does not exist`);
  }
}

/** Write the report and say where on stderr (stdout stays the summary). */
export function writeReport(path: string, html: string): void {
  try {
    writeFileSync(path, html);
  } catch (e) {
    throw new InputError(
      `--report: cannot write ${path} (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  const kb = Buffer.byteLength(html) / 1024;
  process.stderr.write(`report: ${path} (${kb.toFixed(0)} kB)\n`);
}
