/**
 * Finding and reading vector files: each PATH is a file or a folder searched recursively for
 * `*.json`, in sorted order so that a run lists vectors the same way on every machine.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { err, ok, type Result } from "../lib/result.ts";

function collect(path: string, out: string[]): void {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const entry of readdirSync(path).sort()) {
      const child = join(path, entry);
      if (statSync(child).isDirectory() || entry.endsWith(".json")) collect(child, out);
    }
  } else {
    out.push(path);
  }
}

/** Resolve PATHs to vector files; a missing path is reported, not skipped. */
export function findVectorFiles(paths: readonly string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  for (const p of paths) {
    try {
      collect(p, files);
    } catch {
      missing.push(p);
    }
  }
  return { files, missing };
}

/** A vector file's parsed JSON, or why it cannot be read (a message for the ERROR line). */
export function loadVector(file: string): Result<unknown, string> {
  try {
    return ok(JSON.parse(readFileSync(file, "utf8")));
  } catch (e) {
    return err(e instanceof Error ? e.message : String(e));
  }
}
