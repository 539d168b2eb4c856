/** `parapipe conformance PATH...`: run conformance vectors (FORMAT.md), exit 0 / 1 / 2. */
import { findVectorFiles, loadVector } from "../conformance/load.ts";
import { runVector, type Verdict } from "../conformance/runner.ts";
import { SUITES } from "../conformance/suites/index.ts";
import { style } from "./style.ts";

export interface ConformanceOptions {
  readonly json?: boolean;
  readonly quiet?: boolean;
}

export function conformanceCommand(paths: readonly string[], opts: ConformanceOptions): number {
  const { files, missing } = findVectorFiles(paths);
  const verdicts: (Verdict & { file: string })[] = [];
  for (const m of missing)
    verdicts.push({ status: "error", name: m, reason: "no such file or folder", file: m });
  if (files.length === 0 && missing.length === 0) {
    verdicts.push({
      status: "error",
      name: paths.join(" "),
      reason: "no *.json vectors found",
      file: "",
    });
  }
  for (const file of files) {
    const loaded = loadVector(file);
    const verdict = loaded.ok
      ? runVector(loaded.value, SUITES, file)
      : ({ status: "error", name: file, reason: `cannot read: ${loaded.error}` } as const);
    verdicts.push({ ...verdict, file });
  }
  const passed = verdicts.filter((v) => v.status === "pass").length;
  const failed = verdicts.length - passed;
  const errors = verdicts.filter((v) => v.status === "error").length;
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ passed, failed, errors, vectors: verdicts }, null, 2)}\n`,
    );
  } else {
    for (const v of verdicts) {
      if (v.status === "pass") {
        if (!opts.quiet) console.log(`${style.green("PASS")} ${v.name}`);
      } else if (v.status === "fail") {
        console.log(`${style.red("FAIL")} ${v.name}: ${v.reason}`);
      } else {
        console.log(
          `${style.red("ERROR")} ${v.name}: ${v.reason}${v.file && v.file !== v.name ? ` (${v.file})` : ""}`,
        );
      }
    }
    console.log(`${passed} passed, ${failed} failed`);
  }
  return errors > 0 ? 2 : failed > 0 ? 1 : 0;
}
