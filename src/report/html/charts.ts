/**
 * The HTML report's charts, drawn when the report is written: ECharts' server-side rendering
 * (`echarts.init(null, null, {renderer: "svg", ssr: true, ...})`, `renderToSVGString()`) gives
 * each chart as an `<svg>` string to inline in the page, so the file shows every chart without a
 * script, a DOM or a network. Hover highlighting comes with the SVG as CSS.
 *
 * Invariants: a chart's SVG is a function of its data. zrender numbers its instances and CSS
 * classes with counters global to the process (a second report in one process would get other
 * names), so `stableIds` renames them by first appearance under the chart's own key; the keys are
 * unique in a page, so the inline SVGs' ids and classes never collide. No animation (the SVG is
 * the final frame).
 *
 * Colours: building, backing, inclusion and the relay blocks take the async backing docs' chart
 * colours (#4f2eb7, #ffc62a, #4faff9, #eb4172).
 */
import { BarChart, CustomChart, LineChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";
import type { ParaSeries, PipelineBlock, RunSeries } from "./series.ts";

// Registering is idempotent: the same components whatever runs before.
echarts.use([
  BarChart,
  CustomChart,
  LineChart,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  SVGRenderer,
]);

export const COLOURS = {
  building: "#4f2eb7",
  backing: "#ffc62a",
  inclusion: "#4faff9",
  relayBlock: "#eb4172",
  figure: "#4f2eb7",
  second: "#4faff9",
  stall: "#d7263d",
  text: "#333",
  grid: "#e4e4ea",
} as const;

/**
 * The charts' font: Arial's metrics (Liberation Sans on Linux has the same), which zrender's text
 * measure assumes when there is no canvas to measure with, so labels and legends are placed for
 * the widths the browser draws.
 */
const CHART_FONT = "Arial, Liberation Sans, Helvetica, sans-serif";

/** The width of a full-width chart, px (the SVG scales down with the page). */
export const CHART_WIDTH = 960;

/** A chart drawn: its SVG and what it shows, for the page. */
export interface Chart {
  readonly svg: string;
  /** A one-line description for screen readers (`aria-label`). */
  readonly label: string;
}

type Option = echarts.EChartsCoreOption;

/**
 * zrender's per-process names (`zr12-cls-3`, `zr12-c0`) renamed `KEY-0`, `KEY-1`... by first
 * appearance, in tags and in the CSS rules of its `<style>` (never in text: labels are data);
 * the root's namespace attributes dropped (an inline `<svg>` in HTML needs none) and an
 * accessible label added.
 */
export function stableIds(svg: string, key: string, label: string): string {
  const names = new Map<string, string>();
  const rename = (name: string): string => {
    let to = names.get(name);
    if (to === undefined) {
      to = `${key}-${names.size}`;
      names.set(name, to);
    }
    return to;
  };
  const renamed = svg.replace(/<[^>]*>|^\.zr\d+-[a-z]+-?\d+/gm, (chunk) =>
    chunk.replace(/zr\d+-[a-z]+-?\d+/g, rename),
  );
  return renamed.replace(
    /^<svg ([^>]*?)xmlns="[^"]*" xmlns:xlink="[^"]*" ?/,
    `<svg role="img" aria-label="${escapeAttribute(label)}" $1`,
  );
}

function escapeAttribute(s: string): string {
  return s
    .replaceAll("&", "&amp;")
    .replaceAll('"', "&quot;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;");
}

/** Draw one chart to SVG (see the header). */
export function renderChart(
  option: Option,
  size: { readonly width: number; readonly height: number },
  key: string,
  label: string,
): Chart {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, ...size });
  try {
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: CHART_FONT, color: COLOURS.text },
      ...option,
    });
    return { svg: stableIds(chart.renderToSVGString(), key, label), label };
  } finally {
    chart.dispose();
  }
}

const AXIS_NAME = { nameLocation: "middle", nameGap: 28, nameTextStyle: { fontSize: 12 } };

/** The pipeline chart's height for a number of rows: readable rows, up to a tall page. */
function pipelineHeight(rows: number): number {
  const rowPx = Math.max(5, Math.min(18, 720 / Math.max(rows, 1)));
  return Math.round(110 + rows * rowPx);
}

/**
 * The pipeline of each para block of the included chain authored in the window: a row per block,
 * building, backing and inclusion as bars against relay blocks (the async backing docs' chart,
 * measured), a vertical line at every relay block.
 */
export function pipelineChart(run: RunSeries, para: ParaSeries, key: string): Chart {
  const rows = para.pipeline;
  const label = `Pipeline of para ${para.paraId}'s blocks authored in relay blocks ${run.window.from} to ${run.window.to} of ${run.name}`;
  const xMin = Math.floor(Math.min(run.window.from, ...rows.map((b) => b.buildFrom)));
  const xMax = Math.max(run.window.to + 1, ...rows.map((b) => b.included)) + 1;
  const stage = (
    name: string,
    colour: string,
    span: (b: PipelineBlock) => readonly [number, number] | null,
  ) => ({
    type: "custom",
    name,
    itemStyle: { color: colour },
    encode: { x: [0, 1], y: 2 },
    data: rows.flatMap((b, i) => {
      const s = span(b);
      return s === null ? [] : [[s[0], s[1], i]];
    }),
    renderItem: (
      _params: unknown,
      api: {
        value: (dim: number) => number;
        coord: (point: number[]) => number[];
        size: (point: number[]) => number[];
      },
    ) => {
      const row = api.value(2);
      const from = api.coord([api.value(0), row]);
      const to = api.coord([api.value(1), row]);
      const height = api.size([0, 1])[1]! * 0.72;
      return {
        type: "rect",
        shape: {
          x: from[0]!,
          y: from[1]! - height / 2,
          width: Math.max(to[0]! - from[0]!, 1.5),
          height,
        },
        style: { fill: colour },
      };
    },
  });
  const option: Option = {
    legend: { top: 4, itemWidth: 18, itemHeight: 10, itemGap: 24 },
    grid: { left: 64, right: 24, top: 36, bottom: 52 },
    xAxis: {
      type: "value",
      min: xMin,
      max: xMax,
      interval: 1,
      name: `relay block (one every ${(run.slotDurationMs / 1000).toFixed(0)} s)`,
      ...AXIS_NAME,
      splitLine: { lineStyle: { color: COLOURS.relayBlock, opacity: 0.3 } },
      axisLabel: { fontSize: 10 },
    },
    yAxis: {
      type: "category",
      inverse: true,
      data: rows.map((b) => `#${b.number}`),
      name: "para block",
      nameLocation: "start",
      nameGap: 8,
      axisLabel: { fontSize: 10 },
      axisTick: { show: false },
    },
    series: [
      stage("building", COLOURS.building, (b) => [b.buildFrom, b.authored]),
      stage("backing", COLOURS.backing, (b) => (b.backed === null ? null : [b.authored, b.backed])),
      stage("inclusion", COLOURS.inclusion, (b) => [b.backed ?? b.authored, b.included]),
    ],
  };
  return renderChart(
    option,
    { width: CHART_WIDTH, height: pipelineHeight(rows.length) },
    key,
    label,
  );
}

/** The block time of each included block (Aura timestamp gaps), with the mean marked. */
export function blockTimeChart(run: RunSeries, para: ParaSeries, key: string): Chart {
  const points = para.blockTimes;
  const label = `Block time of each block of para ${para.paraId} included in the measured relay blocks of ${run.name}`;
  const option: Option = {
    grid: { left: 64, right: 24, top: 24, bottom: 52 },
    xAxis: {
      type: "category",
      data: points.map((p) => `#${p.number}`),
      name: "included para block",
      ...AXIS_NAME,
      axisLabel: { fontSize: 10 },
    },
    yAxis: { type: "value", name: "block time (s)", ...AXIS_NAME, nameGap: 40, min: 0 },
    series: [
      {
        type: "bar",
        name: "block time",
        itemStyle: { color: COLOURS.figure },
        barMaxWidth: 18,
        data: points.map((p) => p.ms / 1000),
        markLine:
          points.length === 0
            ? undefined
            : {
                symbol: "none",
                lineStyle: { color: COLOURS.relayBlock, type: "dashed" },
                label: { formatter: "mean {c} s", position: "insideEndTop" },
                data: [
                  {
                    yAxis:
                      Math.round(points.reduce((s, p) => s + p.ms, 0) / points.length / 10) / 100,
                  },
                ],
              },
      },
    ],
  };
  return renderChart(option, { width: CHART_WIDTH, height: 260 }, key, label);
}

/** A phase band of the upgrade rehearsal: a name and its relay blocks (inclusive). */
export interface Band {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly kind: "phase" | "stall";
}

/** markArea data for bands over a category axis of relay block numbers (as strings). */
function bandAreas(bands: readonly Band[], category: boolean) {
  const at = (n: number) => (category ? String(n) : n);
  let phase = 0;
  return {
    silent: true,
    data: bands.map((b) => {
      const colour =
        b.kind === "stall" ? COLOURS.stall : phase++ % 2 === 0 ? COLOURS.building : COLOURS.second;
      return [
        {
          name: b.name,
          xAxis: at(b.from),
          itemStyle: { color: colour, opacity: b.kind === "stall" ? 0.22 : 0.1 },
          label: {
            // Above the plot, where no bar or line covers it.
            position: b.kind === "stall" ? "insideBottom" : "top",
            distance: 4,
            color: b.kind === "stall" ? COLOURS.stall : COLOURS.text,
            fontSize: 11,
          },
        },
        { xAxis: at(category ? b.to : b.to + 1) },
      ];
    }),
  };
}

/** The unincluded segment's depth at the start of each measured relay slot (bands optional). */
export function segmentDepthChart(
  run: RunSeries,
  para: ParaSeries,
  key: string,
  bands: readonly Band[] = [],
): Chart {
  const label = `Unincluded segment depth of para ${para.paraId} at each measured relay block of ${run.name}`;
  const depths = para.segmentDepths;
  const option: Option = {
    grid: { left: 64, right: 24, top: bands.length > 0 ? 32 : 24, bottom: 52 },
    xAxis: {
      type: "category",
      data: depths.map((d) => String(d.relayBlock)),
      name: "relay block",
      ...AXIS_NAME,
      axisLabel: { fontSize: 10 },
    },
    yAxis: {
      type: "value",
      name: "blocks",
      ...AXIS_NAME,
      nameGap: 32,
      min: 0,
      minInterval: 1,
    },
    series: [
      {
        type: "bar",
        name: "unincluded segment",
        itemStyle: { color: COLOURS.inclusion },
        barMaxWidth: 18,
        data: depths.map((d) => d.depth),
        ...(bands.length > 0 ? { markArea: bandAreas(bands, true) } : {}),
      },
    ],
  };
  return renderChart(option, { width: CHART_WIDTH, height: 240 }, key, label);
}

/**
 * The upgrade rehearsal: each included block's block time at the relay block that included it,
 * over the measured relay blocks, the phases (and stalls) as bands from where they took effect.
 */
export function phasedBlockTimeChart(
  run: RunSeries,
  para: ParaSeries,
  bands: readonly Band[],
  key: string,
): Chart {
  const label = `Block time of para ${para.paraId} over the relay blocks of ${run.name}, phases marked`;
  const option: Option = {
    grid: { left: 64, right: 24, top: 32, bottom: 52 },
    xAxis: {
      type: "value",
      min: run.firstRelayBlock,
      max: run.lastRelayBlock + 1,
      name: "relay block (the block's inclusion)",
      ...AXIS_NAME,
      splitLine: { show: false },
    },
    yAxis: { type: "value", name: "block time (s)", ...AXIS_NAME, nameGap: 40, min: 0 },
    series: [
      {
        type: "line",
        name: "block time",
        symbol: "circle",
        symbolSize: 5,
        itemStyle: { color: COLOURS.figure },
        lineStyle: { width: 1.5 },
        data: para.blockTimes.map((p) => [p.relayBlock, p.ms / 1000]),
        markArea: bandAreas(bands, false),
      },
    ],
  };
  return renderChart(option, { width: CHART_WIDTH, height: 300 }, key, label);
}

/** One of the seed table's figures per compared run: a series of bars, each labelled. */
export interface ColumnFigure {
  readonly title: string;
  readonly unit: string;
  readonly series: readonly {
    readonly name: string;
    readonly values: readonly (number | null)[];
    readonly labels: readonly string[];
  }[];
}

/** The width of a small chart, two to a row. */
export const SMALL_CHART_WIDTH = 470;

/** A small bar chart of one of the seed table's figures, a group of bars per compared run. */
export function columnFigureChart(
  columns: readonly string[],
  figure: ColumnFigure,
  key: string,
): Chart {
  const colours = [COLOURS.building, COLOURS.inclusion, COLOURS.backing];
  const legend = figure.series.length > 1;
  const option: Option = {
    ...(legend ? { legend: { top: 0, right: 8, itemGap: 16, textStyle: { fontSize: 11 } } } : {}),
    grid: { left: 56, right: 12, top: legend ? 52 : 32, bottom: 30 },
    xAxis: {
      type: "category",
      data: [...columns],
      axisLabel: {
        fontSize: 11,
        interval: 0,
        overflow: "truncate",
        width: (SMALL_CHART_WIDTH - 80) / Math.max(columns.length, 1),
      },
    },
    yAxis: {
      type: "value",
      name: figure.unit,
      nameTextStyle: { fontSize: 11, align: "right" },
      min: 0,
    },
    series: figure.series.map((s, i) => ({
      type: "bar",
      name: s.name,
      itemStyle: { color: colours[i % colours.length] },
      barMaxWidth: 48,
      data: s.values.map((v) => v ?? 0),
      label: {
        show: true,
        position: "top",
        fontSize: 10,
        formatter: (p: { dataIndex: number }) => s.labels[p.dataIndex] ?? "",
      },
    })),
  };
  return renderChart(option, { width: SMALL_CHART_WIDTH, height: 270 }, key, figure.title);
}
