/**
 * Line charts and learning curves: {@link lineChart} (one or several series, optionally smoothed),
 * {@link learningCurve} / {@link learningCurves} (mean and band over seeds), and the statistics they
 * draw ({@link movingAverage}, {@link bandStats}).
 */

import { ChartOptions, Datum, Figure, PALETTE, PlotlyTrace } from "./spec";
import { baseLayout, describe, nanToNull, nonEmptyArray, numbers, positiveInt, withAlpha } from "./common";

// ---------------------------------------------------------------------------------------------
// Numeric helpers
// ---------------------------------------------------------------------------------------------

/**
 * Trailing moving average: `out[i]` is the mean of the finite values among
 * `y[max(0, i − window + 1)] … y[i]`. The first `window − 1` points average over the shorter
 * prefix (so the curve starts at `y[0]`, not after a gap); NaN inputs are skipped, and a point whose
 * window holds no finite value is NaN. `window = 1` returns a copy.
 *
 * @param y the raw series, length n.
 * @param window positive integer.
 * @returns a new array of length n.
 * @example
 * movingAverage([1, 2, 3, 4, 5], 3); // [1, 1.5, 2, 3, 4]
 */
export function movingAverage(y: ArrayLike<number>, window: number): number[] {
  const ys = numbers("movingAverage", "y", y, true);
  positiveInt("movingAverage", "window", window);
  const out = new Array<number>(ys.length);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < ys.length; i++) {
    if (!Number.isNaN(ys[i])) {
      sum += ys[i];
      count++;
    }
    const j = i - window;
    if (j >= 0 && !Number.isNaN(ys[j])) {
      sum -= ys[j];
      count--;
    }
    // Re-sum now and then, so that round-off of the running sum cannot build up over long runs.
    if (i % 1024 === 1023) {
      sum = 0;
      for (let k = Math.max(0, i - window + 1); k <= i; k++) if (!Number.isNaN(ys[k])) sum += ys[k];
    }
    out[i] = count > 0 ? sum / count : NaN;
  }
  return out;
}

/** How a band around the mean of several runs is drawn: min…max, mean ± one standard deviation, or no band. */
export type BandKind = "minmax" | "std" | "none";

/** Per-step statistics of several runs, each array of length n (steps). */
export interface BandStats {
  mean: number[];
  /** Lower edge of the band (min, or mean − std; equals `mean` for `"none"`). */
  lower: number[];
  /** Upper edge of the band (max, or mean + std; equals `mean` for `"none"`). */
  upper: number[];
}

/**
 * Per-step mean and band of several runs of equal length (one run per seed). The standard deviation
 * is the population one (divide by the number of runs, like `numpy.std`).
 *
 * @param runs `k × n`: k runs (seeds), each n steps; no NaN.
 * @param band `"minmax"` (default), `"std"` or `"none"`.
 * @example
 * bandStats([[0, 2], [2, 6]], "minmax"); // { mean: [1, 4], lower: [0, 2], upper: [2, 6] }
 * bandStats([[0, 2], [2, 6]], "std");    // { mean: [1, 4], lower: [0, 2], upper: [2, 6] }
 */
export function bandStats(runs: readonly ArrayLike<number>[], band: BandKind = "minmax"): BandStats {
  const rs = checkRuns("bandStats", "runs", runs);
  checkBand("bandStats", band);
  return bandOf(rs, band);
}

function checkBand(fn: string, band: unknown): asserts band is BandKind {
  if (band !== "minmax" && band !== "std" && band !== "none") {
    throw new RangeError(`plot.${fn}: band must be "minmax", "std" or "none", got ${describe(band)}`);
  }
}

function checkRuns(fn: string, name: string, runs: unknown): number[][] {
  const list = nonEmptyArray<unknown>(fn, name, runs);
  const rs = list.map((r, i) => numbers(fn, `${name}[${i}]`, r));
  const n = rs[0].length;
  if (n === 0) throw new RangeError(`plot.${fn}: ${name}[0] is empty`);
  rs.forEach((r, i) => {
    if (r.length !== n) {
      throw new RangeError(
        `plot.${fn}: ${name}[${i}] has length ${r.length} but ${name}[0] has length ${n}; all runs must have ` +
          `the same length (truncate them to the shortest, e.g. runs.map(r => r.slice(0, n)))`,
      );
    }
  });
  return rs;
}

function bandOf(rs: number[][], band: BandKind): BandStats {
  const k = rs.length;
  const n = rs[0].length;
  const mean = new Array<number>(n);
  const lower = new Array<number>(n);
  const upper = new Array<number>(n);
  for (let t = 0; t < n; t++) {
    let sum = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < k; i++) {
      const v = rs[i][t];
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const m = sum / k;
    mean[t] = m;
    if (band === "minmax") {
      lower[t] = lo;
      upper[t] = hi;
    } else if (band === "std") {
      let ss = 0;
      for (let i = 0; i < k; i++) ss += (rs[i][t] - m) ** 2;
      const sd = Math.sqrt(ss / k);
      lower[t] = m - sd;
      upper[t] = m + sd;
    } else {
      lower[t] = m;
      upper[t] = m;
    }
  }
  return { mean, lower, upper };
}

// ---------------------------------------------------------------------------------------------
// Line charts and learning curves
// ---------------------------------------------------------------------------------------------

/** One curve of a {@link lineChart}. */
export interface LineSeries {
  /** Legend name (default `"series i"`). */
  name?: string;
  /** The values, length n; NaN draws a gap. */
  y: ArrayLike<number>;
  /** x values, length n (numbers or category labels); default 0 … n−1. */
  x?: ArrayLike<number> | readonly string[];
  /** Line colour (default: the i-th colour of {@link PALETTE}). */
  color?: string;
  /** Line dash style. */
  dash?: "solid" | "dot" | "dash" | "dashdot";
}

/** Options of {@link lineChart}. */
export interface LineChartOptions extends ChartOptions {
  /**
   * Moving-average window (see {@link movingAverage}). With `window > 1` the average is drawn in full
   * colour over the raw curve, which stays visible but faint (unless `showRaw: false`). Default 1.
   */
  window?: number;
  /** Keep the raw curve under the moving average (default true). */
  showRaw?: boolean;
  /** `"lines"` (default), `"markers"` or `"lines+markers"`. */
  mode?: "lines" | "markers" | "lines+markers";
  /** Logarithmic y axis (ticks as powers of ten). */
  logY?: boolean;
  /** Logarithmic x axis (ticks as powers of ten), e.g. for sample sizes or step sizes. */
  logX?: boolean;
}

/** A typed array, a number[] or an empty array (one series with no points yet, e.g. a live chart's start). */
function isNumberArrayLike(v: unknown): boolean {
  return ArrayBuffer.isView(v) || (Array.isArray(v) && (v.length === 0 || typeof v[0] === "number"));
}

/**
 * A line chart of one or several series, optionally smoothed by a moving average drawn over the
 * faint raw curve (the usual way to show noisy episode returns).
 *
 * @param series one series (`number[]`, `Float64Array` or a {@link LineSeries}) or several
 *   ({@link LineSeries}[]); each `y` has length n, `x` (optional) the same length.
 * @example
 * const fig = lineChart(
 *   [{ name: "SARSA", y: sarsaReturns }, { name: "Q-learning", y: qReturns }],
 *   { window: 20, title: "CliffWalking", xTitle: "episode", yTitle: "return" },
 * );
 * display(fig);
 */
export function lineChart(
  series: ArrayLike<number> | LineSeries | readonly LineSeries[],
  options: LineChartOptions = {},
): Figure {
  const fn = "lineChart";
  let list: readonly LineSeries[];
  if (isNumberArrayLike(series)) list = [{ y: series as ArrayLike<number> }];
  else if (Array.isArray(series)) list = nonEmptyArray<LineSeries>(fn, "series", series);
  else if (typeof series === "object" && series !== null && "y" in series) list = [series as LineSeries];
  else throw new TypeError(`plot.${fn}: series must be a number array, a { name, y, x? } object or an array of them, got ${describe(series)}`);

  const window = options.window === undefined ? 1 : positiveInt(fn, "options.window", options.window);
  const showRaw = options.showRaw ?? true;
  const mode = options.mode ?? "lines";
  const data: PlotlyTrace[] = [];
  const numeric = isNumberArrayLike(series);
  list.forEach((s, i) => {
    const label = numeric || !Array.isArray(series) ? "series" : `series[${i}]`;
    if (typeof s !== "object" || s === null) throw new TypeError(`plot.${fn}: ${label} must be a { name, y, x? } object, got ${describe(s)}`);
    const y = numbers(fn, numeric ? "series" : `${label}.y`, s.y, true);
    const x = s.x === undefined ? undefined : axisValues(fn, `${label}.x`, s.x, y.length, `${label}.y`);
    const name = s.name ?? `series ${i}`;
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const line: Record<string, unknown> = { color };
    if (s.dash) line.dash = s.dash;
    const base = (values: number[]): PlotlyTrace => {
      const t: PlotlyTrace = { type: "scatter", mode, y: nanToNull(values) };
      if (x) t.x = x;
      return t;
    };
    if (window > 1) {
      if (showRaw) {
        data.push({
          ...base(y),
          name: `${name} (raw)`,
          line: { ...line, width: 1 },
          marker: { color },
          opacity: 0.3,
          legendgroup: name,
          showlegend: false,
        });
      }
      data.push({
        ...base(movingAverage(y, window)),
        name,
        line: { ...line, width: 2 },
        marker: { color },
        legendgroup: name,
        hovertemplate: `%{y:.4g}<extra>${escapeTemplate(name)} (avg of ${window})</extra>`,
      });
    } else {
      data.push({ ...base(y), name, line: { ...line, width: 2 }, marker: { color } });
    }
  });
  const layout = baseLayout(fn, options);
  if (options.logY) layout.yaxis = { ...layout.yaxis, type: "log", exponentformat: "power" };
  if (options.logX) layout.xaxis = { ...layout.xaxis, type: "log", exponentformat: "power" };
  layout.hovermode = "x";
  return { data, layout };
}

/** Escapes `%{` in user text placed in a Plotly hover template. */
function escapeTemplate(s: string): string {
  return s.replace(/%\{/g, "%\\{").replace(/[<>]/g, (c) => (c === "<" ? "&lt;" : "&gt;"));
}

function axisValues(fn: string, name: string, v: unknown, n: number, yName: string): Datum[] {
  if (Array.isArray(v) && v.length > 0 && typeof v[0] === "string") {
    v.forEach((s, i) => {
      if (typeof s !== "string") throw new TypeError(`plot.${fn}: ${name}[${i}] is ${describe(s)}; x labels must all be strings or all numbers`);
    });
    if (v.length !== n) throw new RangeError(`plot.${fn}: ${name} has length ${v.length} but ${yName} has length ${n}`);
    return [...(v as string[])];
  }
  const xs = numbers(fn, name, v);
  if (xs.length !== n) throw new RangeError(`plot.${fn}: ${name} has length ${xs.length} but ${yName} has length ${n}`);
  return xs;
}

/** One algorithm (or configuration) in {@link learningCurves}: several runs of it, one per seed. */
export interface CurveGroup {
  /** Legend name. */
  name: string;
  /** `k × n`: k runs (seeds) of n points each (e.g. episode returns); all the same length, no NaN. */
  runs: readonly ArrayLike<number>[];
  /** Shared x values, length n (e.g. environment steps); default 0 … n−1. */
  x?: ArrayLike<number>;
  /** Colour of the mean line and (translucent) of its band. */
  color?: string;
}

/** Options of {@link learningCurve} and {@link learningCurves}. */
export interface LearningCurveOptions extends ChartOptions {
  /** Moving-average window applied to each run before the statistics (default 1: none). */
  window?: number;
  /** `"minmax"` (default: the band spans the best and worst run), `"std"` (mean ± std) or `"none"`. */
  band?: BandKind;
  /** Also draw every run as a thin faint line (default false). */
  showRuns?: boolean;
}

/**
 * Learning curves of several algorithms, each over several seeds: per algorithm a mean line and a
 * translucent band (min…max or mean ± std across seeds), after an optional moving average of each
 * run. Statistics are those of {@link bandStats}.
 *
 * @example
 * const fig = learningCurves(
 *   [
 *     { name: "SARSA", runs: sarsaRuns },       // number[seeds][episodes]
 *     { name: "Q-learning", runs: qRuns },
 *   ],
 *   { window: 10, band: "std", xTitle: "episode", yTitle: "return" },
 * );
 */
export function learningCurves(groups: readonly CurveGroup[], options: LearningCurveOptions = {}): Figure {
  return curves("learningCurves", "groups", groups, options);
}

/**
 * Learning curve of one algorithm over several seeds: the mean line with a band (see
 * {@link learningCurves}, which compares several algorithms).
 *
 * @param runs `k × n`: k runs (seeds), each n points, all the same length, no NaN.
 * @param options as {@link LearningCurveOptions}, plus `name` (legend, default `"mean"`), `x`
 *   (shared x values, length n) and `color`.
 * @example
 * const runs = seeds.map((seed) => train({ seed }).episodeReturns); // number[][]
 * display(learningCurve(runs, { window: 20, band: "minmax", yTitle: "return" }));
 */
export function learningCurve(
  runs: readonly ArrayLike<number>[],
  options: LearningCurveOptions & { name?: string; x?: ArrayLike<number>; color?: string } = {},
): Figure {
  const group: CurveGroup = { name: options.name ?? "mean", runs };
  if (options.x !== undefined) group.x = options.x;
  if (options.color !== undefined) group.color = options.color;
  return curves("learningCurve", "runs", [group], options, true);
}

function curves(
  fn: string,
  argName: string,
  groups: readonly CurveGroup[],
  options: LearningCurveOptions,
  single = false,
): Figure {
  nonEmptyArray<CurveGroup>(fn, argName, groups);
  const window = options.window === undefined ? 1 : positiveInt(fn, "options.window", options.window);
  const band = options.band ?? "minmax";
  checkBand(fn, band);
  const data: PlotlyTrace[] = [];
  groups.forEach((g, gi) => {
    const label = single ? argName : `${argName}[${gi}]`;
    const runsName = single ? argName : `${label}.runs`;
    if (!single && (typeof g !== "object" || g === null)) {
      throw new TypeError(`plot.${fn}: ${label} must be a { name, runs } object, got ${describe(g)}`);
    }
    const raw = checkRuns(fn, runsName, g.runs);
    const n = raw[0].length;
    const x = g.x === undefined ? undefined : axisValues(fn, single ? "options.x" : `${label}.x`, g.x, n, `${runsName}[0]`);
    const rs = window > 1 ? raw.map((r) => movingAverage(r, window)) : raw;
    const stats = bandOf(rs, band);
    const color = g.color ?? PALETTE[gi % PALETTE.length];
    const name = g.name ?? `group ${gi}`;
    const withX = (t: PlotlyTrace): PlotlyTrace => (x ? { ...t, x } : t);
    if (options.showRuns) {
      rs.forEach((r, ri) =>
        data.push(
          withX({
            type: "scatter",
            mode: "lines",
            y: r,
            name: `${name} run ${ri}`,
            line: { color, width: 0.75 },
            opacity: 0.35,
            legendgroup: name,
            showlegend: false,
            hoverinfo: "skip",
          }),
        ),
      );
    }
    if (band !== "none" && rs.length > 1) {
      const fillcolor = withAlpha(color, 0.2);
      data.push(
        withX({
          type: "scatter",
          mode: "lines",
          y: stats.lower,
          name: `${name} ${band === "std" ? "mean − std" : "min"}`,
          line: { color, width: 0 },
          legendgroup: name,
          showlegend: false,
          hoverinfo: "skip",
        }),
      );
      const upper: PlotlyTrace = withX({
        type: "scatter",
        mode: "lines",
        y: stats.upper,
        name: `${name} ${band === "std" ? "mean + std" : "max"}`,
        line: { color, width: 0 },
        fill: "tonexty",
        legendgroup: name,
        showlegend: false,
        hoverinfo: "skip",
      });
      if (fillcolor) upper.fillcolor = fillcolor;
      else upper.opacity = 0.25;
      data.push(upper);
    }
    const what = band === "minmax" ? "min–max band" : band === "std" ? "mean ± std band" : "no band";
    data.push(
      withX({
        type: "scatter",
        mode: "lines",
        y: stats.mean,
        name,
        line: { color, width: 2 },
        legendgroup: name,
        hovertemplate:
          `%{y:.4g}<extra>${escapeTemplate(name)}: mean of ${rs.length} run${rs.length === 1 ? "" : "s"}` +
          `${window > 1 ? `, avg of ${window}` : ""}, ${what}</extra>`,
      }),
    );
  });
  const layout = baseLayout(fn, options);
  layout.hovermode = "x";
  if (groups.length === 1) layout.showlegend = false;
  return { data, layout };
}
