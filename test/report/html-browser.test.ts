/**
 * The HTML report as a reader opens it: `parapipe run|compare|upgrade --report FILE.html`
 * written by the command, then opened from `file://` in a real headless Chromium (playwright-core,
 * the system's Chromium) with JavaScript off and every request recorded. Checked: nothing is
 * fetched but the file, the charts render (each inline `<svg>` is laid out and has drawn shapes,
 * counted), and a screenshot is not blank (distinct colours and non-background pixels, decoded
 * with pngjs). The run report's screenshot is saved to /tmp/parapipe-report.png (and, with
 * PARAPIPE_UPDATE_SCREENSHOT=1, to docs/report-screenshot.png for docs/report.md).
 *
 * Without a Chromium the tests are skipped (their names say so); with PARAPIPE_REQUIRE_BROWSER=1
 * (CI, `.ci/run`) a missing Chromium fails. PARAPIPE_CHROMIUM names the executable to use
 * instead of looking in the usual places.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { type Browser, chromium } from "playwright-core";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/parapipe.js");
const CANDIDATES = process.env.PARAPIPE_CHROMIUM
  ? [process.env.PARAPIPE_CHROMIUM]
  : [
      // The binary itself first: the Debian wrapper prints a harmless shell warning.
      "/usr/lib/chromium/chromium",
      "/usr/bin/chromium",
      "/usr/bin/chromium-browser",
    ];
const executablePath = CANDIDATES.find((p) => existsSync(p));
const run = promisify(execFile);
const required = process.env.PARAPIPE_REQUIRE_BROWSER === "1";
const missing = `no Chromium at ${CANDIDATES.join(", ")} (apt-get install -y chromium)`;

const SCREENSHOT = "/tmp/parapipe-report.png";

describe("a browser to open the report in", () => {
  if (executablePath === undefined && !required) {
    // Skipped, saying why (in the test's name and on stderr).
    const why = `${missing}; PARAPIPE_REQUIRE_BROWSER=1 makes this a failure`;
    console.warn(`html-browser.test.ts: skipped: ${why}`);
    it.skip(`skipped: ${why}`, () => {});
  } else {
    it("is installed (PARAPIPE_REQUIRE_BROWSER=1 requires it)", () => {
      expect(executablePath, missing).toBeDefined();
    });
  }
});

const work = mkdtempSync(join(tmpdir(), "parapipe-html-"));
let browser: Browser | undefined;
beforeAll(async () => {
  if (executablePath !== undefined) {
    browser = await chromium.launch({ executablePath, headless: true });
  }
}, 60_000);
afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Write a report through the command line, as a user does; the file's path. */
async function report(name: string, args: string[]): Promise<string> {
  const file = join(work, `${name}.html`);
  const r = await run("node", [BIN, ...args, "--no-progress", "--report", file], {
    encoding: "utf8",
  }).catch((e: { stderr?: string; message: string }) => {
    throw new Error(`parapipe ${args.join(" ")} failed: ${e.stderr ?? e.message}`);
  });
  expect(r.stderr).toContain(`report: ${file} (`);
  expect(existsSync(file)).toBe(true);
  return file;
}

/** The three reports, written side by side (each command simulates for a few seconds). */
let reports: Promise<Record<"run" | "compare" | "upgrade", string>> | undefined;
const written = () => {
  reports ??= Promise.all([
    report("run", ["run", "--preset", "async"]),
    report("compare", ["compare"]),
    report("upgrade", ["upgrade"]),
  ]).then(([run, compare, upgrade]) => ({ run, compare, upgrade }));
  return reports;
};

interface Opened {
  readonly requests: string[];
  readonly charts: { width: number; height: number; shapes: number; texts: number }[];
  readonly tables: number;
  readonly png: Buffer;
}

/** Open a report from disk with scripts off, recording requests; measure and screenshot it. */
async function open(file: string): Promise<Opened> {
  const context = await browser!.newContext({
    javaScriptEnabled: false,
    viewport: { width: 1100, height: 1400 },
  });
  const page = await context.newPage();
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  // Measured in the page with scripts off: locators evaluate in Playwright's own world.
  const charts = await page.locator("figure > svg").evaluateAll((svgs) =>
    svgs.map((svg) => {
      const box = svg.getBoundingClientRect();
      const drawn = [...svg.querySelectorAll("path, rect, polygon, polyline")].filter((e) => {
        const b = e.getBoundingClientRect();
        return b.width > 0 || b.height > 0;
      });
      return {
        width: box.width,
        height: box.height,
        shapes: drawn.length,
        texts: svg.querySelectorAll("text").length,
      };
    }),
  );
  const tables = await page.locator("table").count();
  const png = await page.screenshot({ fullPage: true });
  await context.close();
  return { requests, charts, tables, png };
}

/** Distinct colours and the share of pixels that are not the page's white. */
function pixels(png: Buffer): { colours: number; inked: number; width: number; height: number } {
  const image = PNG.sync.read(png);
  const colours = new Set<number>();
  let inked = 0;
  const d = image.data;
  for (let i = 0; i < d.length; i += 4) {
    colours.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
    if (d[i]! < 245 || d[i + 1]! < 245 || d[i + 2]! < 245) inked++;
  }
  return { colours: colours.size, inked: inked / (d.length / 4), ...image };
}

describe.skipIf(executablePath === undefined)(
  `the HTML report in headless Chromium (${executablePath ?? "none"})`,
  () => {
    it("run --preset async: opens from disk, draws every chart, is not blank", async () => {
      const file = (await written()).run;
      const { requests, charts, tables, png } = await open(file);
      expect(requests).toEqual([pathToFileURL(file).href]); // nothing fetched but the file
      expect(tables).toBe(1);
      expect(charts.length).toBe(3); // the pipeline, the block times, the unincluded segment
      for (const c of charts) {
        expect(c.width).toBeGreaterThan(600);
        expect(c.height).toBeGreaterThan(150);
        expect(c.shapes).toBeGreaterThan(20);
        expect(c.texts).toBeGreaterThan(5);
      }
      // The pipeline: three bars per block of the window (about one block per relay block).
      expect(charts[0]!.shapes).toBeGreaterThan(3 * 20);
      const p = pixels(png);
      expect(p.width).toBe(1100);
      expect(p.height).toBeGreaterThan(1400);
      expect(p.colours).toBeGreaterThan(50);
      expect(p.inked).toBeGreaterThan(0.05);
      writeFileSync(SCREENSHOT, png);
      if (process.env.PARAPIPE_UPDATE_SCREENSHOT === "1") {
        writeFileSync(join(ROOT, "docs/report-screenshot.png"), png);
      }
      expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    }, 120_000);

    it("compare: the table, its figures as bars, each run's charts", async () => {
      const file = (await written()).compare;
      const { requests, charts, tables, png } = await open(file);
      expect(requests).toEqual([pathToFileURL(file).href]);
      expect(tables).toBe(1);
      expect(charts.length).toBe(4 + 2 * 3);
      for (const c of charts) {
        expect(c.width).toBeGreaterThan(300);
        expect(c.shapes).toBeGreaterThan(5);
      }
      const p = pixels(png);
      expect(p.colours).toBeGreaterThan(50);
      expect(p.inked).toBeGreaterThan(0.05);
      expect(readFileSync(file, "utf8")).toContain(">8.00x</text>");
    }, 120_000);

    it("upgrade: the phases table and the block time with the phases marked", async () => {
      const file = (await written()).upgrade;
      const { requests, charts, tables, png } = await open(file);
      expect(requests).toEqual([pathToFileURL(file).href]);
      expect(tables).toBe(1);
      expect(charts.length).toBe(1 + 3);
      for (const c of charts) expect(c.shapes).toBeGreaterThan(20);
      const p = pixels(png);
      expect(p.colours).toBeGreaterThan(50);
      expect(p.inked).toBeGreaterThan(0.05);
    }, 120_000);
  },
);
