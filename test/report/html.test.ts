/**
 * Issue 18 item 3, "Reports people look at": the tables in every form (`csvTable`'s RFC 4180
 * quoting, the run summary as one CSV table), the series the charts draw (the run report's own
 * figures), and the HTML report: self-contained (no script, no URL, nothing fetched), the same
 * figures as the text, a drawn `<svg>` per chart, escaped names, unique ids, and the same page
 * for the same runs even after other charts were drawn in the process (zrender's counters).
 * The browser test (`html-browser.test.ts`) opens the file in Chromium.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { defaultRehearsal } from "../../src/cli/upgrade.ts";
import { compareRuns } from "../../src/report/compare.ts";
import { stableIds } from "../../src/report/html/charts.ts";
import { compareReportHtml, runReportHtml, upgradeReportHtml } from "../../src/report/html/page.ts";
import { type RunSeries, runSeries } from "../../src/report/html/series.ts";
import { type RunOutcome, runReportInput, runScenario } from "../../src/report/run.ts";
import { summaryCsvTable, summaryTables } from "../../src/report/summary.ts";
import { csvTable, formatTable, markdownTable } from "../../src/report/table.ts";
import { formatRehearsal, type Rehearsal, rehearsal } from "../../src/report/upgrade.ts";
import { scenario } from "../sim/helpers.ts";

interface Ran {
  readonly outcome: RunOutcome;
  readonly series: RunSeries;
}

function ran(input: Record<string, unknown>, windowFrom?: number): Ran {
  const s = scenario({ crypto: "none", ...input });
  const outcome = runScenario(s);
  return { outcome, series: runSeries(runReportInput(s, outcome.world), windowFrom) };
}

let sync: Ran;
let asyncRun: Ran;
let upgrade: { ran: Ran; rehearsal: Rehearsal };
beforeAll(() => {
  sync = ran({ preset: "sync", relayBlocks: 30 });
  asyncRun = ran({ preset: "async", relayBlocks: 30 });
  const s = scenario({ ...defaultRehearsal([1, 2, 3]), crypto: "none" });
  const outcome = runScenario(s);
  upgrade = {
    ran: { outcome, series: runSeries(runReportInput(s, outcome.world)) },
    rehearsal: rehearsal(s, outcome, "sync"),
  };
}, 120_000);

/** The inline SVGs of a page. */
const svgsOf = (html: string) => html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];

/** Drawn shapes in an SVG (bars, lines, areas). */
const shapesOf = (svg: string) => (svg.match(/<(path|rect|polygon|polyline)\b/g) ?? []).length;

/** What a self-contained page must not have. */
function externalReferences(html: string): string[] {
  const found: string[] = [];
  for (const [name, re] of [
    ["a script", /<script\b/i],
    ["a src attribute", /\ssrc\s*=/i],
    ["a link element", /<link\b/i],
    ["an http(s) URL", /https?:\/\//i],
    ["a CSS import", /@import/i],
    ["a url() other than a fragment", /url\(\s*(?!#)/i],
    ["an href other than a fragment", /\shref\s*=\s*"(?!#)/i],
    ["an iframe or object", /<(iframe|object|embed)\b/i],
  ] as const) {
    if (re.test(html)) found.push(name);
  }
  return found;
}

describe("tables in every form", () => {
  it("csvTable quotes as RFC 4180 says: commas, quotes, CR and LF; records end with CRLF", () => {
    expect(
      csvTable(
        ["figure", "a,b"],
        [
          ['he said "6 s"', "line\nbreak"],
          ["plain", "cr\r"],
        ],
      ),
    ).toBe('figure,"a,b"\r\n"he said ""6 s""","line\nbreak"\r\nplain,"cr\r"\r\n');
    expect(csvTable(["x"], [])).toBe("x\r\n");
  });

  it("escapes a | in a Markdown cell", () => {
    expect(markdownTable(["a|b", "c"], [])).toBe("| a\\|b | c |\n| --- | ---: |");
  });

  it("prints the run summary as one CSV table: a para column, the figure, a column per run", () => {
    const reports = [sync.outcome.report, asyncRun.outcome.report];
    const csv = formatTable(summaryCsvTable(reports), "csv");
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe("para,figure,sync (current),async (current)");
    const rows = summaryTables(reports)[0]!.rows;
    expect(lines.length).toBe(1 + rows.length + 1); // header, rows, the final CRLF
    expect(lines).toContain(`2000,parablock included every,${rows[3]![1]},${rows[3]![2]}`);
  });

  it("prints the upgrade phases as CSV alone, and as Markdown with the notes as a list", () => {
    const csv = formatRehearsal(upgrade.rehearsal, "csv");
    expect(csv.split("\r\n")[0]).toBe(
      "para 2000: phase,from relay block,to,block time mean,p95,execution per relay block",
    );
    expect(csv).not.toContain("stall");
    const md = formatRehearsal(upgrade.rehearsal, "markdown");
    expect(md).toMatch(/^\| para 2000: phase \|/);
    expect(md).toContain("\n- no stall");
  });
});

describe("the series the charts draw", () => {
  it("gives each included block's stages in order, from the run's own events", () => {
    const { series } = asyncRun;
    const para = series.paras[0]!;
    expect(series.window).toEqual({ from: 6, to: 29 });
    expect(para.pipeline.length).toBeGreaterThanOrEqual(20);
    for (const b of para.pipeline) {
      expect(b.buildFrom).toBeLessThan(b.authored);
      expect(b.backed).not.toBeNull();
      expect(b.authored).toBeLessThanOrEqual(b.backed!);
      expect(b.backed!).toBeLessThan(b.included); // backed, then available and included
      expect(Math.floor(b.authored)).toBeGreaterThanOrEqual(series.window.from);
      expect(Math.floor(b.authored)).toBeLessThanOrEqual(series.window.to);
    }
    const numbers = para.pipeline.map((b) => b.number);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });

  it("are the run report's figures: block times and unincluded segment depths", () => {
    for (const { outcome, series } of [sync, asyncRun]) {
      const p = outcome.report.paras["2000"]!;
      const para = series.paras[0]!;
      const times = para.blockTimes.map((b) => b.ms);
      expect(Math.max(...times)).toBe(p.blockTimeMs!.max);
      expect(times.reduce((s, t) => s + t, 0) / times.length).toBeCloseTo(p.blockTimeMs!.mean, 2);
      const depths = para.segmentDepths.map((d) => d.depth);
      expect(depths.length).toBe(outcome.report.relayBlocks);
      expect(Math.max(...depths)).toBe(p.unincludedSegment.max);
      expect(depths.reduce((s, d) => s + d, 0) / depths.length).toBeCloseTo(
        p.unincludedSegment.mean,
        2,
      );
    }
  });

  it("keeps a window asked for inside the measured range", () => {
    const input = runReportInput(
      scenario({ preset: "async", relayBlocks: 30, crypto: "none" }),
      asyncRun.outcome.world,
    );
    expect(runSeries(input, 1000).window).toEqual({ from: 12, to: 35 });
    expect(runSeries(input, 0).window).toEqual({ from: 6, to: 29 });
  });
});

describe("the HTML report", () => {
  const runPage = () =>
    runReportHtml([sync.outcome.report, asyncRun.outcome.report], [sync.series, asyncRun.series]);

  it("is self-contained: no script, no URL, nothing to fetch", () => {
    const c = compareRuns([
      { report: sync.outcome.report, cores: 1 },
      { report: asyncRun.outcome.report, cores: 1 },
    ]);
    const pages = {
      run: runPage(),
      compare: compareReportHtml(
        c,
        [sync.outcome.report, asyncRun.outcome.report],
        [sync.series, asyncRun.series],
      ),
      upgrade: upgradeReportHtml(upgrade.rehearsal, upgrade.ran.outcome.report, upgrade.ran.series),
    };
    for (const [name, html] of Object.entries(pages)) {
      expect(externalReferences(html), name).toEqual([]);
      expect(html.startsWith("<!DOCTYPE html>"), name).toBe(true);
      // Every id is unique in the page (several inline SVGs share one document).
      const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
      expect(new Set(ids).size, name).toBe(ids.length);
    }
    // A chart per figure, each drawn: run 3 per run and para; compare 4 bars + 3 per run;
    // upgrade the phased block time + 3.
    expect(svgsOf(pages.run).length).toBe(6);
    expect(svgsOf(pages.compare).length).toBe(4 + 6);
    expect(svgsOf(pages.upgrade).length).toBe(1 + 3);
    for (const html of Object.values(pages)) {
      for (const svg of svgsOf(html)) expect(shapesOf(svg)).toBeGreaterThan(5);
    }
    // The pipeline: a building, a backing and an inclusion bar per block, in the docs' colours.
    const pipeline = svgsOf(pages.run)[3]!;
    const rows = asyncRun.series.paras[0]!.pipeline.length;
    for (const colour of ["#4f2eb7", "#ffc62a", "#4faff9"]) {
      expect(pipeline.split(`fill="${colour}"`).length - 1).toBeGreaterThanOrEqual(rows);
    }
    expect(pages.upgrade).toContain(">phase-3</text>");
    expect(pages.compare).toContain(">8.00x</text>"); // the seed table's 8x, measured
  });

  it("holds the same figures as the text summary", () => {
    const html = runPage();
    for (const table of summaryTables([sync.outcome.report, asyncRun.outcome.report])) {
      for (const row of table.rows) {
        expect(html).toContain(
          `<tr>${row.map((c) => `<td>${c.replaceAll("&", "&amp;")}</td>`).join("")}</tr>`,
        );
      }
    }
  });

  it("is the same page for the same runs, whatever was drawn before in the process", () => {
    const first = runPage();
    upgradeReportHtml(upgrade.rehearsal, upgrade.ran.outcome.report, upgrade.ran.series);
    expect(runPage()).toBe(first);
    // zrender's names are per process: renamed by first appearance under the chart's key.
    expect(first).not.toMatch(/zr\d+-/);
  });

  it("escapes names, and keeps the host facts in the footer only", () => {
    const named = {
      ...asyncRun.outcome.report,
      name: "<img src=x onerror=alert(1)>",
      host: { wallMs: 1234, parapipeVersion: "0.1.0", node: "v20.0.0", nodeFlags: [] },
    };
    const html = runReportHtml([named], [{ ...asyncRun.series, name: named.name }]);
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toMatch(/<footer>.*1\.2 s wall on Node v20\.0\.0.*<\/footer>/);
  });

  it("renames zrender's ids in tags and CSS, never in text", () => {
    const svg =
      '<svg width="1" height="1" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 1 1">\n' +
      '<path class="zr7-cls-3" clip-path="url(#zr7-c0)"></path><text>zr7-cls-3</text>\n' +
      "<style>\n.zr7-cls-3:hover {\n}\n</style></svg>";
    expect(stableIds(svg, "k", 'a "chart"')).toBe(
      '<svg role="img" aria-label="a &quot;chart&quot;" width="1" height="1" viewBox="0 0 1 1">\n' +
        '<path class="k-0" clip-path="url(#k-1)"></path><text>zr7-cls-3</text>\n' +
        "<style>\n.k-0:hover {\n}\n</style></svg>",
    );
  });
});
