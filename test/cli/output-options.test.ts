/**
 * Issue 18 item 3 through the command line: `--markdown`, `--csv` and `--report FILE.html` on
 * `run`, `compare` and `upgrade`. The CSV is the table alone on stdout (RFC 4180, CRLF records;
 * the other lines on stderr); one output form at a time; a `--report` that cannot be written is
 * refused before anything runs (exit 2).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = join(import.meta.dirname, "../../bin/parapipe.js");
const cli = (...args: string[]) =>
  spawnSync("node", [BIN, ...args, "--no-progress"], { encoding: "utf8" });
const dir = mkdtempSync(join(tmpdir(), "parapipe-output-"));

describe("--csv and --markdown", () => {
  it("run --csv: one CSV table on stdout, the status lines on stderr", () => {
    const r = cli("run", "--preset", "sync", "--preset", "async", "--relay-blocks", "16", "--csv");
    expect(r.status, r.stderr).toBe(0);
    const records = r.stdout.split("\r\n");
    expect(records[0]).toBe("para,figure,sync (current),async (current)");
    expect(records).toContain("2000,parablock included every,12.00 s,6.00 s");
    expect(records.filter((l) => l.startsWith("2000,")).length).toBe(17 + 3); // + the ratios
    expect(records.at(-1)).toBe(""); // every record ends with CRLF
    expect(r.stdout).not.toContain("trace 0x");
    expect(r.stderr).toMatch(/^sync: trace 0x/m);
  });

  it("run --markdown: Markdown tables, the notes and status lines as a list", () => {
    const r = cli("run", "--preset", "async", "--relay-blocks", "16", "--markdown");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\| para 2000 \| async \(current\) \|\n\| --- \| ---: \|\n/);
    expect(r.stdout).toMatch(/^- measured \(async\): relay blocks 6\.\.21/m);
    expect(r.stdout).toMatch(/^- async: trace 0x/m);
  });

  it("compare --csv: the seed table, quoted where a label holds a comma", () => {
    const r = cli("compare", "--relay-blocks", "16", "--csv");
    expect(r.status, r.stderr).toBe(0);
    const records = r.stdout.split("\r\n");
    expect(records[0]).toBe("para 2000,sync (current),async (current)");
    expect(records.find((l) => l.startsWith('"PoV size, share'))).toMatch(
      /^"PoV size, share of the maximum \(mean\)",\d+\.\d %,\d+\.\d %$/,
    );
    expect(r.stdout).not.toContain("measured: seed");
  });

  it("upgrade --csv and --markdown: the phases table", () => {
    const csv = cli("upgrade", "--csv");
    expect(csv.status, csv.stderr).toBe(0);
    expect(csv.stdout.split("\r\n")[0]).toBe(
      "para 2000: phase,from relay block,to,block time mean,p95,execution per relay block",
    );
    expect(csv.stdout.split("\r\n")).toContain("phase-3,#94,#125,6.19 s,12.00 s,1232 ms");
    expect(csv.stderr).toContain("no stall");
    const md = cli("upgrade", "--markdown");
    expect(md.stdout).toContain("| phase-3 | #94 | #125 | 6.19 s | 12.00 s | 1232 ms |");
    expect(md.stdout).toContain("\n- no stall");
  });

  it("takes one output form at a time", () => {
    for (const [cmd, a, b] of [
      ["run", "--json", "--csv"],
      ["compare", "--markdown", "--csv"],
      ["upgrade", "--json", "--markdown"],
    ] as const) {
      const r = cli(cmd, ...(cmd === "run" ? ["--preset", "async"] : []), a, b);
      expect(r.status, cmd).toBe(2);
      expect(r.stderr).toContain(
        `error: give one of --json, --markdown, --csv (got ${a} and ${b})`,
      );
    }
  });
});

describe("--report", () => {
  it("refuses a folder that does not exist, or a folder, before running", () => {
    const nowhere = join(dir, "no/such/folder/r.html");
    const r = cli("run", "--preset", "async", "--report", nowhere);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `--report: the folder ${join(dir, "no/such/folder")} does not exist`,
    );
    expect(r.stdout).toBe(""); // nothing ran
    const folder = cli("compare", "--report", dir);
    expect(folder.status).toBe(2);
    expect(folder.stderr).toContain("--report: expected a file to write");
  });

  it("writes the file and says where on stderr, the summary unchanged on stdout", () => {
    const file = join(dir, "r.html");
    const plain = cli("run", "--preset", "sync", "--relay-blocks", "12");
    const r = cli("run", "--preset", "sync", "--relay-blocks", "12", "--json", "--report", file);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).name).toBe("sync");
    expect(r.stderr).toMatch(new RegExp(`report: ${file} \\(\\d+ kB\\)`));
    expect(existsSync(file)).toBe(true);
    const html = readFileSync(file, "utf8");
    expect(html).toContain("<title>parapipe run: sync</title>");
    // The same figures as the text summary (its first table row).
    const row = plain.stdout
      .split("\n")[2]!
      .trim()
      .split(/\s{3,}/);
    expect(html).toContain(`<td>${row[0]}</td><td>${row[1]}</td>`);
  });
});
